"""docs/closed-loop.md's table of actions says exactly what the state machine enforces."""

from __future__ import annotations

from pathlib import Path

from dispatch.casework.machine import RULES
from dispatch.casework.model import OPEN_STATES, Action, CaseState

DOC = Path(__file__).resolve().parents[3] / "docs" / "closed-loop.md"


def _states(cell: str) -> frozenset[CaseState]:
    if cell == "any":
        return frozenset(CaseState)
    if cell == "any open":
        return OPEN_STATES
    if cell == "(new case)":
        return frozenset()
    return frozenset(CaseState(s.strip()) for s in cell.split(","))


def test_the_documented_table_matches_the_rules() -> None:
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    documented = {}
    for row in rows:
        action, sources, target, roles, reason = (c.strip() for c in row.strip("|").split("|"))
        documented[Action(action.strip("`"))] = (sources, target, roles, reason)
    assert set(documented) == set(RULES)
    for action, rule in RULES.items():
        sources, target, roles, reason = documented[action]
        assert _states(sources) == rule.sources, action
        assert target == (rule.target.value if rule.target else "(stays)"), action
        assert {r.strip() for r in roles.split(",")} == {r.value for r in rule.roles}, action
        assert (reason == "yes") == rule.reason_required, action
