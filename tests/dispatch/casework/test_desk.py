"""The case desk through the whole closed loop: discovery to archive, returns, parking, extensions, rework."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest

from core.clock import ManualClock
from dispatch.casework.calendar import WorkingCalendar
from dispatch.casework.model import Action, Actor, CaseState, Command, Refusal, Refused, Role
from dispatch.casework.policy import Stage, Urgency
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records import audit, orders
from tests.dispatch.casework.policies import (
    CALENDAR,
    DISPATCHER,
    HOUR,
    INTAKE,
    LEAD,
    MONDAY_9,
    SUPERVISOR,
    Loop,
    act,
    new_case,
    open_loop,
)

S = CaseState
UNIT = Actor("U-CITY", Role.UNIT, "市政养护")
MINUTE = 60.0


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def at(day: int, hour: float) -> float:
    """January 2026 (UTC) on the test calendar: day 5 is a Monday."""
    return MONDAY_9 + (day - 5) * 24 * HOUR + (hour - 9) * HOUR


def move_to(loop: Loop, t: float) -> None:
    loop.clock.advance(t - loop.clock.now())


def order_body(loop: Loop, order_id: str) -> dict[str, object]:
    row = loop.conn.execute("SELECT body FROM outbox WHERE order_id = ?", (order_id,)).fetchone()
    body: dict[str, object] = msgspec.json.decode(row[0])
    return body


def test_a_case_goes_round_the_whole_loop(loop: Loop) -> None:
    case = new_case(loop, title="人民路井盖缺失")
    assert (case.state, case.version, case.register_due) == (S.DISCOVERED, 1, at(5, 9.5))
    act(loop, case.id, Action.REQUEST_VERIFY, INTAKE)
    assert act(loop, case.id, Action.CONFIRM, SUPERVISOR).verified
    act(loop, case.id, Action.REGISTER, LEAD)

    move_to(loop, at(5, 9 + 10 / 60))
    case = act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY", instructions="先设警示")
    # The handling clock starts at dispatch: 4 working hours, the sign clock 1 working hour.
    assert (case.state, case.unit, case.sign_due, case.handle_due) == (
        S.DISPATCHED, "U-CITY", at(5, 10 + 10 / 60), at(5, 13 + 10 / 60),
    )  # fmt: skip
    first = f"{case.code}-1"
    assert [o.order_id for o in orders.pending_orders(loop.conn)] == [first]
    assert order_body(loop, first) == {
        "order_id": first, "case_id": case.code, "unit": "U-CITY", "category": "manhole_cover",
        "title": "人民路井盖缺失", "location": {"lon": 114.3, "lat": 30.6, "address": "江汉区人民路18号"},
        "deadline": "2026-01-05T13:10:00.000Z", "instructions": "先设警示", "exercise": False,
    }  # fmt: skip

    move_to(loop, at(5, 9.5))
    act(loop, case.id, Action.SIGN, UNIT)
    assert act(loop, case.id, Action.PROGRESS, UNIT, note="已到场").state is S.IN_PROGRESS
    case = act(loop, case.id, Action.REQUEST_EXTENSION, UNIT, "等待配件", amount=2)
    assert (case.extension_pending, case.handle_due) == (2.0, at(5, 13 + 10 / 60))
    case = act(loop, case.id, Action.APPROVE_EXTENSION, LEAD)
    assert (case.extension_pending, case.handle_due) == (0.0, at(5, 15 + 10 / 60))
    extension = audit.last_change(loop.conn, case.id)
    assert extension is not None
    assert extension.payload == {"amount": 2, "unit": "working_hours", "old_due": at(5, 13 + 10 / 60),
                                 "new_due": at(5, 15 + 10 / 60), "card": 0}  # fmt: skip

    # Parked Monday 11:00, resumed Thursday 10:00 across the Wednesday holiday: 6 + 8 + 0 + 1 working
    # hours were lost, so the 4 h 10 min that were left run from Thursday 10:00.
    move_to(loop, at(5, 11))
    case = act(loop, case.id, Action.PARK, LEAD, "等待燃气公司停气")
    assert (case.parked_since, case.handle_remaining_s, case.handle_due) == (
        at(5, 11), 4 * HOUR + 10 * MINUTE, at(5, 15 + 10 / 60),
    )  # fmt: skip
    move_to(loop, at(8, 10))
    assert loop.desk.sweep_cards() == []
    case = act(loop, case.id, Action.UNPARK, LEAD)
    assert (case.parked_since, case.handle_due) == (None, at(8, 14 + 10 / 60))
    calendar = WorkingCalendar(CALENDAR)
    assert case.handle_due is not None
    assert calendar.working_seconds(at(5, 15 + 10 / 60), case.handle_due) == 15 * HOUR
    unpark = audit.last_change(loop.conn, case.id)
    assert unpark is not None
    assert (unpark.action, unpark.actor, unpark.payload) == (
        Action.UNPARK, "li",
        {"parked_s": at(8, 10) - at(5, 11), "old_due": at(5, 15 + 10 / 60), "new_due": at(8, 14 + 10 / 60),
         "card": 0},
    )  # fmt: skip

    move_to(loop, at(8, 11))
    case = act(loop, case.id, Action.HANDLE, UNIT, note="已更换井盖", photos=["after.jpg"])
    assert (case.state, case.check_due) == (S.HANDLED, at(8, 12))
    handled = audit.last_change(loop.conn, case.id)
    assert handled is not None
    assert handled.payload["on_time"] is True
    act(loop, case.id, Action.START_CHECK, SUPERVISOR)
    case = act(loop, case.id, Action.FAIL_CHECK, SUPERVISOR, "井盖未固定")
    assert (case.state, case.rework_count) == (S.REWORK, 1)
    assert order_body(loop, f"{case.code}-2")["instructions"] == "井盖未固定"
    assert len(orders.pending_orders(loop.conn)) == 2

    act(loop, case.id, Action.PROGRESS, UNIT)
    act(loop, case.id, Action.HANDLE, UNIT)
    act(loop, case.id, Action.START_CHECK, SUPERVISOR)
    case = act(loop, case.id, Action.CLOSE, LEAD)
    assert case.state is S.CLOSED
    assert loop.conn.execute("SELECT is_open FROM cases WHERE id = ?", (case.id,)).fetchone() == (0,)

    act(loop, case.id, Action.EVALUATE, INTAKE, satisfied=False)
    case = act(loop, case.id, Action.REOPEN, LEAD, "市民回访不满意")
    assert (case.state, case.reopen_count, case.unit, case.handle_due) == (S.REGISTERED, 1, "", None)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    act(loop, case.id, Action.SIGN, UNIT)
    act(loop, case.id, Action.HANDLE, UNIT)
    act(loop, case.id, Action.START_CHECK, SUPERVISOR)
    act(loop, case.id, Action.CLOSE, LEAD)
    act(loop, case.id, Action.EVALUATE, INTAKE, satisfied=True)
    case = act(loop, case.id, Action.ARCHIVE, LEAD)
    assert case.state is S.ARCHIVED

    rows = audit.timeline(loop.conn, [case.id])
    assert [r.action.value for r in rows] == [
        "discover", "request_verify", "confirm", "register", "dispatch", "sign", "progress",
        "request_extension", "approve_extension", "park", "unpark", "handle", "start_check", "fail_check",
        "progress", "handle", "start_check", "close", "evaluate", "reopen", "dispatch", "sign", "handle",
        "start_check", "close", "evaluate", "archive",
    ]  # fmt: skip
    # Every row starts where the previous one ended, and the case's version counts its rows.
    assert all(a.to_state is b.from_state for a, b in itertools.pairwise(rows))
    assert case.version == len(rows)
    assert audit.verify(loop.conn).ok


def dispatched(loop: Loop) -> int:
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    return case.id


def test_an_approved_return_goes_back_to_registration_and_counts(loop: Loop) -> None:
    case_id = dispatched(loop)
    case = act(loop, case_id, Action.REQUEST_RETURN, UNIT, "不属于本单位职责")
    assert (case.state, case.resume_state) == (S.RETURN_REQUESTED, S.DISPATCHED)
    case = act(loop, case_id, Action.APPROVE_RETURN, LEAD)
    assert (case.state, case.return_count, case.unit, case.handle_due, case.resume_state) == (
        S.REGISTERED, 1, "", None, None,
    )  # fmt: skip
    row = audit.last_change(loop.conn, case_id)
    assert row is not None
    assert row.payload == {"from_unit": "U-CITY"}
    case = act(loop, case_id, Action.DISPATCH, DISPATCHER, unit="U-WATER")
    assert (case.state, case.unit) == (S.DISPATCHED, "U-WATER")
    assert loop.conn.execute("SELECT count(*) FROM outbox WHERE case_id = ?", (case_id,)).fetchone() == (2,)


def test_a_rejected_return_goes_back_where_it_was_with_its_clock(loop: Loop) -> None:
    case_id = dispatched(loop)
    signed = act(loop, case_id, Action.SIGN, UNIT)
    act(loop, case_id, Action.REQUEST_RETURN, UNIT, "人手不足")
    case = act(loop, case_id, Action.REJECT_RETURN, LEAD, "属于本单位职责")
    assert (case.state, case.return_count, case.unit, case.resume_state) == (S.SIGNED, 0, "U-CITY", None)
    assert case.handle_due == signed.handle_due


def test_an_extension_approved_while_parked_survives_the_unpark(loop: Loop) -> None:
    case_id = dispatched(loop)
    act(loop, case_id, Action.SIGN, UNIT)
    act(loop, case_id, Action.PARK, LEAD, "等待审批")
    act(loop, case_id, Action.REQUEST_EXTENSION, UNIT, "需要更多时间", amount=2)
    act(loop, case_id, Action.APPROVE_EXTENSION, LEAD)
    case = act(loop, case_id, Action.UNPARK, LEAD)
    # Nothing passed while parked: the deadline is just the extension later than at dispatch.
    assert case.handle_due == at(5, 15)


def test_a_case_fixed_on_the_spot_has_no_clock_to_park_or_extend(loop: Loop) -> None:
    case = new_case(loop)
    act(loop, case.id, Action.SELF_HANDLE, SUPERVISOR, "现场盖好")
    act(loop, case.id, Action.FAIL_CHECK, SUPERVISOR, "盖板破损")
    for action, actor, payload in (
        (Action.PARK, LEAD, {}),
        (Action.REQUEST_EXTENSION, DISPATCHER, {"amount": 1}),
    ):
        current = loop.desk.get(case.id)
        with pytest.raises(Refused) as caught:
            loop.desk.act(Command(case.id, current.version, action, actor, "理由", payload))
        assert caught.value.code is Refusal.ILLEGAL
        assert "no handling clock" in caught.value.detail
    assert act(loop, case.id, Action.HANDLE, DISPATCHER).state is S.HANDLED


def test_handling_while_parked_and_a_second_extension_request_are_refused(loop: Loop) -> None:
    case_id = dispatched(loop)
    act(loop, case_id, Action.SIGN, UNIT)
    act(loop, case_id, Action.REQUEST_EXTENSION, UNIT, "等待配件", amount=1)
    act(loop, case_id, Action.PARK, LEAD, "等待审批")
    for action, reason, payload, code in (
        (Action.REQUEST_EXTENSION, "再延", {"amount": 1}, Refusal.ILLEGAL),
        (Action.HANDLE, "", {}, Refusal.ILLEGAL),
        (Action.PARK, "again", {}, Refusal.ILLEGAL),
        (Action.REQUEST_EXTENSION, "r", {"amount": 0}, Refusal.BAD_PAYLOAD),
    ):
        version = loop.desk.get(case_id).version
        with pytest.raises(Refused) as caught:
            loop.desk.act(Command(case_id, version, action, UNIT if action != Action.PARK else LEAD, reason,
                                  payload))  # fmt: skip
        assert caught.value.code is code
    act(loop, case_id, Action.REJECT_EXTENSION, LEAD, "不予延期")
    with pytest.raises(Refused) as caught:
        act(loop, case_id, Action.APPROVE_EXTENSION, LEAD)
    assert caught.value.code is Refusal.NOTHING_PENDING


def test_an_unknown_case_and_a_missing_unit_are_refused(loop: Loop) -> None:
    with pytest.raises(Refused) as caught:
        loop.desk.act(Command(99, 1, Action.REGISTER, LEAD))
    assert caught.value.code is Refusal.UNKNOWN_CASE
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    with pytest.raises(Refused) as caught:
        act(loop, case.id, Action.DISPATCH, DISPATCHER)
    assert caught.value.code is Refusal.BAD_PAYLOAD
    assert not loop.conn.in_transaction


def test_act_in_transaction_outside_a_transaction_commits_atomically(loop: Loop) -> None:
    case = new_case(loop)
    loop.desk.act_in_transaction(Command(case.id, 1, Action.REGISTER, LEAD))
    assert not loop.conn.in_transaction
    other = open_loop(loop.path, loop.clock)
    assert other.desk.get(case.id).state is S.REGISTERED
    other.close()


def test_a_refused_command_inside_a_callers_transaction_leaves_the_rest_to_commit(loop: Loop) -> None:
    first, second = new_case(loop, "a"), new_case(loop, "b")
    with loop.desk.transaction():
        loop.desk.act_in_transaction(Command(first.id, 1, Action.REGISTER, LEAD))
        with pytest.raises(Refused):
            loop.desk.act_in_transaction(Command(second.id, 1, Action.CLOSE, LEAD))
    assert loop.desk.get(first.id).state is S.REGISTERED
    assert loop.desk.get(second.id).version == 1
    assert audit.verify(loop.conn).ok


SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


def test_the_shipped_policy_runs_the_loop_on_the_2026_calendar(tmp_path: Path) -> None:
    policy = load_policy(default_policy_path())
    # Friday before 清明 (4–6 April 2026), an hour and a half before the end of the working day.
    loop = open_loop(tmp_path / "store.sqlite3", ManualClock(shanghai(2026, 4, 3, 16)), policy=policy)
    case = new_case(loop, grid="339901001001", category="manhole_cover", severity=3)
    assert case.register_due == shanghai(2026, 4, 3, 16, 30)
    act(loop, case.id, Action.REGISTER, LEAD)
    case = act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY-SW")
    # One working day (7.5 h): 1.5 h on Friday, the holiday weekend, then 6 h from Tuesday 08:30.
    assert case.handle_due == shanghai(2026, 4, 7, 16)
    assert policy.budget(Stage.HANDLE, "manhole_cover", Urgency.NORMAL, policy.area("339901")).amount == 1

    loop.clock.advance(shanghai(2026, 4, 7, 9) - loop.clock.now())
    act(loop, case.id, Action.PARK, LEAD, "等待道路占用许可")
    loop.clock.advance(shanghai(2026, 4, 8, 9) - loop.clock.now())
    case = act(loop, case.id, Action.UNPARK, LEAD)
    calendar = WorkingCalendar(policy.calendar)
    lost = calendar.working_seconds(shanghai(2026, 4, 7, 9), shanghai(2026, 4, 8, 9))
    assert lost == 7.5 * HOUR
    assert case.handle_due is not None
    assert calendar.working_seconds(shanghai(2026, 4, 7, 16), case.handle_due) == lost

    # Illegal parking is auto-dispatched to the district's city-management unit; hotline calls are checked.
    parking = new_case(loop, "p1", category="illegal_parking", grid="339902001001", lon=114.4)
    assert loop.desk.get(parking.id).state is S.DISPATCHED
    assert loop.desk.get(parking.id).unit == "U-339902-CG"
    call = new_case(loop, "h1", source="hotline", category="noise", lon=114.5)
    assert loop.desk.get(call.id).state is S.VERIFYING
    assert audit.verify(loop.conn).ok
    loop.close()
