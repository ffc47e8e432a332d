"""Unit reports stored from the feed are applied in order, once, and a repeated one changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dispatch.casework.model import Action, CaseState
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.orders import ReportOutcome
from dispatch.feed.orders_wire import UnitReportMsg, decode_order_frame, report_body
from tests.dispatch.casework.policies import DISPATCHER, LEAD, act, new_case, open_loop


def store_report(conn: sqlite3.Connection, seq: int, order_id: str, action: str, at: str) -> None:
    frame = (
        f'{{"type":"unit_report","seq":{seq},"report":{{"order_id":"{order_id}","unit":"U-1",'
        f'"action":"{action}","at":"{at}"}}}}'
    )
    message = decode_order_frame(frame, seq)
    assert isinstance(message, UnitReportMsg)
    conn.execute(
        "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('f', ?, ?, 0)",
        (seq, report_body(message)),
    )


def test_stored_reports_move_the_case_once_each(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-1")
    (order_id,) = [r[0] for r in loop.conn.execute("SELECT order_id FROM outbox")]
    store_report(loop.conn, 1, order_id, "sign", "2026-01-05T09:10:00+00:00")
    store_report(loop.conn, 2, order_id, "sign", "2026-01-05T09:10:00+00:00")  # the same report again
    store_report(loop.conn, 3, order_id, "progress", "2026-01-05T09:20:00+00:00")

    outcomes = [r.outcome for r in apply_inbox(loop.desk)]
    assert outcomes == [ReportOutcome.APPLIED, ReportOutcome.DUPLICATE, ReportOutcome.APPLIED]
    assert loop.desk.get(case.id).state is CaseState.IN_PROGRESS
    assert apply_inbox(loop.desk) == []  # the cursor moved past all three
    assert loop.conn.execute("SELECT count(*) FROM unit_reports").fetchone() == (2,)
    loop.close()
