"""`python main.py drill SCENARIO.yaml` without --headless: the drill window until it closes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.drill.cockpit import DrillCockpit, open_drill_cockpit
from app.drill.window_run import run_exercise_window
from app.shell.main_window import MainWindow
from dispatch.atlas import Atlas
from dispatch.drill.scenario import Scenario
from sim.drill.director import DirectorCommand
from sim.drill.runner import DrillOptions


def run_drill_gui(scenario: Scenario, atlas: Atlas, db_path: Path, speed: int) -> int:
    """Open the drill window; the team works the drill in it, the director drives it from its dock.
    Exit 0 once the window is closed (the drill ended or stopped), 1 when the feed was never read."""

    async def opened(app: QApplication, window: MainWindow) -> DrillCockpit:
        commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
        options = DrillOptions(
            speed=float(speed), headless=False, director=commands,
            announce=lambda line: print(line, flush=True),
        )  # fmt: skip
        return await open_drill_cockpit(app, window, scenario, atlas, db_path, options)

    return run_exercise_window("drill", db_path, opened)
