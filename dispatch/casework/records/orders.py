"""The order outbox and unit reports: what to send, what was acknowledged, applying an answer once."""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass

import msgspec

from dispatch.casework.model import Action, Actor, Applied, Command, Refused, Role
from dispatch.casework.readouts import NO_REASON_GIVEN
from dispatch.casework.records.commands import CaseDesk
from dispatch.feed.attachments import AttachmentRef, RefusedAttachment, screen_all


class ReportAction(enum.StrEnum):
    """What a field unit can report about an order."""

    SIGN = "sign"
    PROGRESS = "progress"
    HANDLED = "handled"
    RETURN_REQUEST = "return_request"


_ACTIONS = {
    ReportAction.SIGN: Action.SIGN,
    ReportAction.PROGRESS: Action.PROGRESS,
    ReportAction.HANDLED: Action.HANDLE,
    ReportAction.RETURN_REQUEST: Action.REQUEST_RETURN,
}

# A return request must carry a reason; a unit that sends none still gets one on the record.
_DEFAULT_REASON = {ReportAction.RETURN_REQUEST: NO_REASON_GIVEN}


@dataclass(frozen=True, slots=True)
class UnitReport:
    """A unit's answer to an order, as decoded from the feed (or typed in from a phone call)."""

    order_id: str
    unit: str
    action: ReportAction
    at: float
    note: str = ""
    photos: tuple[str, ...] = ()  # bare photo URLs (protocol v1.1's first form)
    attachments: tuple[AttachmentRef, ...] = ()
    position: tuple[float, float] | None = None  # lon, lat where the unit reported from

    def screened(self) -> tuple[tuple[AttachmentRef, ...], tuple[RefusedAttachment, ...]]:
        """The attachments the case may show, and those refused with their reason."""
        listed = [(a.uri, a.content_type, a.size) for a in self.attachments]
        return screen_all(listed + [(uri, "", None) for uri in self.photos])


class ReportOutcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    UNKNOWN_ORDER = "unknown_order"
    WRONG_UNIT = "wrong_unit"
    SUPERSEDED = "superseded"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ReportResult:
    outcome: ReportOutcome
    detail: str = ""
    applied: Applied | None = None


@dataclass(frozen=True, slots=True)
class PendingOrder:
    order_id: str
    body: bytes  # the JSON object to put in {"type":"order","order":…}
    attempts: int


def pending_orders(conn: sqlite3.Connection, limit: int = 200) -> list[PendingOrder]:
    """Orders not yet acknowledged, oldest first: sent when connected, sent again after every reconnect."""
    rows = conn.execute(
        "SELECT order_id, body, attempts FROM outbox WHERE acked_at IS NULL "
        "ORDER BY created_at, order_id LIMIT ?",
        (limit,),
    )
    return [PendingOrder(r[0], r[1].encode(), r[2]) for r in rows]


def unanswered_orders(conn: sqlite3.Connection, limit: int = 200) -> list[PendingOrder]:
    """Orders whose unit has not answered yet (the case still dispatched to it, this its latest order),
    oldest first. A seat sends these (docs/seats.md): the server's acknowledgements reach the seat's feed
    store, not its replica, so the unit's answer through the log is what ends the sending."""
    rows = conn.execute(
        "SELECT o.order_id, o.body, o.attempts FROM outbox o JOIN cases c ON c.id = o.case_id "
        "WHERE c.state = 'dispatched' AND c.unit = o.unit AND o.acked_at IS NULL "
        "AND o.order_id = (SELECT order_id FROM outbox WHERE case_id = o.case_id "
        "ORDER BY created_at DESC, rowid DESC LIMIT 1) "
        "ORDER BY o.created_at, o.order_id LIMIT ?",
        (limit,),
    )
    return [PendingOrder(r[0], r[1].encode(), r[2]) for r in rows]


def mark_sent(conn: sqlite3.Connection, order_ids: list[str], at: float) -> None:
    conn.executemany(
        "UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE order_id = ?",
        [(at, order_id) for order_id in order_ids],
    )


