"""`bench ui`'s cockpit: the real console window on a busy feed, every panel on screen, frames timed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bench.ui import FrameMeter
    from dispatch.atlas import Atlas
    from widgets.situation.map_marks import UnitMarks


def measure_cockpit(meter: FrameMeter, url: str, scratch: Path, args: argparse.Namespace) -> str:
    """The duty console at 1920x1080 on the feed at `url` (intake, store, closed loop, duty desk, live
    stream, vital tiles, four trend charts, the city map), with `--markers` units moving on the map once
    a second as AVL reports them. The frame clock is driven at 30 Hz by the meter, so each frame is timed
    with the paints it causes. Returns what was on screen at the end, in words."""
    import qasync
    from PySide6.QtCore import QSettings, Qt, QTimer

    from app.desk.jobs import demo_atlas_path
    from app.shell.cockpit import Cockpit, make_pipeline_factory
    from app.shell.gui import build_window, dispose, prepare_application
    from app.situation.controller import install_situation_map
    from dispatch.atlas import load_atlas

    app = prepare_application()
    settings = QSettings(str(scratch / "layout.ini"), QSettings.Format.IniFormat)
    window = build_window(app, settings)
    window.resize(1920, 1080)
    cockpit = Cockpit(
        window,
        db_path=scratch / "tianshu.sqlite3",
        feed_url=url,
        pipeline_factory=make_pipeline_factory(None, None),
    )
    atlas = load_atlas(demo_atlas_path())
    assert cockpit.loop is not None
    assert cockpit.bus is not None
    assert cockpit.duty is not None
    situation = install_situation_map(
        window, cockpit.loop, cockpit.bus, cockpit.duty, atlas, cockpit.frame_clock.ticked
    )
    # The map and the trends share a column as tabs; the bench shows both, one above the other.
    assert window.map_dock is not None
    window.splitDockWidget(window.map_dock, window.trends_dock, Qt.Orientation.Vertical)
    window.trends_dock.show()
    window.show()
    units = _units(atlas, args.markers)
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(round(1000 / 30))
    moved_at = [0.0]

    def frame() -> None:
        now = cockpit.clock.now()
        if now - moved_at[0] >= 1.0:
            moved_at[0] = now
            situation.view.show_units(units(now))
        cockpit.frame_clock.tick()

    timer.timeout.connect(lambda: meter.frame(frame))
    shown: list[str] = []

    async def run() -> None:
        try:
            await cockpit.start()
            # The meter drives the frame clock from here on, timing each tick with its paints.
            cockpit.frame_clock.stop()
            timer.start()
            await asyncio.sleep(args.warmup)
            meter.start()
            await asyncio.sleep(args.seconds)
            meter.stop()
            timer.stop()
            shown.append(
                f"{window.events.model.rowCount()} events in the live stream, "
                f"{len(situation.view.units.ids)} units and "
                f"{len(situation.view.incidents.ids)} cases on the map, "
                f"{len(window.trends.series_names())} trend charts, {_tiles(window)} vital-sign tiles"
            )
        finally:
            timer.stop()
            await cockpit.shutdown()

    try:
        qasync.run(run())
    finally:
        situation.stop()
        dispose(window)
    if not shown:
        return "nothing (the cockpit did not start)"
    with contextlib.closing(sqlite3.connect(scratch / "tianshu.sqlite3")) as conn:
        stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        readings = conn.execute("SELECT count(*) FROM metrics").fetchone()[0]
    # What the feed really delivered: a cockpit that fell behind would show a smaller rate than asked.
    ran = args.warmup + args.seconds
    rates = f"about {stored / ran:.0f} and {readings / ran:.0f} a second"
    return f"{shown[0]}; {stored} events and {readings} readings stored ({rates})"


def _tiles(window: object) -> int:
    vitals = getattr(window, "vitals", None)
    tiles = getattr(vitals, "tiles", {})
    return len(tiles)


def _units(atlas: Atlas, count: int) -> Callable[[float], UnitMarks]:
    """Units spread over the city, each a few metres further along its heading every second."""
    from widgets.situation.map_marks import UnitMarks

    districts = atlas.districts
    lons = [p[0] for d in districts for r in d.outline for p in r]
    lats = [p[1] for d in districts for r in d.outline for p in r]
    rng = np.random.default_rng(1)
    lon = rng.uniform(min(lons), max(lons), count)
    lat = rng.uniform(min(lats), max(lats), count)
    heading = rng.uniform(0.0, 360.0, count)
    kinds = ("urban_management", "police", "fire", "medical")
    kind = rng.integers(0, len(kinds), count).astype(np.int16)
    status = rng.integers(0, 4, count).astype(np.int16)
    ids = tuple(f"U{n}" for n in range(count))

    def at(now: float) -> UnitMarks:
        nonlocal lon, lat
        step = np.radians(heading)
        lon = lon + np.sin(step) * 1e-4
        lat = lat + np.cos(step) * 1e-4
        return UnitMarks(ids, lon, lat, heading, kind, status, np.full(count, now), kinds)

    return at
