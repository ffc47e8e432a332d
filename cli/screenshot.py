"""`python main.py screenshot`: the real cockpit, offscreen on the demo city, grabbed to a PNG, with the
duty desk, the video wall or the evaluation in front."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDockWidget

from app.desk.jobs import demo_atlas_path
from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.gui import (
    Console,
    build_window,
    dispose,
    install_console,
    install_wall,
    prepare_application,
)
from app.situation.controller import install_situation_map
from dispatch.atlas import load_atlas
from dispatch.casework.records.accounts import DEMO_PASSWORD
from video.registry import CameraRegistry

if TYPE_CHECKING:
    from sim.process import DemoFeedProcess

log = logging.getLogger(__name__)


def _lived_in_demo() -> DemoFeedProcess:
    # Imported here, as the cockpit does: a screenshot of a real feed never loads the simulator.
    from sim.process import lived_in_demo

    return lived_in_demo()


FRAME_S = 1 / 30
# The docks `--tab` brings to the front; the duty desk is in front anyway.
_FRONT_DOCKS = {"wall": "videoWallDock", "metrics": "metricsDock", "map": "situationMapDock"}


async def _shoot(
    cockpit: Cockpit, console: Console, out: Path, after: float, login: str | None, front: QDockWidget | None
) -> bool:
    try:
        await cockpit.start()
        if login is not None:
            console.session.sign_in(login, DEMO_PASSWORD)
        if front is not None:
            front.raise_()
        await asyncio.sleep(after)
        # Paint the last batch, then give Qt a frame to lay it out before grabbing.
        cockpit.flush_frame()
        await asyncio.sleep(FRAME_S)
        return cockpit.window.grab().save(str(out), "PNG")
    finally:
        console.stop()
        await cockpit.shutdown()


def run_screenshot(
    *,
    out: Path,
    after: float,
    size: tuple[int, int],
    db_path: Path | None,
    feed_url: str | None,
    tab: str = "desk",
    cameras: CameraRegistry | None = None,
) -> int:
    """Write a PNG of the cockpit `after` seconds in, with `tab` ("desk", "wall" or "metrics") in front."""
    if QApplication.instance() is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = prepare_application()
    with tempfile.TemporaryDirectory(prefix="tianshu-screenshot-") as scratch:
        # A throwaway settings file: the picture must not depend on (or change) the operator's layout.
        settings = QSettings(str(Path(scratch) / "layout.ini"), QSettings.Format.IniFormat)
        window = build_window(app, settings)
        window.resize(*size)
        cockpit = Cockpit(
            window,
            db_path=db_path or Path(scratch) / "tianshu.sqlite3",
            feed_url=feed_url,
            pipeline_factory=make_pipeline_factory(None, None),
            demo_factory=_lived_in_demo if feed_url is None else None,
        )
        demo = feed_url is None
        console = install_console(app, window, cockpit, demo=demo)
        situation = None
        if cockpit.duty is not None and cockpit.loop is not None and cockpit.bus is not None:
            situation = install_situation_map(
                window, cockpit.loop, cockpit.bus, cockpit.duty, load_atlas(demo_atlas_path()),
                cockpit.frame_clock.ticked,
            )  # fmt: skip
        wall = None
        if demo or cameras is not None:
            wall = install_wall(window, cockpit, console, settings, Path(scratch), cameras)
        front = window.findChild(QDockWidget, _FRONT_DOCKS[tab]) if tab in _FRONT_DOCKS else None
        window.show()
        try:
            # On the demo city the picture shows the cockpit as the demo shift lead sees it.
            saved = qasync.run(_shoot(cockpit, console, out, after, "lead" if demo else None, front))
        finally:
            if situation is not None:
                situation.stop()
            if wall is not None:
                wall.close()
            dispose(window)
    if not saved:
        log.error("could not write the screenshot to %s", out)
        return 1
    return 0
