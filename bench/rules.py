"""`python main.py bench rules`: the cost of judging N vital-sign series for each second of data."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import TextIO

from core.argtypes import whole_count

_T0 = 1_767_225_600.0


def add_bench_rules_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--series", type=whole_count, default=10_000, help="series, each sampled once a second"
    )
    parser.add_argument("--seconds", type=whole_count, default=120, help="seconds of data measured")
    parser.add_argument("--seed", type=int, default=1)


def run_bench_rules(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Every series carries the demo policy's water-level rules (threshold with no-data, rate, time to
    breach); a window's worth of data is fed first so every fit runs over full windows, then each second
    records one sample per series and evaluates every rule, timed."""
    import numpy as np

    from core.clock import ManualClock
    from dispatch.casework.policy_file import default_policy_path, load_policy
    from dispatch.vitals.monitor import VitalsMonitor
    from dispatch.vitals.rules import SeriesKey

    out = out or sys.stdout
    count, seconds = args.series, args.seconds
    rules = [r for r in load_policy(default_policy_path()).alert_rules if r.metric == "water_level_max"]
    clock = ManualClock(_T0)
    monitor = VitalsMonitor(rules, clock)
    rows = np.asarray([monitor.history.row(SeriesKey("water_level_max", f"g{n:05d}")) for n in range(count)])
    rng = np.random.default_rng(args.seed)
    # Gauges at 2.9–3.4 m; a tenth of them rising up to 2 m an hour, so rules pend, fire and resolve.
    level = rng.uniform(2.9, 3.4, count)
    rise = np.where(rng.random(count) < 0.1, rng.uniform(0.0, 2.0 / 3600, count), 0.0)
    warmup = int(max(rule.window_s for rule in rules)) + 1

    def step(seconds: float) -> None:
        nonlocal level
        clock.advance(seconds)
        level = level + rise * seconds + rng.normal(0.0, 0.002, count)
        monitor.history.record(rows, np.full(count, clock.now()), level)

    def second() -> int:
        step(1.0)
        return len(monitor.evaluate())

    # The warm-up fills the windows one history slot at a time: the same history, faster to reach.
    resolution = monitor.history.resolution_s
    for _ in range(int(warmup / resolution) + 1):
        step(resolution)
    monitor.evaluate()
    costs: list[float] = []
    transitions = 0
    for _ in range(seconds):
        start = time.perf_counter()
        transitions += second()
        costs.append((time.perf_counter() - start) * 1000)
    median = statistics.median(costs)
    p99 = sorted(costs)[min(len(costs) - 1, int(len(costs) * 0.99))]
    print(
        f"rules: {len(rules)} rules on every series, {warmup} s of warm-up (one sample a slot),"
        f" {seconds} s measured,"
        f" {transitions} transitions; per second: mean {statistics.fmean(costs):.1f} ms, p99 {p99:.1f} ms;"
        " the median below (steadier than the mean on a shared machine)",
        file=out,
    )
    print(f"rules: {count} series, {median:.1f} ms per second of data", file=out)
    return 0
