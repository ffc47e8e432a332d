"""A bundled scenario played headless at 10x on a hand-driven wall, into a drill store at a given path."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from core.clock import ManualClock
from dispatch.atlas import load_atlas
from dispatch.drill import Scenario, load_scenario
from dispatch.drill.scenario_atlas import atlas_directory
from sim.drill.operators import Pace
from sim.drill.runner import DrillOptions, DrillResult, play

BUNDLED = Path(str(resources.files("resources") / "scenarios"))
# Officers slow to dispatch: targets are missed and contingency injects fire.
SLOW = Pace(dispatch_s=15 * 60)


def play_bundled(name: str, db: Path, *, step_s: float = 2.0, pace: Pace | None = None) -> DrillResult:
    return play_scenario(load_scenario(BUNDLED / f"{name}.yaml"), db, step_s=step_s, pace=pace)


def play_scenario(
    scenario: Scenario, db: Path, *, step_s: float = 2.0, pace: Pace | None = None
) -> DrillResult:
    """Each beat is `step_s` wall seconds, `10 * step_s` of the drill; the feed settles before each beat."""
    wall = ManualClock()
    options = DrillOptions(
        speed=10, wall=wall, beat_s=0.005, on_beat=lambda: wall.advance(step_s), announce=lambda _: None,
        pace=pace, settle=True,
    )  # fmt: skip
    return asyncio.run(play(scenario, load_atlas(atlas_directory(scenario)), db, options))
