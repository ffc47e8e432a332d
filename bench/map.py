"""`python main.py bench map`: the situation map's paint time with thousands of moving units, CPU, memory."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TextIO

from bench.stats import percentile
from core.argtypes import seconds_up_to, whole_count

SIZES = ((1920, 1080), (5760, 2160))
_seconds = seconds_up_to(86_400)
_T0 = 1_800_000_000.0


def add_bench_map_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--units", type=whole_count, default=5000, help="moving units")
    parser.add_argument("--incidents", type=whole_count, default=1000)
    parser.add_argument("--cameras", type=whole_count, default=200)
    parser.add_argument("--hz", type=_seconds, default=25.0, help="position updates and frames a second")
    parser.add_argument("--seconds", type=_seconds, default=20.0, help="measured run per window size")
    parser.add_argument(
        "--soak",
        type=_seconds,
        default=60.0,
        help="seconds at 1920x1080 over which memory must stay flat",
    )
    parser.add_argument(
        "--atlas", type=Path, default=None, help="an atlas directory (default: the demo city)"
    )
    parser.add_argument("--seed", type=int, default=1)


def _rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def run_bench_map(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Each window size: the demo city fitted, every layer on, `--units` units driving along its roads,
    incidents and cameras scattered over it; at `--hz` the units move, the clock ticks and the map paints
    into an image of the window's size (the whole paintEvent, timed). Then pan/zoom gestures, and a soak
    at 1920x1080 comparing resident memory after a warm-up with the end."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from app.shell.theme import apply_theme
    from dispatch.atlas import load_atlas
    from widgets.situation.map_marks import CameraMarks, IncidentMarks, UnitMarks
    from widgets.situation.map_view import SituationMap

    out = out or sys.stdout
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    palette = apply_theme(app)
    atlas_dir = args.atlas or Path(__file__).resolve().parents[1] / "resources" / "atlas" / "demo"
    atlas = load_atlas(atlas_dir)
    rng = np.random.default_rng(args.seed)
    jlon = np.array([j.lon for j in atlas.junctions])
    jlat = np.array([j.lat for j in atlas.junctions])
    seg_a = np.array([s.a for s in atlas.segments])
    seg_b = np.array([s.b for s in atlas.segments])
    seg_len = np.array([s.length_m for s in atlas.segments])
    lons = [p[0] for d in atlas.districts for r in d.outline for p in r]
    lats = [p[1] for d in atlas.districts for r in d.outline for p in r]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)

    n = args.units
    kinds = tuple(sorted({u.kind for u in atlas.units})) or ("urban_management",)
    on = rng.integers(0, len(atlas.segments), n)
    along = rng.random(n)
    speed = rng.uniform(5.0, 15.0, n)  # metres a second
    unit_kind = rng.integers(0, len(kinds), n).astype(np.int16)
    unit_status = rng.integers(0, 4, n).astype(np.int16)
    unit_ids = tuple(f"U{i}" for i in range(n))

    def units_at(now: float, dt: float) -> UnitMarks:
        nonlocal on, along
        along = along + speed * dt / np.maximum(seg_len[on], 1.0)
        done = along >= 1.0
        on = np.where(done, rng.integers(0, len(atlas.segments), n), on)
        along = np.where(done, 0.0, along)
        a, b = seg_a[on], seg_b[on]
        lon = jlon[a] + (jlon[b] - jlon[a]) * along
        lat = jlat[a] + (jlat[b] - jlat[a]) * along
        heading = np.degrees(np.arctan2(jlon[b] - jlon[a], jlat[b] - jlat[a])) % 360.0
        fix = np.full(n, now) - rng.uniform(0, 300, n)
        return UnitMarks(unit_ids, lon, lat, heading, unit_kind, unit_status, fix, kinds)

    m = args.incidents
    incidents = IncidentMarks(
        ids=tuple(f"C{i}" for i in range(m)),
        lon=rng.uniform(west, east, m),
        lat=rng.uniform(south, north, m),
        level=rng.integers(1, 5, m).astype(np.int16),
        opened_at=_T0 - rng.uniform(0, 3 * 3600, m),
        closed_at=np.where(rng.random(m) < 0.2, _T0 - rng.uniform(0, 200, m), np.nan),
        seen_at=_T0 - rng.uniform(0, 2400, m),
    )
    k = args.cameras
    cameras = CameraMarks(
        ids=tuple(f"K{i}" for i in range(k)),
        lon=rng.uniform(west, east, k),
        lat=rng.uniform(south, north, k),
        heading=rng.uniform(0, 360, k),
        fov=rng.uniform(40, 90, k),
    )
    load = {c.code: int(rng.integers(0, 6)) for c in atlas.cells}
    frame_s = 1.0 / args.hz

    def make(width: int, height: int) -> tuple[SituationMap, QImage]:
        view = SituationMap(palette)
        view.resize(width, height)
        view.set_atlas(atlas)
        view.show_incidents(incidents)
        view.show_cameras(cameras)
        view.show_grid_load(load)
        # A dispatcher's working zoom: a district fills the window, the city's marks all around.
        view.set_view(view.view.zoomed(view.view.zoom + 1.0, width / 2, height / 2))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        return view, image

    cpu_ms: list[float] = []  # the GUI thread's own CPU time per paint: what a shared machine's load hides

    def paint(view: SituationMap, image: QImage, now: float | None = None) -> float:
        """One frame: the clock's tick (which composes a band of a new still when the heat is due) and the
        whole paintEvent, timed together."""
        started, cpu_started = time.perf_counter(), time.thread_time()
        if now is not None:
            view.tick(now)
        view.render(image)
        cpu_ms.append((time.thread_time() - cpu_started) * 1000.0)
        return (time.perf_counter() - started) * 1000.0

    def run(view: SituationMap, image: QImage, seconds: float) -> tuple[list[float], float, float]:
        """Frames at the update rate for `seconds`; paint times, CPU percent and wall seconds."""
        times: list[float] = []
        now = _T0
        cpu0, wall0 = time.process_time(), time.perf_counter()
        next_frame = wall0
        while time.perf_counter() - wall0 < seconds:
            now += frame_s
            view.show_units(units_at(now, frame_s))
            times.append(paint(view, image, now))
            app.processEvents()
            next_frame += frame_s
            delay = next_frame - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # a benchmark paces itself like the FrameClock; tests never sleep
        wall = time.perf_counter() - wall0
        return times, (time.process_time() - cpu0) / wall * 100.0, wall

    p99: dict[tuple[int, int], float] = {}
    cpu_at: dict[tuple[int, int], float] = {}
    print(
        f"bench map: {n} units at {args.hz:g} Hz, {m} incidents, {k} cameras, atlas {atlas.name} "
        f"({len(atlas.segments)} road segments, {len(atlas.cells)} grid cells), every layer on",
        file=out,
    )
    for width, height in SIZES:
        view, image = make(width, height)
        run(view, image, min(2.0, args.seconds))  # warm-up: sprite sheet, base pixmap, caches
        cpu_ms.clear()
        times, cpu, _ = run(view, image, args.seconds)
        paint_cpu = list(cpu_ms)
        p99[(width, height)] = percentile(times, 0.99)
        cpu_at[(width, height)] = cpu
        # Pan and zoom as an operator does it: gestures of ten steps (wheel notches with a drag), each step
        # a frame; once a gesture pauses, the frame that draws the base afresh is timed apart.
        moves: list[float] = []
        settles: list[float] = []
        for gesture in range(6):
            for _ in range(10):
                step = 0.25 if gesture % 2 == 0 else -0.25
                view.gesture(
                    view.view.zoomed(view.view.zoom + step, width / 2 + 40, height / 2 - 30).panned(25, 10)
                )
                moves.append(paint(view, image))
            time.sleep(0.2)  # the gesture settles
            settles.append(paint(view, image))
        print(
            f"  {width}x{height}: {len(times)} frames, paint p50 {statistics.median(times):.1f} ms, "
            f"p99 {p99[(width, height)]:.1f} ms, max {max(times):.1f} ms; cpu {cpu:.0f}%; "
            f"pan/zoom frames p50 {statistics.median(moves):.1f} ms, p99 {percentile(moves, 0.99):.1f} ms "
            f"({1000.0 / statistics.mean(moves):.0f} fps), the redraw once a gesture settles "
            f"p50 {statistics.median(settles):.1f} ms, max {max(settles):.1f} ms; "
            f"CPU time per paint p50 {statistics.median(paint_cpu):.1f} ms, "
            f"p99 {percentile(paint_cpu, 0.99):.1f} ms",
            file=out,
        )
        view.deleteLater()
        app.processEvents()
    view, image = make(*SIZES[0])
    run(view, image, min(10.0, args.soak / 4))  # the first minutes fill caches and allocator pools
    before = _rss_kib()
    run(view, image, args.soak)
    after = _rss_kib()
    growth = (after - before) / before * 100.0
    print(
        f"  memory: {before / 1024:.0f} MiB after warm-up, {after / 1024:.0f} MiB after {args.soak:g} s",
        file=out,
    )
    small, big = SIZES
    print(
        f"map: {small[0]}x{small[1]} p99 {p99[small]:.1f} ms, {big[0]}x{big[1]} p99 {p99[big]:.1f} ms, "
        f"cpu {cpu_at[small]:.0f}%, memory growth {growth:.1f}%",
        file=out,
    )
    return 0
