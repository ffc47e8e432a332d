"""The four bundled scenarios read, fit the demo atlas, and each tests players with a contingency."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from dispatch.atlas import load_atlas
from dispatch.drill import load_scenario
from dispatch.drill.scenario import CapWarning, EventBody, MetricCurve, PhoneCall, UnitReport
from dispatch.drill.scenario_atlas import atlas_directory, check_against_atlas

BUNDLED = Path(str(resources.files("resources") / "scenarios"))
NAMES = ["typhoon_waterlogging", "hazchem_tanker_leak", "forest_fire_villages", "crowd_surge_event"]


def test_the_four_scenarios_ship() -> None:
    assert sorted(p.stem for p in BUNDLED.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenario_fits_the_demo_city(name: str) -> None:
    scenario = load_scenario(BUNDLED / f"{name}.yaml")
    check_against_atlas(scenario, load_atlas(atlas_directory(scenario)))
    kinds = {type(inject.body) for inject in scenario.injects}
    assert {MetricCurve, UnitReport, PhoneCall} <= kinds
    assert kinds & {EventBody, CapWarning}
    assert scenario.contingencies
    assert {e.objective for e in scenario.expected} == {o.id for o in scenario.objectives}
