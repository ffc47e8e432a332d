"""The order outbox and unit reports: sent until acknowledged; a report applied once or recorded why not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.casework.model import Action, CaseState
from dispatch.casework.records import audit
from dispatch.casework.records.case_file import load_case_file
from dispatch.casework.records.orders import (
    ReportAction,
    ReportOutcome,
    UnitReport,
    apply_report,
    mark_acked,
    mark_sent,
    pending_orders,
)
from tests.dispatch.casework.policies import DISPATCHER, LEAD, SUPERVISOR, Loop, act, new_case, open_loop

S = CaseState
FEED = "ws://127.0.0.1:1/feed"


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def dispatched(loop: Loop, unit: str = "U-CITY", event_id: str = "e1") -> tuple[int, str]:
    case = new_case(loop, event_id)
    act(loop, case.id, Action.REGISTER, LEAD)
    after = act(loop, case.id, Action.DISPATCH, DISPATCHER, unit=unit)
    return case.id, f"{after.code}-1"


def report(
    order_id: str, action: ReportAction, at: float, unit: str = "U-CITY", **more: object
) -> UnitReport:
    return UnitReport(order_id, unit, action, at, **more)  # type: ignore[arg-type]


def audit_rows(loop: Loop) -> int:
    return int(loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0])


def recorded(loop: Loop) -> list[tuple[str, str, str]]:
    return loop.conn.execute("SELECT order_id, action, outcome FROM unit_reports ORDER BY id").fetchall()


def test_an_order_is_pending_until_acknowledged(loop: Loop) -> None:
    _, order_id = dispatched(loop)
    (pending,) = pending_orders(loop.conn)
    assert (pending.order_id, pending.attempts) == (order_id, 0)
    mark_sent(loop.conn, [order_id], loop.clock.now())
    # Sent is not delivered: after a reconnect it goes again, counted.
    mark_sent(loop.conn, [order_id], loop.clock.now() + 5)
    assert [(p.order_id, p.attempts) for p in pending_orders(loop.conn)] == [(order_id, 2)]
    assert mark_acked(loop.conn, order_id, loop.clock.now() + 6)
    assert pending_orders(loop.conn) == []
    assert mark_acked(loop.conn, order_id, loop.clock.now() + 9)
    acked = loop.conn.execute("SELECT acked_at FROM outbox WHERE order_id = ?", (order_id,)).fetchone()
    assert acked == (loop.clock.now() + 6,)
    assert not mark_acked(loop.conn, "no-such-order", loop.clock.now())


def test_pending_orders_come_oldest_first(loop: Loop) -> None:
    _, first = dispatched(loop, event_id="e1")
    loop.clock.advance(60)
    _, second = dispatched(loop, event_id="e2")
    assert [p.order_id for p in pending_orders(loop.conn)] == [first, second]
    assert [p.order_id for p in pending_orders(loop.conn, limit=1)] == [first]


def test_a_report_is_applied_once_however_often_it_arrives(loop: Loop) -> None:
    case_id, order_id = dispatched(loop)
    sign = report(order_id, ReportAction.SIGN, loop.clock.now() + 30, note="收到")
    result = apply_report(loop.desk, sign, feed=FEED, seq=11)
    assert result.outcome is ReportOutcome.APPLIED
    assert result.applied is not None
    assert result.applied.audit.payload == {"order_id": order_id, "reported_at": sign.at, "note": "收到"}
    rows = audit_rows(loop)
    for seq in (11, 12):
        assert apply_report(loop.desk, sign, feed=FEED, seq=seq).outcome is ReportOutcome.DUPLICATE
    assert audit_rows(loop) == rows
    assert loop.desk.get(case_id).state is S.SIGNED
    assert recorded(loop) == [(order_id, "sign", "applied")]
    photos = ("https://p.example/a.jpg", "../../etc/passwd")
    handled = report(order_id, ReportAction.HANDLED, loop.clock.now() + 90, photos=photos)
    applied = apply_report(loop.desk, handled, feed=FEED, seq=13).applied
    assert applied is not None
    assert applied.case.state is S.HANDLED
    # The good reference is kept; the bad one is on the record as refused, and the report still applies.
    assert applied.audit.payload["attachments"] == [{"uri": "https://p.example/a.jpg", "content_type": ""}]
    refused = [{"ref": "../../etc/passwd", "problem": "bad_reference"}]
    assert applied.audit.payload["refused_attachments"] == refused


@pytest.mark.parametrize(
    ("order", "unit", "outcome"),
    [("no-such-order", "U-CITY", ReportOutcome.UNKNOWN_ORDER), (None, "U-FIRE", ReportOutcome.WRONG_UNIT)],
)
def test_a_report_for_no_order_of_this_unit_is_recorded_and_not_applied(
    loop: Loop, order: str | None, unit: str, outcome: ReportOutcome
) -> None:
    case_id, order_id = dispatched(loop)
    rows = audit_rows(loop)
    result = apply_report(
        loop.desk, report(order or order_id, ReportAction.SIGN, 1.0, unit), feed=FEED, seq=1
    )
    assert result.outcome is outcome
    assert result.detail
    assert audit_rows(loop) == rows
    assert loop.desk.get(case_id).state is S.DISPATCHED
    assert recorded(loop) == [(order or order_id, "sign", outcome.value)]


def test_reports_on_a_superseded_order_are_recorded_and_not_applied(loop: Loop) -> None:
    case_id, first = dispatched(loop)
    act(loop, case_id, Action.SIGN, LEAD)
    act(loop, case_id, Action.HANDLE, LEAD)
    act(loop, case_id, Action.FAIL_CHECK, SUPERVISOR, "未修复")
    late = apply_report(loop.desk, report(first, ReportAction.HANDLED, 50.0), feed=FEED, seq=1)
    assert late.outcome is ReportOutcome.SUPERSEDED
    assert loop.desk.get(case_id).state is S.REWORK
    rework = apply_report(
        loop.desk, report(f"{first[:-2]}-2", ReportAction.PROGRESS, 60.0), feed=FEED, seq=2
    )  # fmt: skip
    assert rework.outcome is ReportOutcome.APPLIED


def test_an_order_returned_and_given_to_another_unit_is_superseded(loop: Loop) -> None:
    case_id, first = dispatched(loop)
    asked = apply_report(loop.desk, report(first, ReportAction.RETURN_REQUEST, 10.0), feed=FEED, seq=1)
    assert asked.outcome is ReportOutcome.APPLIED
    assert asked.applied is not None
    assert asked.applied.audit.reason == "unit asked to return (no reason given)"
    act(loop, case_id, Action.APPROVE_RETURN, LEAD)
    assert apply_report(loop.desk, report(first, ReportAction.SIGN, 20.0), feed=FEED, seq=2).outcome is (
        ReportOutcome.SUPERSEDED
    )
    act(loop, case_id, Action.DISPATCH, DISPATCHER, unit="U-WATER")
    second = apply_report(loop.desk, report(first[:-2] + "-2", ReportAction.SIGN, 30.0, "U-WATER"), feed=FEED,
                          seq=3)  # fmt: skip
    assert second.outcome is ReportOutcome.APPLIED


def test_a_report_the_case_cannot_take_is_refused_on_the_record(loop: Loop) -> None:
    case_id, order_id = dispatched(loop)
    version = loop.desk.get(case_id).version
    # Handled straight from dispatched (no sign) is not a move the machine allows.
    result = apply_report(loop.desk, report(order_id, ReportAction.HANDLED, 5.0), feed=FEED, seq=1)
    assert result.outcome is ReportOutcome.REFUSED
    assert "cannot handle" in result.detail
    assert loop.desk.get(case_id).version == version
    assert recorded(loop) == [(order_id, "handled", "refused")]
    assert audit.verify(loop.conn).ok


def test_the_case_file_says_whether_the_latest_order_reached_the_platform(loop: Loop) -> None:
    case_id, first = dispatched(loop)
    waiting = load_case_file(loop.conn, case_id)
    assert waiting is not None
    assert waiting.order is not None
    assert (waiting.order.order_id, waiting.order.acked_at) == (first, None)
    mark_acked(loop.conn, first, loop.clock.now() + 2)
    apply_report(loop.desk, report(first, ReportAction.RETURN_REQUEST, 10.0), feed=FEED, seq=1)
    act(loop, case_id, Action.APPROVE_RETURN, LEAD)
    loop.clock.advance(60)
    act(loop, case_id, Action.DISPATCH, DISPATCHER, unit="U-WATER")
    redispatched = load_case_file(loop.conn, case_id)
    assert redispatched is not None
    assert redispatched.order is not None
    # The new order, to the new unit, not yet acknowledged: the first one's ack does not count for it.
    assert (redispatched.order.unit, redispatched.order.acked_at) == ("U-WATER", None)
    assert redispatched.order.order_id != first
    never = new_case(loop, "e-never")
    assert (file := load_case_file(loop.conn, never.id)) is not None
    assert file.order is None
