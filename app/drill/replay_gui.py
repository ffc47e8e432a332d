"""`python main.py replay … ` without --headless: the replay window until it closes."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings

from app.drill.replay_window import open_replay_cockpit
from app.drill.window_run import play_in_window
from app.shell.application import no_display_reason
from app.shell.gui import build_window, dispose, prepare_application
from dispatch.drill.replay_period import Period
from sim.drill.director import HELP, DirectorCommand
from sim.drill.replay import ReplayOptions, ReplayResult

log = logging.getLogger(__name__)


def run_replay_gui(
    period: Period, db_path: Path, speed: float, zone: tzinfo | None,
    director_console: Callable[[asyncio.AbstractEventLoop, asyncio.Queue[DirectorCommand]], None],
) -> int:  # fmt: skip
    """Open the replay window; exit 0 once it is closed, 1 when the replay's feed was never read.
    `director_console` reads the terminal's commands (the command line's reader, as for a drill)."""
    reason = no_display_reason()
    if reason is not None:
        print(f"tianshu: {reason}", file=sys.stderr)
        return 1
    app = prepare_application()
    app.setQuitOnLastWindowClosed(False)
    # Kept beside the drill stores, as the drill window's layout is, not in the cockpit's own settings.
    settings = QSettings(str(db_path.parent / "drill-window.ini"), QSettings.Format.IniFormat)
    window = build_window(app, settings)
    outcome: list[ReplayResult | None] = []

    async def main() -> None:
        commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
        if sys.stdin.isatty():
            # The terminal directs the replay as it does a drill: pause, resume, status, stop.
            print(f"director: {HELP} (a replay has no injects: pause, resume, status, stop)", flush=True)
            threading.Thread(
                target=director_console, args=(asyncio.get_running_loop(), commands), name="director",
                daemon=True,
            ).start()  # fmt: skip
        options = ReplayOptions(
            speed=speed, zone=zone, announce=lambda line: print(line, flush=True), director=commands
        )
        replay = await open_replay_cockpit(app, window, period, db_path, options)
        outcome.append(await play_in_window(window, replay))

    try:
        qasync.run(main())
    except Exception as error:
        log.error("the replay window stopped on an error: %s", error, exc_info=error)
        return 1
    finally:
        dispose(window)
    print(f"drill store: {db_path}", flush=True)
    result = outcome[0] if outcome else None
    if result is None or not result.fed:
        print("tianshu: the intake never reached the replay's feed on 127.0.0.1", file=sys.stderr)
        return 1
    return 0
