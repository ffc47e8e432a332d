"""`python main.py bench ui`: the cockpit's frame time and CPU under a busy feed, the wall's frame time at
5760x2160, and the cost of judging the vital-sign rules."""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from bench.stats import percentile
from core.argtypes import seconds_up_to, whole_count

FRAME_S = 1 / 30
WALL_SIZE = (5760, 2160)
_seconds = seconds_up_to(3600)


def add_bench_ui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seconds", type=_seconds, default=20.0, help="measured run of the cockpit and the wall"
    )
    parser.add_argument("--warmup", type=_seconds, default=5.0, help="seconds before measuring starts")
    parser.add_argument("--events", type=whole_count, default=1000, help="feed events a second")
    parser.add_argument("--metrics", type=whole_count, default=200, help="metric points a second")
    parser.add_argument("--markers", type=whole_count, default=5000, help="moving units on the map")
    parser.add_argument("--series", type=whole_count, default=10_000, help="series for the rules' cost")
    parser.add_argument(
        "--rule-seconds", type=whole_count, default=30, help="seconds of data for the rules' cost"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the GUI thread while measuring; print where time goes"
    )


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class FrameMeter:
    """Times frames: a frame is the frame clock's tick and everything Qt then has waiting, the paints
    included (the posted events are delivered inside the measurement, not after it)."""

    def __init__(self, profile: bool = False) -> None:
        self.times: list[float] = []
        self.work_ms: list[float] = []  # the tick (or the wall's beat and read) before Qt's posted events
        self._profile = cProfile.Profile() if profile else None
        self.measuring = False
        self._cpu = self._wall = 0.0
        self.cpu_percent = 0.0
        self.gui_cpu_ms: list[float] = []

    def frame(self, work: Callable[[], None]) -> None:
        from PySide6.QtCore import QCoreApplication

        started, cpu = time.perf_counter(), time.thread_time()
        work()
        worked = time.perf_counter()
        QCoreApplication.sendPostedEvents()
        if self.measuring:
            self.times.append((time.perf_counter() - started) * 1000)
            self.work_ms.append((worked - started) * 1000)
            self.gui_cpu_ms.append((time.thread_time() - cpu) * 1000)

    def start(self) -> None:
        self.times.clear()
        self.work_ms.clear()
        self.gui_cpu_ms.clear()
        self.measuring = True
        if self._profile is not None:
            self._profile.enable()
        self._cpu, self._wall = _cpu_s(), time.perf_counter()

    def stop(self) -> None:
        if self._profile is not None:
            self._profile.disable()
        self.measuring = False
        self.cpu_percent = (_cpu_s() - self._cpu) / (time.perf_counter() - self._wall) * 100

    def summary(self) -> str:
        return (
            f"{len(self.times)} frames, frame p50 {statistics.median(self.times):.1f} ms, "
            f"p99 {percentile(self.times, 0.99):.1f} ms, max {max(self.times):.1f} ms; GUI thread CPU "
            f"per frame p50 {statistics.median(self.gui_cpu_ms):.1f} ms, "
            f"p99 {percentile(self.gui_cpu_ms, 0.99):.1f} ms; of a frame, the tick's own work p50 "
            f"{statistics.median(self.work_ms):.1f} ms, p99 {percentile(self.work_ms, 0.99):.1f} ms, "
            "the rest is Qt's posted events (layout and paint, queued signals)"
        )

    def hot_spots(self, out: TextIO, count: int = 14) -> None:
        """Where the GUI thread's time went while measuring (with --profile)."""
        if self._profile is not None:
            text = io.StringIO()
            pstats.Stats(self._profile, stream=text).sort_stats("tottime").print_stats(count)
            print(text.getvalue(), file=out)


@contextlib.contextmanager
def paced_feed(events: int, metrics: int) -> Iterator[str]:
    """The feed process (bench/ui_feed.py); its URL. It stops when its stdin closes."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.ui_feed", "--events", str(events), "--metrics", str(metrics)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("ws://"):
            raise RuntimeError(f"the bench feed did not start: {url!r}")
        yield url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_bench_ui(args: argparse.Namespace, out: TextIO | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bench.ui_cockpit import measure_cockpit
    from bench.ui_wall import measure_wall

    out = out or sys.stdout
    print(
        f"bench ui: {args.events} events/s and {args.metrics} metric points/s, {args.markers} moving units "
        f"on the map, {args.warmup:g} s warm-up, {args.seconds:g} s measured",
        file=out,
    )
    cockpit = FrameMeter(args.profile)
    with (
        paced_feed(args.events, args.metrics) as url,
        tempfile.TemporaryDirectory(prefix="tianshu-ui-") as tmp,
    ):
        shown = measure_cockpit(cockpit, url, Path(tmp), args)
    print(
        f"  cockpit 1920x1080: {cockpit.summary()}; process CPU {cockpit.cpu_percent:.0f}% of one core",
        file=out,
    )
    print(f"  cockpit showed: {shown}", file=out)
    cockpit.hot_spots(out)
    wall = FrameMeter(args.profile)
    wall_shown = measure_wall(wall, args)
    print(f"  wall {WALL_SIZE[0]}x{WALL_SIZE[1]}: {wall.summary()}", file=out)
    print(f"  wall showed: {wall_shown}", file=out)
    wall.hot_spots(out)
    rules_ms = _rules(args, out)
    print(
        f"ui: frame p99 {percentile(cockpit.times, 0.99):.1f} ms, cpu {cockpit.cpu_percent:.0f}%, "
        f"wall {WALL_SIZE[0]}x{WALL_SIZE[1]} frame p99 {percentile(wall.times, 0.99):.1f} ms, "
        f"rules {rules_ms:.1f} ms",
        file=out,
    )
    return 0


def _rules(args: argparse.Namespace, out: TextIO) -> float:
    """`bench rules` as it is: its median cost of evaluating `--series` series per second of data."""
    from bench.rules import run_bench_rules

    text = io.StringIO()
    run_bench_rules(argparse.Namespace(series=args.series, seconds=args.rule_seconds, seed=1), text)
    last = text.getvalue().strip().splitlines()[-1]
    print(f"  {last}", file=out)
    found = re.search(r"([\d.]+) ms per second of data", last)
    if found is None:
        raise RuntimeError(f"bench rules said {last!r}")
    return float(found.group(1))
