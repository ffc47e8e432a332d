"""`python main.py drill SCENARIO.yaml` without --headless: the drill window until it closes."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings

from app.drill.cockpit import open_drill_cockpit
from app.drill.window_run import play_in_window
from app.shell.application import no_display_reason
from app.shell.gui import build_window, dispose, prepare_application
from dispatch.atlas import Atlas
from dispatch.drill.scenario import Scenario
from sim.drill.delivery import DrillResult
from sim.drill.director import DirectorCommand
from sim.drill.runner import DrillOptions

log = logging.getLogger(__name__)


def run_drill_gui(scenario: Scenario, atlas: Atlas, db_path: Path, speed: int) -> int:
    """Open the drill window; the team works the drill in it, the director drives it from its dock.
    Exit 0 once the window is closed (the drill ended or stopped), 1 when the feed was never read."""
    reason = no_display_reason()
    if reason is not None:
        print(f"tianshu: {reason}", file=sys.stderr)
        return 1
    app = prepare_application()
    app.setQuitOnLastWindowClosed(False)
    # The drill's window layout is kept beside the drills, not in the cockpit's own settings.
    settings = QSettings(str(db_path.parent / "drill-window.ini"), QSettings.Format.IniFormat)
    window = build_window(app, settings)
    outcome: list[DrillResult | None] = []

    async def main() -> None:
        commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
        options = DrillOptions(
            speed=float(speed), headless=False, director=commands,
            announce=lambda line: print(line, flush=True),
        )  # fmt: skip
        drill = await open_drill_cockpit(app, window, scenario, atlas, db_path, options)
        outcome.append(await play_in_window(window, drill))

    try:
        qasync.run(main())
    except Exception as error:
        log.error("the drill window stopped on an error: %s", error, exc_info=error)
        return 1
    finally:
        dispose(window)
    print(f"drill store: {db_path}", flush=True)
    result = outcome[0] if outcome else None
    if result is None or not result.fed:
        print("tianshu: the intake never reached the drill's feed on 127.0.0.1", file=sys.stderr)
        return 1
    return 0
