"""Applies the unit reports the feed stored in `report_inbox`, in arrival order, each at most once."""

from __future__ import annotations

import msgspec

from dispatch.casework.desk import CaseDesk
from dispatch.casework.orders import ReportAction, ReportResult, UnitReport, apply_report
from dispatch.orders_wire import Report

CURSOR_KEY = "report_inbox_cursor"
_DECODE = msgspec.json.Decoder(Report).decode


def apply_inbox(desk: CaseDesk, limit: int = 500) -> list[ReportResult]:
    """Apply stored reports past the cursor. A crash between applying and moving the cursor is harmless:
    a report applied before is recognised by (order_id, unit, action, at) and changes nothing again."""
    conn = desk.conn
    row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
    cursor = int(row[0]) if row else 0
    rows = conn.execute(
        "SELECT id, feed, seq, body FROM report_inbox WHERE id > ? ORDER BY id LIMIT ?", (cursor, limit)
    ).fetchall()
    results: list[ReportResult] = []
    for row_id, feed, seq, body in rows:
        report = _DECODE(body)
        unit_report = UnitReport(
            order_id=report.order_id,
            unit=report.unit,
            action=ReportAction(report.action),
            at=report.at.timestamp(),
            note=report.note,
            photos=tuple(report.photos),
        )
        results.append(apply_report(desk, unit_report, feed=feed, seq=seq))
        with desk.transaction():
            conn.execute(
                "INSERT INTO loop_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (CURSOR_KEY, str(row_id)),
            )
    return results
