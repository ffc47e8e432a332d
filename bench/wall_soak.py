"""`python main.py bench soak`: the wall for an accelerated day, pages rotating and the city's readings
flowing, with its memory measured every simulated hour."""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from dispatch.casework.readouts import QueueRow

_T0 = 1_767_225_600.0
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def add_bench_soak_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hours", type=_positive, default=24.0, help="simulated hours (at least 2)")
    parser.add_argument("--step", type=_positive, default=10.0, help="simulated seconds between readings")
    parser.add_argument("--size", default="1920x1080", help="window size WxH")
    parser.add_argument("--seed", type=int, default=1)


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE


def run_bench_soak(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """The demo pages in a real wall window offscreen, on a manual clock moved `step` seconds at a time:
    each step a reading of every demo vital sign (a storm now and then), the case board and a takeover
    coming and going, the beat (carousel, burn-in, rule states) and a paint. RSS after each hour."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.shell.theme import apply_theme
    from app.wall.controller import WallController
    from app.wall.launch import build_windows, demo_camera_names, show_demo_atlas, wall_rules
    from app.wall.pages_file import demo_pages_path, load_pages
    from app.wall.source import WallReading
    from core.clock import ManualClock
    from dispatch.feed.values import MetricSample
    from sim.city import demo_city
    from sim.vitals import VitalSigns
    from widgets.common.vocabulary import Vocabulary
    from widgets.wall.case_board import CaseFigures

    out = out or sys.stdout
    if args.hours < 2:
        print("bench soak: --hours must be at least 2 (growth is measured after the first hour)", file=out)
        return 2
    width, _, height = args.size.partition("x")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    words = Vocabulary(app)
    pages = load_pages(demo_pages_path())
    ((window, parts),) = build_windows(
        pages, QGuiApplication.screens()[:1], apply_theme(app), words, demo_camera_names()
    )
    show_demo_atlas(parts.maps)
    window.resize(int(width), int(height))
    window.show()
    clock = ManualClock(_T0)
    city = demo_city()
    districts = {d.code: d.name for d in city.districts}
    controller = WallController(
        pages, [(window, parts)], clock, words, wall_rules(), district_names=districts
    )
    rng = random.Random(args.seed)
    vitals = VitalSigns(city, rng)
    codes = [d.code for d in city.districts]
    steps_per_hour = round(3600 / args.step)
    total = round(args.hours * steps_per_hour)
    samples: list[int] = []
    started = time.perf_counter()
    wet: dict[str, float] = {}
    severe: tuple[QueueRow, ...] = ()
    for step in range(total):
        now = clock.now()
        if step % steps_per_hour == 0:
            # A storm over a district now and then drives the river gauges up and the rules with them.
            wet = {rng.choice(codes): rng.uniform(0.5, 1.0)} if rng.random() < 0.4 else {}
        metrics = tuple(
            MetricSample(
                step,
                m["name"],
                float(m["value"]),
                now,
                m.get("unit"),
                tuple(sorted((str(k), str(v)) for k, v in (m.get("labels") or {}).items())),
            )
            for m in vitals.sample(now, wet)
        )
        if step % 90 == 0:
            severe = _takeover(now, step) if rng.random() < 0.3 else ()
        figures = CaseFigures(
            (rng.randint(0, 2), rng.randint(0, 5), rng.randint(5, 40), rng.randint(10, 80)),
            tuple((code, rng.randint(0, 30)) for code in codes[:4]),
            rng.randint(0, 9),
            rng.randint(0, 5),
        )
        controller.apply(WallReading(metrics, figures, severe, (), ("值班员",), now))
        clock.advance(args.step)
        controller.beat()
        window.repaint()
        app.processEvents()
        if (step + 1) % steps_per_hour == 0:
            gc.collect()
            samples.append(rss_bytes())
    elapsed = time.perf_counter() - started
    window.close()
    after_first = samples[0]
    growth = 100.0 * (samples[-1] - after_first) / after_first
    peak = 100.0 * (max(samples) - after_first) / after_first
    print(
        f"{args.hours:g} simulated h in {elapsed:.0f} s ({total} steps of {args.step:g} s, "
        f"{len(pages.pages)} pages, {args.size}); RSS after 1 h {after_first / 2**20:.1f} MiB, "
        f"at the end {samples[-1] / 2**20:.1f} MiB, peak growth {peak:.1f}%",
        file=out,
    )
    every = max(1, len(samples) // 8)
    shape = ", ".join(f"{n + 1} h {rss / 2**20:.1f}" for n, rss in enumerate(samples) if n % every == 0)
    print(f"RSS MiB by simulated hour: {shape}", file=out)
    print(f"soak: {args.hours:g} h, memory growth {growth:.1f}% after the first hour", file=out)
    return 0


def _takeover(now: float, step: int) -> tuple[QueueRow, ...]:
    """One severe case waiting for acknowledgement, as the store reader would return it."""
    from dispatch.casework.model import Card, CaseState
    from dispatch.casework.readouts import QueueRow

    return (
        QueueRow(
            id=step,
            code=f"SOAK-{step}",
            state=CaseState.DISCOVERED,
            version=1,
            severity=1,
            category="waterlogging",
            title="隧道积水",
            address="人民路隧道",
            district="江汉区",
            source="iot",
            discovered_at=now,
            handle_due=None,
            register_due=None,
            card=Card.NONE,
            parked=False,
            overdue=False,
            unit="",
            events_count=1,
            acknowledged=False,
        ),
    )
