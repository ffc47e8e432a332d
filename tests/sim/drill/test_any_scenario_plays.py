"""Whatever a valid scenario holds, the runner plays it to its end: hypothesis writes the scenarios."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dispatch.drill import ScenarioError, parse_scenario
from tests.sim.drill.played import play_scenario

_PLACE = "解放路下穿延安路隧道"
_CAMERA = '"33990100001320000008"'
_BODIES = {
    "event": "event: {{source: iot, category: waterlogging, title: 积水{n}, severity: {sev}, where: "
    + _PLACE + "}}",
    "camera": "camera: {{camera: " + _CAMERA + ", title: 画面{n}, category: crowding, severity: {sev}}}",
    "call": "call: {{caller: 来电人{n}, says: 报告{n}, category: fire_alarm, severity: {sev}, "
    "log_within: 30s}}",
    "cap": "cap: {{event: 暴雨, headline: 预警{n}, severity: Severe, area: 钟楼区, where: " + _PLACE + "}}",
    "metric": "metric: {{name: gauge_{n}, every: 1m, points: [[0s, 1.0], [3m, {sev}.5]]}}",
}  # fmt: skip
_CASE_KINDS = ("event", "camera", "call", "cap")
_ACTIONS = ("register", "dispatch", "acknowledge", "close")


@st.composite
def scenarios(draw: st.DrawFn) -> str:
    kinds = draw(st.lists(st.sampled_from(sorted(_BODIES)), min_size=1, max_size=5))
    lines = [
        "drill: 随机演练", "form: tabletop", "scope: single", "atlas: demo", 'area: "339901"',
        "duration: 10m", "objectives:", "  - {id: O1, text: 目标}", "injects:",
    ]  # fmt: skip
    cases: list[str] = []
    for n, kind in enumerate(kinds):
        at = draw(st.integers(0, 6))
        body = _BODIES[kind].format(n=n, sev=draw(st.integers(1, 4)))
        lines += [f"  - id: I{n}", f"    at: {at}m", f"    {body}"]
        if kind in _CASE_KINDS:
            cases.append(f"I{n}")
            if draw(st.booleans()):
                action = draw(st.sampled_from(("sign", "handled", "return_request", "progress")))
                delay = draw(st.integers(0, 3))
                report = f"unit_report: {{to: I{n}, action: {action}, after_order: {delay}m}}"
                lines += [f"  - id: R{n}", f"    at: {at}m", f"    {report}"]
    expected = []
    for n, case in enumerate(draw(st.lists(st.sampled_from(cases), max_size=3)) if cases else []):
        action = draw(st.sampled_from(_ACTIONS))
        within = draw(st.integers(1, 3))
        expected.append(
            f"  - {{id: E{n}, inject: {case}, action: {action}, within: {within}m, objective: O1}}"
        )
        if draw(st.booleans()):
            lines += [
                f"  - id: C{n}",
                f"    if_missing: E{n}",
                "    " + _BODIES["call"].format(n=90 + n, sev=2),
            ]
    if expected:
        lines += ["expected:", *expected]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_any_valid_scenario_plays_to_its_end(text: str) -> None:
    try:
        scenario = parse_scenario(text, "random.yaml")
    except ScenarioError:
        assume(False)  # a contingency that would fire after the end, say: the loader's job, tested apart
        return
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "drill.sqlite3"
        result = play_scenario(scenario, db, step_s=6.0)
        assert {inject.id for inject in scenario.scheduled} <= set(result.fired)
        assert len(result.verdicts) == len(scenario.expected)
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM cases WHERE exercise = 0").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM failed_items").fetchone()[0] == 0
        finally:
            conn.close()
