"""Each bundled scenario plays to its end headless at 10x through a real server, intake and drill store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dispatch.drill import load_scenario
from dispatch.drill.expectations import Outcome
from tests.sim.drill.played import BUNDLED, SLOW, play_bundled, play_scenario

NAMES = ["typhoon_waterlogging", "hazchem_tanker_leak", "forest_fire_villages", "crowd_surge_event"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenario_runs_to_its_end_with_everything_flagged_exercise(
    name: str, tmp_path: Path
) -> None:
    scenario = load_scenario(BUNDLED / f"{name}.yaml")
    db = tmp_path / "drill.sqlite3"
    result = play_scenario(scenario, db)
    assert {inject.id for inject in scenario.scheduled} <= set(result.fired)
    assert len(result.verdicts) == len(scenario.expected)
    assert result.orders >= 3
    assert result.reports >= result.orders
    conn = sqlite3.connect(db)
    try:
        for table in ("events", "cases", "audit", "outbox"):
            flags = {row[0] for row in conn.execute(f"SELECT DISTINCT exercise FROM {table}")}
            assert flags == {1}, table
        assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
        # Every order reached the simulated units and was acknowledged by the drill's server.
        assert conn.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM drill_runs WHERE ended_at IS NOT NULL").fetchone()[0] == 1
        stored = dict(conn.execute("SELECT expected, outcome FROM drill_verdicts").fetchall())
        assert stored == {v.expected.id: v.outcome.value for v in result.verdicts}
        # The metric curves arrived as readings, labelled exercise.
        labels = [row[0] for row in conn.execute("SELECT labels FROM metrics")]
        assert labels
        assert all('"exercise":"true"' in label.replace(" ", "") for label in labels)
    finally:
        conn.close()


def test_a_contingency_fires_at_its_time_when_the_action_is_missing_and_not_otherwise(tmp_path: Path) -> None:
    slow = play_bundled("crowd_surge_event", tmp_path / "slow.sqlite3", step_s=3.0, pace=SLOW)
    # E02 (dispatch the traffic police within 6 min of I02 at 8 min) is missed: C01 falls due at 14 min.
    assert "C01" in slow.contingencies
    assert slow.fired["C01"] == 14 * 60
    verdicts = {v.expected.id: v.outcome for v in slow.verdicts}
    assert verdicts["E02"] in (Outcome.LATE, Outcome.MISSED)
    conn = sqlite3.connect(tmp_path / "slow.sqlite3")
    logged = conn.execute(
        "SELECT scenario_s, how FROM drill_log WHERE inject = 'C01' AND kind = 'camera'"
    ).fetchall()
    conn.close()
    assert logged == [(840.0, "contingency")]
    prompt = play_bundled("crowd_surge_event", tmp_path / "prompt.sqlite3", step_s=3.0)
    assert "C01" not in prompt.fired
    assert {v.expected.id: v.outcome for v in prompt.verdicts}["E02"] is Outcome.MET
