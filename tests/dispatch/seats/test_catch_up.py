"""A seat closed and reopened on its store resumes from its last applied sequence and catches up."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from dispatch.casework.model import Action, CaseState
from dispatch.seats.verify import differences
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import WAIT, act, case_on, event, open_seat, scalar

pytestmark = pytest.mark.slow


def test_a_restarted_seat_catches_up_from_where_it_stopped(hub: str, tmp_path: Path) -> None:
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    try:
        (first,) = a.publish_event(event("e1")).result(WAIT).opened
        act(a, first, Action.REGISTER, LEAD)
        b.caught_up().result(WAIT)
        stopped_at = b.applied
        b.close()

        # While b is away the centre goes on: a dispatch, and a new case.
        act(a, first, Action.DISPATCH, DISPATCHER, unit="U-CITY")
        (second,) = a.publish_event(event("e2", title="解放大道积水")).result(WAIT).opened
        a.caught_up().result(WAIT)

        b = open_seat(hub, tmp_path, "b")
        assert b.caught_up().result(WAIT) == a.applied > stopped_at
        assert case_on(b, first).state is CaseState.DISPATCHED
        assert case_on(b, second).title == "解放大道积水"
        # Nothing before its cursor came again: each report is stored once, never counted as a repeat.
        assert scalar(b, "SELECT group_concat(event_id || ':' || duplicates) FROM events") == "e1:0,e2:0"

        # And it works on: its command reaches a.
        act(b, second, Action.REGISTER, LEAD)
        a.caught_up().result(WAIT)
        assert case_on(a, second).state is CaseState.REGISTERED
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []
    assert main(["seats", "verify", "--db", str(a.db_path), "--db", str(b.db_path)]) == 0


def test_the_same_report_published_by_two_seats_is_one_entry(hub: str, tmp_path: Path) -> None:
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    try:
        # Both seats ingest the same report (or one retries after a lost acknowledgement).
        first = a.publish_event(event("e1")).result(WAIT)
        again = b.publish_event(event("e1")).result(WAIT)
        assert len(first.opened) == 1
        assert not first.duplicate
        assert (again.duplicate, again.seq, again.opened) == (True, first.seq, ())
        for seat in (a, b):
            seat.caught_up().result(WAIT)
            assert (scalar(seat, "SELECT count(*) FROM cases"), seat.applied) == (1, 1)
    finally:
        a.close()
        b.close()
