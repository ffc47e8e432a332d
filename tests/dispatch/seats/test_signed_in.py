"""A seat behind a console publishes commands only for whom is signed in there, as a console on one store
acts only for them (the check reads this seat's own sign-ins, so it is made before the log, not at apply)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.casework.model import Action, CaseState, Command, Refusal, Refused
from dispatch.casework.records.attendance import Attendance
from dispatch.service import LoopContext
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import WAIT, case_on, event, open_seat, scalar

pytestmark = pytest.mark.slow


def test_a_seat_behind_a_console_acts_only_for_whom_is_signed_in(hub: str, tmp_path: Path) -> None:
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")

    def console(ctx: LoopContext) -> None:
        """What the app does at a console: its accounts (this seat's own records), the desk acting only
        for whom signs in, and the shift lead signed in."""
        ctx.desk.conn.execute(
            "INSERT INTO operators (login, name, role, password_hash, active, created_at) "
            "VALUES (?, ?, ?, 'x', 1, 0)",
            (LEAD.login, LEAD.name, LEAD.role.value),
        )
        ctx.desk.attendance = Attendance()
        ctx.desk.attendance.sign_in(LEAD)

    try:
        (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
        a.write(console).result(WAIT)
        entries = a.caught_up().result(WAIT)
        with pytest.raises(Refused) as refused:
            a.act(Command(case_id, 1, Action.REGISTER, DISPATCHER)).result(WAIT)
        assert refused.value.code is Refusal.SIGNED_OUT
        assert refused.value.current is not None  # the case as it is, for the desk to show
        assert a.caught_up().result(WAIT) == entries, "nothing went to the log"
        assert (
            a.act(Command(case_id, 1, Action.REGISTER, LEAD)).result(WAIT).case.state is CaseState.REGISTERED
        )
        # Another seat (no one signed in there: a test, a follower) is not asked about a's console.
        b.caught_up().result(WAIT)
        assert case_on(b, case_id).state is CaseState.REGISTERED
        assert scalar(b, "SELECT count(*) FROM audit WHERE action = 'register'") == 1
    finally:
        a.close()
        b.close()