def mark_acked(conn: sqlite3.Connection, order_id: str, at: float) -> bool:
    """Record the server's acknowledgement; a repeated ack changes nothing. False for an unknown order."""
    cursor = conn.execute(
        "UPDATE outbox SET acked_at = coalesce(acked_at, ?) WHERE order_id = ?", (at, order_id)
    )
    return cursor.rowcount == 1


def apply_report(desk: CaseDesk, report: UnitReport, *, feed: str, seq: int | None) -> ReportResult:
    """Apply a unit's report once, in one transaction with its record: a report seen before is a no-op."""
    with desk.transaction() as conn:
        exists = conn.execute(
            "SELECT 1 FROM unit_reports WHERE order_id = ? AND unit = ? AND action = ? AND at = ?",
            (report.order_id, report.unit, report.action.value, report.at),
        ).fetchone()
        if exists:
            return ReportResult(ReportOutcome.DUPLICATE)
        result = _apply(desk, conn, report)
        kept, refused = report.screened()
        conn.execute(
            "INSERT INTO unit_reports (feed, seq, order_id, unit, action, at, note, photos, received_at, "
            "outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (feed, seq, report.order_id, report.unit, report.action.value, report.at, report.note,
             msgspec.json.encode([attachment_record(a) for a in kept]).decode(), desk.clock.now(),
             result.outcome.value, _with_refusals(result.detail, refused)),
        )  # fmt: skip
    return result


def attachment_record(ref: AttachmentRef) -> dict[str, object]:
    """An attachment as the audit payload and the report record keep it."""
    record: dict[str, object] = {"uri": ref.uri, "content_type": ref.content_type}
    if ref.size is not None:
        record["size"] = ref.size
    return record


def _with_refusals(detail: str, refused: tuple[RefusedAttachment, ...]) -> str:
    if not refused:
        return detail
    listed = "; ".join(f"{r.problem.value}: {r.reference}" for r in refused)
    return f"{detail}{' · ' if detail else ''}attachments refused: {listed}"[:2000]


def _apply(desk: CaseDesk, conn: sqlite3.Connection, report: UnitReport) -> ReportResult:
    row = conn.execute("SELECT case_id, unit FROM outbox WHERE order_id = ?", (report.order_id,)).fetchone()
    if row is None:
        return ReportResult(ReportOutcome.UNKNOWN_ORDER, f"no order {report.order_id}")
    case_id, unit = row
    if unit != report.unit:
        return ReportResult(
            ReportOutcome.WRONG_UNIT, f"order {report.order_id} went to {unit}, not {report.unit}"
        )
    latest = conn.execute(
        "SELECT order_id FROM outbox WHERE case_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (case_id,),
    ).fetchone()[0]
    case = desk.get(case_id)
    if latest != report.order_id or case.unit != report.unit:
        return ReportResult(
            ReportOutcome.SUPERSEDED, f"order {report.order_id} is no longer the case's order"
        )
    payload: dict[str, object] = {"order_id": report.order_id, "reported_at": report.at}
    if report.note:
        payload["note"] = report.note
    kept, refused = report.screened()
    if kept:
        payload["attachments"] = [attachment_record(a) for a in kept]
    if refused:
        # The report still applies: the unit signed or finished whatever its photo's reference says.
        payload["refused_attachments"] = [{"ref": r.reference, "problem": r.problem.value} for r in refused]
    if report.position is not None:
        payload["position"] = {"lon": report.position[0], "lat": report.position[1]}
    command = Command(
        case.id, case.version, _ACTIONS[report.action], Actor(report.unit, Role.UNIT),
        reason=report.note or _DEFAULT_REASON.get(report.action, ""),
        payload=payload,
    )  # fmt: skip
    try:
        applied = desk.act_in_transaction(command)
    except Refused as refusal:
        return ReportResult(ReportOutcome.REFUSED, refusal.detail)
    return ReportResult(ReportOutcome.APPLIED, applied=applied)
