"""The desk behind a console acts only for the operator signed in there, and only while their account is
active in that role; Tianshu itself and the field units act without signing in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from dispatch.casework.model import SYSTEM_ACTOR, Action, Actor, CaseState, Command, Refusal, Refused, Role
from dispatch.casework.records import audit
from dispatch.casework.records.accounts import create_operator, deactivate
from dispatch.casework.records.attendance import Attendance
from dispatch.casework.records.orders import ReportAction, ReportOutcome, UnitReport, apply_report
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import DISPATCHER, LEAD, MONDAY_9, Loop, act, new_case, open_loop

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    for actor in (LEAD, DISPATCHER):
        create_operator(opened.conn, actor.login, actor.name, actor.role, "password-1", now=0, hasher=FAST)
    yield opened
    opened.close()


def console(loop: Loop) -> Attendance:
    """The desk as the cockpit sets it up at start, before anyone signs in."""
    attendance = Attendance()
    loop.desk.attendance = attendance
    return attendance


def refused(
    loop: Loop, case_id: int, action: Action, actor: Actor, reason: str = "", **payload: object
) -> Refused:
    """The refusal of a command that must not happen; the case and its history are left as they were."""
    before = loop.desk.get(case_id)
    rows = len(audit.timeline(loop.conn, [case_id]))
    with pytest.raises(Refused) as caught:
        act(loop, case_id, action, actor, reason, **payload)
    assert loop.desk.get(case_id) == before
    assert len(audit.timeline(loop.conn, [case_id])) == rows
    return caught.value


def test_only_the_operator_signed_in_at_the_console_acts(loop: Loop) -> None:
    case = new_case(loop)
    attendance = console(loop)
    assert refused(loop, case.id, Action.REGISTER, LEAD).code is Refusal.SIGNED_OUT

    attendance.sign_in(LEAD)
    act(loop, case.id, Action.REGISTER, LEAD)
    assert refused(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY").code is Refusal.SIGNED_OUT

    # The dispatcher takes over the console: the lead is no longer signed in there.
    attendance.sign_in(DISPATCHER)
    assert refused(loop, case.id, Action.VOID, LEAD, "重复").code is Refusal.SIGNED_OUT
    assert act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY").state is CaseState.DISPATCHED

    attendance.sign_out()
    assert refused(loop, case.id, Action.ACKNOWLEDGE, DISPATCHER).code is Refusal.SIGNED_OUT
    assert audit.verify(loop.conn).ok


def test_an_operator_disabled_while_signed_in_is_refused_at_the_next_command(loop: Loop) -> None:
    case = new_case(loop)
    console(loop).sign_in(LEAD)
    act(loop, case.id, Action.REGISTER, LEAD)
    # `operators disable` in a terminal: another process, another connection to the same file.
    terminal = open_store(loop.path)
    deactivate(terminal.conn, LEAD.login)
    terminal.close()

    refusal = refused(loop, case.id, Action.VOID, LEAD, "重复上报")
    assert refusal.code is Refusal.SIGNED_OUT
    assert "disabled" in refusal.detail
    assert loop.desk.get(case.id).state is CaseState.REGISTERED
    assert audit.verify(loop.conn).ok


def test_a_role_the_account_does_not_have_is_refused(loop: Loop) -> None:
    case = new_case(loop)
    console(loop).sign_in(DISPATCHER)
    # The same login claiming a stronger role than it signed in with.
    claimed = Actor(DISPATCHER.login, Role.SHIFT_LEAD, DISPATCHER.name)
    assert refused(loop, case.id, Action.REGISTER, claimed).code is Refusal.SIGNED_OUT
    # The account's role changed while the dispatcher was signed in.
    loop.conn.execute("UPDATE operators SET role = 'viewer' WHERE login = ?", (DISPATCHER.login,))
    assert refused(loop, case.id, Action.ACKNOWLEDGE, DISPATCHER).code is Refusal.SIGNED_OUT


def test_tianshu_itself_and_the_field_units_act_with_nobody_signed_in(loop: Loop) -> None:
    console(loop)
    # Discovery registers and dispatches an auto-routed report as the system.
    case = new_case(loop, "overflow-1", source="iot", category="garbage_overflow")
    dispatched = loop.desk.get(case.id)
    assert (dispatched.state, dispatched.unit) == (CaseState.DISPATCHED, "U-SAN")
    (order_id,) = [r[0] for r in loop.conn.execute("SELECT order_id FROM outbox")]
    report = UnitReport(order_id, "U-SAN", ReportAction.SIGN, MONDAY_9 + 60)
    assert apply_report(loop.desk, report, feed="test", seq=1).outcome is ReportOutcome.APPLIED
    assert loop.desk.get(case.id).state is CaseState.SIGNED
    # A supervision card raised by the timers.
    card = Command(case.id, loop.desk.get(case.id).version, Action.CARD, SYSTEM_ACTOR, payload={"card": 1})
    assert loop.desk.act(card).case.card == 1
    assert audit.verify(loop.conn).ok
