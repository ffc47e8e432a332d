"""Expected actions judged against what was done; contingency injects fire exactly when one is missing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dispatch.casework.model import Action
from dispatch.drill import parse_scenario
from dispatch.drill.expectations import Observed, Outcome, judge_all
from dispatch.drill.master_list import How, MasterList
from tests.dispatch.drill.samples import SMALL

# I3 fires at 5 min; E1 (register within 5 min) is due at 10 min; C1 waits one more minute.
_C1_DUE = 11 * 60.0


@given(st.one_of(st.none(), st.integers(0, 40 * 60)), st.integers(1, 90))
def test_the_contingency_fires_exactly_when_its_action_is_missing(done_at: int | None, tick: int) -> None:
    master = MasterList(parse_scenario(SMALL, "s.yaml"))
    observed: list[Observed] = []
    fired: list[tuple[float, float]] = []  # (when the master list was asked, when C1 was due)
    now = 0.0
    while now <= 40 * 60:
        if done_at is not None and done_at <= now and not observed:
            observed.append(Observed("I3", Action.REGISTER, float(done_at)))
        for firing in master.due(now, observed):
            if firing.inject.id == "C1":
                assert firing.how is How.CONTINGENCY
                fired.append((now, firing.due_s))
        now += tick
    missing = done_at is None or done_at < 5 * 60 or done_at > _C1_DUE
    if missing:
        assert len(fired) == 1
        asked, due = fired[0]
        assert due == _C1_DUE
        assert _C1_DUE <= asked < _C1_DUE + tick
    else:
        assert fired == []


def test_verdicts_say_met_late_missed_pending_and_not_triggered() -> None:
    scenario = parse_scenario(SMALL, "s.yaml")
    fired = {"I3": 300.0}
    dispatched = Observed("I3", Action.DISPATCH, 1000.0, unit="U-CITY-PS", unit_kind="water")
    register = Observed("I3", Action.REGISTER, 420.0)
    e1, e2 = judge_all(scenario, fired, [register, dispatched], 1200.0)
    assert (e1.outcome, e1.done_at_s, e1.delay_s) == (Outcome.MET, 420.0, 120.0)
    assert (e2.outcome, e2.deadline_s) == (Outcome.LATE, 900.0)
    wrong_unit = Observed("I3", Action.DISPATCH, 400.0, unit="U-339901-CG", unit_kind="urban_management")
    outcomes = [v.outcome for v in judge_all(scenario, fired, [wrong_unit], 800.0)]
    assert outcomes == [Outcome.MISSED, Outcome.PENDING]
    assert {v.outcome for v in judge_all(scenario, {}, [register], 1200.0)} == {Outcome.NOT_TRIGGERED}
