"""Drills (应急演练): scenario files, the exercise clock and the judging of expected actions."""

from __future__ import annotations

from dispatch.drill.exercise_clock import ExerciseClock
from dispatch.drill.scenario import ExpectedAction, Inject, Scenario
from dispatch.drill.scenario_file import load_scenario, parse_scenario
from dispatch.drill.yaml_nodes import ScenarioError

__all__ = [
    "ExerciseClock",
    "ExpectedAction",
    "Inject",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
]
