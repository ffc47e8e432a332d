"""Two seats on one real JetStream hub: the same log gives the same stores, and a conflict is refused
alike on both and reported to its sender."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from cli.main import main
from core.clock import ManualClock
from dispatch.casework.model import Action, CaseState, Command, Refusal, Refused
from dispatch.casework.records import audit
from dispatch.changes import CasesChanged, Origin
from dispatch.seats.verify import differences
from dispatch.service import ClosedLoop
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat, timeline

pytestmark = pytest.mark.slow


def test_two_seats_hold_the_same_cases_and_audit_chain(hub: str, tmp_path: Path) -> None:
    # The second machine's clock runs five minutes ahead: every seat must still date a command alike.
    a = open_seat(hub, tmp_path, "a", clock=ManualClock(START))
    b = open_seat(hub, tmp_path, "b", clock=ManualClock(START + 300))
    heard: list[CasesChanged] = []
    b.subscribe(heard.append)
    try:
        loop: ClosedLoop = a  # the app's seam: panels cannot tell a seat from the local loop
        opened = a.publish_event(event("e1")).result(WAIT)
        (case_id,) = opened.opened
        b.caught_up().result(WAIT)
        assert case_on(b, case_id).state is CaseState.DISCOVERED

        act(b, case_id, Action.REGISTER, LEAD)
        a.caught_up().result(WAIT)
        dispatched = act(a, case_id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
        b.caught_up().result(WAIT)

        assert dispatched.state is CaseState.DISPATCHED
        assert case_on(b, case_id) == dispatched
        rows = loop.query(lambda ctx: audit.timeline(ctx.desk.conn, [case_id])).result(WAIT)
        # Each row is dated by its sender's clock, the same on both replicas.
        assert [(row.action, row.at) for row in rows] == [
            (Action.DISCOVER, START),
            (Action.REGISTER, START + 300),
            (Action.DISPATCH, START + 300),
        ]
        # b heard a's changes as coming from elsewhere, its own as this console's.
        assert {origin for change in heard for origin in change.origins} == {Origin.CONSOLE, Origin.ELSEWHERE}
    finally:
        a.close()
        b.close()

    assert differences(a.db_path, b.db_path) == []
    assert main(["seats", "verify", "--db", str(a.db_path), "--db", str(b.db_path)]) == 0


def test_two_seats_dispatching_one_case_get_one_dispatch_and_one_refusal(hub: str, tmp_path: Path) -> None:
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    try:
        (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
        act(a, case_id, Action.REGISTER, LEAD)
        b.caught_up().result(WAIT)
        seen = case_on(b, case_id).version
        assert case_on(a, case_id).version == seen

        # Both officers saw the same version and dispatch at once, to different units.
        sent = [
            a.act(Command(case_id, seen, Action.DISPATCH, DISPATCHER, payload={"unit": "U-CITY"})),
            b.act(Command(case_id, seen, Action.DISPATCH, DISPATCHER, payload={"unit": "U-SAN"})),
        ]
        concurrent.futures.wait(sent, WAIT)
        applied = [f for f in sent if f.exception() is None]
        refused = [f.exception() for f in sent if f.exception() is not None]
        assert len(applied) == 1
        assert len(refused) == 1
        refusal = refused[0]
        assert isinstance(refusal, Refused)
        assert refusal.code is Refusal.STALE
        winner = applied[0].result().case
        # The refused officer sees the case as it now is, dispatched by the other.
        assert refusal.current is not None
        assert refusal.current.unit == winner.unit
        a.caught_up().result(WAIT)
        b.caught_up().result(WAIT)
        for seat in (a, b):
            assert case_on(seat, case_id) == winner
            assert [row.action for row in timeline(seat, case_id)].count(Action.DISPATCH) == 1
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def test_verify_names_what_differs(hub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = open_seat(hub, tmp_path, "a")
    try:
        (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
        b = open_seat(hub, tmp_path, "b")
        b.caught_up().result(WAIT)
        b.close()  # b stops here
        act(a, case_id, Action.REGISTER, LEAD)
    finally:
        a.close()
    assert main(["seats", "verify", "--db", str(a.db_path), "--db", str(b.db_path)]) == 1
    out = capsys.readouterr().out
    assert "audit head" in out
    assert f"case {case_id}: state 'discovered' / 'registered'" not in out
    assert f"case {case_id}: state 'registered' / 'discovered'" in out
