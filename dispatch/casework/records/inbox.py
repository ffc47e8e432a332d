"""Applies the unit reports the feed stored in `report_inbox`, in arrival order, each at most once."""

from __future__ import annotations

import msgspec

from dispatch.casework.jobs import Job
from dispatch.casework.records import failures
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.orders import ReportAction, ReportResult, UnitReport, apply_report
from dispatch.feed.attachments import AttachmentRef
from dispatch.feed.orders_wire import Report

CURSOR_KEY = "report_inbox_cursor"
_DECODE = msgspec.json.Decoder(Report).decode
_ROW_SQL = "SELECT id, feed, seq, body FROM report_inbox WHERE id = ?"


def apply_inbox(desk: CaseDesk, limit: int = 500) -> list[ReportResult]:
    """Apply stored reports past the cursor, and set-aside ones an operator asked to retry.

    Each report is one transaction with the cursor's move past it. A report that cannot be decoded or
    applied is set aside (failures.Job.REPORTS) and the cursor moves on: the next report is applied.
    """
    conn = desk.conn
    results: list[ReportResult] = []
    for item in failures.retries_due(conn, Job.REPORTS, limit):
        with desk.transaction():
            row = conn.execute(_ROW_SQL, (int(item),)).fetchone() if item.isdigit() else None
            if row is None or _attempt(desk, row, results):
                failures.clear(conn, Job.REPORTS, item)
    row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
    cursor = int(row[0]) if row else 0
    rows = conn.execute(
        "SELECT id, feed, seq, body FROM report_inbox WHERE id > ? ORDER BY id LIMIT ?", (cursor, limit)
    ).fetchall()
    for row in rows:
        with desk.transaction():
            _attempt(desk, row, results)
            conn.execute(
                "INSERT INTO loop_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (CURSOR_KEY, str(row[0])),
            )
    return results


def _attempt(desk: CaseDesk, row: tuple[object, ...], results: list[ReportResult]) -> bool:
    """Apply one inbox row in a savepoint of the caller's transaction; False when it was set aside."""
    row_id, feed, seq, body = row

    def work() -> None:
        results.append(apply_stored(desk, feed, seq, body))

    error = failures.attempt(desk.conn, Job.REPORTS, str(row_id), work, desk.clock.now())
    return error is None


def apply_stored(desk: CaseDesk, feed: object, seq: object, body: object) -> ReportResult:
    """Apply one report as the feed stored it (its wire JSON), once: a report seen before is a no-op.
    msgspec.ValidationError/DecodeError for a body that is no report (the caller sets it aside)."""
    if not isinstance(body, str | bytes):
        raise TypeError(f"a stored report is text, not {type(body).__name__}")
    report = _DECODE(body)
    unit_report = UnitReport(
        order_id=report.order_id,
        unit=report.unit,
        action=ReportAction(report.action),
        at=report.at.timestamp(),
        note=report.note,
        photos=tuple(report.photos),
        attachments=tuple(AttachmentRef(a.uri, a.content_type, a.size) for a in report.attachments),
        position=None if report.position is None else (report.position.lon, report.position.lat),
    )
    return apply_report(desk, unit_report, feed=str(feed), seq=seq if isinstance(seq, int) else None)
