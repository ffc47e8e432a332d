"""`python main.py replay … ` without --headless: the replay window until it closes."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.drill.replay_window import ReplayCockpit, open_replay_cockpit
from app.drill.window_run import run_exercise_window
from app.shell.main_window import MainWindow
from dispatch.drill.replay_period import Period
from sim.drill.director import HELP, DirectorCommand
from sim.drill.replay import ReplayOptions


def run_replay_gui(
    period: Period, db_path: Path, speed: float, zone: tzinfo | None,
    director_console: Callable[[asyncio.AbstractEventLoop, asyncio.Queue[DirectorCommand]], None],
) -> int:  # fmt: skip
    """Open the replay window; exit 0 once it is closed, 1 when the replay's feed was never read.
    `director_console` reads the terminal's commands (the command line's reader, as for a drill)."""

    async def opened(app: QApplication, window: MainWindow) -> ReplayCockpit:
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
        return await open_replay_cockpit(app, window, period, db_path, options)

    return run_exercise_window("replay", db_path, opened)
