"""`bench ui`'s wall: the demo pages at 5760x2160, fed once a beat what the busy feed leaves in a store."""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bench.ui import FrameMeter

# Pages turn this often in the bench, so every page is measured (the demo's dwells are 30-60 s).
DWELL_S = 5
STATIONS = 40


def measure_wall(meter: FrameMeter, args: argparse.Namespace) -> str:
    """The demo wall in one 5760x2160 window on a clock that runs with real time: frames at 30 Hz (each
    timed with its paints), and once a second the wall's beat and a store read carrying what `--events`
    and `--metrics` a second leave there: `--metrics` readings, the case figures, and the open cases on
    the map (5,000, a fifth of them new each second). Returns what was on screen, in words."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.shell.application import choose_ui_font
    from app.shell.gui import prepare_application
    from app.shell.theme import apply_theme
    from app.wall.controller import WallController
    from app.wall.launch import (
        add_takeover_maps,
        build_windows,
        demo_camera_names,
        show_demo_atlas,
        wall_rules,
    )
    from app.wall.pages_file import demo_pages_path, parse_pages
    from app.wall.source import MARKS_MAX, WallReading
    from core.clock import ManualClock
    from dispatch.feed.values import MetricSample
    from widgets.common.vocabulary import Vocabulary
    from widgets.situation.map_marks import IncidentMarks
    from widgets.wall.case_board import CaseFigures
    from widgets.wall.warnings_panel import WarningInForce

    app = prepare_application()
    assert isinstance(app, QApplication)
    choose_ui_font(app)
    palette = apply_theme(app)
    text = re.sub(r"dwell: \d+ seconds", f"dwell: {DWELL_S} seconds", demo_pages_path().read_text("utf-8"))
    pages = parse_pages(text, "demo.yaml")
    words = Vocabulary(app)
    ((window, parts),) = build_windows(
        pages, QGuiApplication.screens()[:1], palette, words, demo_camera_names()
    )
    show_demo_atlas(parts.maps + add_takeover_maps([(window, parts)], palette))
    window.resize(*WALL_SHAPE)
    window.show()
    clock = ManualClock(time.time())
    controller = WallController(pages, [(window, parts)], clock, words, wall_rules())
    rng = np.random.default_rng(2)
    west, east, south, north = 120.10, 120.22, 30.22, 30.32
    count = MARKS_MAX
    lon, lat = rng.uniform(west, east, count), rng.uniform(south, north, count)
    level = rng.integers(1, 5, count)
    opened = clock.now() - rng.uniform(0, 3 * 3600, count)
    names = ("water_level_max", "congestion_index", "aqi", "power_load", "hotline_calls_per_hour")
    values = {name: rng.uniform(1.0, 4.0, STATIONS) for name in names}
    first_id = 0

    def reading(now: float) -> WallReading:
        nonlocal lon, lat, level, opened, first_id
        fresh = count // 5
        first_id += fresh
        lon = np.concatenate([lon[fresh:], rng.uniform(west, east, fresh)])
        lat = np.concatenate([lat[fresh:], rng.uniform(south, north, fresh)])
        level = np.concatenate([level[fresh:], rng.integers(1, 5, fresh)])
        opened = np.concatenate([opened[fresh:], np.full(fresh, now)])
        marks = tuple(
            (str(first_id + n), float(lon[n]), float(lat[n]), int(level[n]), float(opened[n]), None, now)
            for n in range(count)
        )
        samples = []
        for n in range(args.metrics):
            name = names[n % len(names)]
            station = n // len(names) % STATIONS
            values[name][station] *= 1.0 + rng.normal(0.0, 0.01)
            samples.append(
                MetricSample(
                    0, name, float(values[name][station]), now, "m", (("station", f"S{station:02d}"),)
                )
            )
        levels = np.bincount(level, minlength=5)[1:]
        figures = CaseFigures(
            (int(levels[0]), int(levels[1]), int(levels[2]), int(levels[3])),
            (("钟楼区", 1900), ("东港区", 1700), ("明湖区", 1400)),
            count // 10,
            count // 50,
        )
        warning = WarningInForce("暴雨橙色预警", "钟楼区、东港区", 2, now + 6 * 3600)
        # As the wall's reader hands them: the maps' columns made off the GUI thread too.
        return WallReading(
            tuple(samples), figures, (), (warning,), ("王敏",), now, (), marks, IncidentMarks.of(marks)
        )

    beat_at = [clock.now()]

    def run(seconds: float) -> None:
        next_frame = time.perf_counter()
        ends = next_frame + seconds
        while time.perf_counter() < ends:
            clock.advance(FRAME_S)
            read: WallReading | None = None
            if clock.now() - beat_at[0] >= 1.0:
                beat_at[0] = clock.now()
                # Made outside the frame: the wall reads its store on a thread of its own.
                read = reading(clock.now())
            meter.frame(partial(beat, read))
            app.processEvents()
            next_frame += FRAME_S
            delay = next_frame - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # a benchmark paces itself as the wall's timers do; tests never sleep

    def beat(read: WallReading | None) -> None:
        if read is not None:
            controller.beat()
            controller.apply(read)

    seen: set[str] = set()
    run(args.warmup)
    meter.start()
    next_page = time.perf_counter()
    ends = next_page + args.seconds
    while time.perf_counter() < ends:
        run(min(1.0, ends - time.perf_counter()))
        seen.add(window.current_page().name)
    meter.stop()
    shown = (
        f"pages {', '.join(sorted(seen))}; {_cases_on(parts.maps)} cases "
        f"on the map; {args.metrics} readings a second"
    )
    window.close()
    window.deleteLater()
    app.processEvents()
    return shown


def _cases_on(maps: Sequence[object]) -> int:
    incidents = getattr(maps[0], "incidents", None) if maps else None
    return len(getattr(incidents, "ids", ()))


FRAME_S = 1 / 30
WALL_SHAPE = (5760, 2160)
