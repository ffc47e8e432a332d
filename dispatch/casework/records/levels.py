"""Levels (分级): what a centre owes another (escalations up, returns down) and what it took from one."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from dispatch.casework.model import Case

ESCALATE = "escalate"  # a district's case goes up to its city (上报)
HAND_DOWN = "hand_down"  # the city hands a case that came up back down (下派)
WARNING = "warning"  # a CAP warning of the city's, sent down to its districts
CLOSED = "closed"  # the city closed a case that came up: the district's copy closes too
KINDS = (ESCALATE, HAND_DOWN, WARNING, CLOSED)
# A new leader sends down again the warnings that came this long ago at most (a district takes each once).
WARNINGS_AGAIN_S = 24 * 3600.0
_EVENT_FIELDS = (
    "source", "event_id", "revision", "occurred_at", "category", "severity", "title", "description", "lon",
    "lat", "address", "grid", "camera_id", "exercise", "cancelled",
)  # fmt: skip

# Both tables are written only by applying the centre's log, so every seat of a centre holds them alike.
# `level_outbox`: a transfer this centre owes another; its id names it on the other side (with this
# centre's name), so a transfer sent twice (a new leader sending again) is taken once. `relayed_at` is set
# when the leader's confirmation (a `relayed` log entry) is applied. `level_inbox`: every transfer taken
# from another centre, keyed by that centre and the transfer's id there.
_DDL = """
CREATE TABLE level_outbox (
    id INTEGER PRIMARY KEY,
    to_centre TEXT NOT NULL,
    kind TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    queued_at REAL NOT NULL,
    relayed_at REAL,
    remote_seq INTEGER
);
CREATE INDEX level_outbox_pending ON level_outbox (id) WHERE relayed_at IS NULL;
CREATE TABLE level_inbox (
    from_centre TEXT NOT NULL,
    transfer_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    from_case_id INTEGER NOT NULL,
    from_code TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (from_centre, transfer_id)
);
CREATE INDEX level_inbox_case ON level_inbox (case_id, kind);
"""


def migrate_levels(db: sqlite_utils.Database) -> None:
    for statement in _DDL.split(";"):
        if statement.strip():
            db.execute(statement)


@dataclass(frozen=True, slots=True)
class Transfer:
    """One transfer this centre owes another centre, as queued by the command that made it."""

    id: int
    to_centre: str
    kind: str
    case_id: int
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a case that came up from a district came from."""

    centre: str
    case_id: int
    code: str


def queue(
    conn: sqlite3.Connection, to_centre: str, kind: str, case_id: int, body: dict[str, Any], at: float
) -> int:
    """Owe `to_centre` a transfer (inside the applying transaction); its id."""
    cursor = conn.execute(
        "INSERT INTO level_outbox (to_centre, kind, case_id, body, queued_at) VALUES (?, ?, ?, ?, ?)",
        (to_centre, kind, case_id, json.dumps(body, ensure_ascii=False, sort_keys=True), at),
    )
    return int(cursor.lastrowid or 0)


def pending(conn: sqlite3.Connection, limit: int = 100) -> list[Transfer]:
    """The transfers not yet confirmed sent, oldest first."""
    rows = conn.execute(
        "SELECT id, to_centre, kind, case_id, body FROM level_outbox WHERE relayed_at IS NULL "
        "ORDER BY id LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        Transfer(int(i), str(to), str(kind), int(case), json.loads(body)) for i, to, kind, case, body in rows
    ]


def mark_relayed(conn: sqlite3.Connection, transfer_id: int, remote_seq: int, at: float) -> bool:
    """The transfer is in the other centre's log at `remote_seq`; False when it was marked before."""
    cursor = conn.execute(
        "UPDATE level_outbox SET relayed_at = ?, remote_seq = ? WHERE id = ? AND relayed_at IS NULL",
        (at, remote_seq, transfer_id),
    )
    return cursor.rowcount > 0


def taken(conn: sqlite3.Connection, from_centre: str, transfer_id: int) -> bool:
    """Whether this centre took that transfer before (a second delivery is not taken again)."""
    row = conn.execute(
        "SELECT 1 FROM level_inbox WHERE from_centre = ? AND transfer_id = ?", (from_centre, transfer_id)
    ).fetchone()
    return row is not None


def take(
    conn: sqlite3.Connection, from_centre: str, transfer_id: int, kind: str, case_id: int,
    from_case_id: int, from_code: str, at: float,
) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO level_inbox (from_centre, transfer_id, kind, case_id, from_case_id, from_code, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (from_centre, transfer_id, kind, case_id, from_case_id, from_code, at),
    )


def origin(conn: sqlite3.Connection, case_id: int) -> Origin | None:
    """The district a case came up from (None: this centre's own case)."""
    row = conn.execute(
        "SELECT from_centre, from_case_id, from_code FROM level_inbox WHERE case_id = ? AND kind = ? "
        "ORDER BY received_at DESC LIMIT 1",
        (case_id, ESCALATE),
    ).fetchone()
    return Origin(str(row[0]), int(row[1]), str(row[2])) if row else None


def warnings_after(
    conn: sqlite3.Connection, rowid: int, since: float, limit: int = 200
) -> list[tuple[int, dict[str, Any]]]:
    """The CAP warnings this centre stored after `rowid` (and not before `since`), oldest first, each as
    the fields of a log event (with its CAP part): what a city sends down to its districts."""
    rows = conn.execute(
        f"SELECT rowid, {', '.join(_EVENT_FIELDS)}, payload FROM events WHERE source = 'cap' AND rowid > ? "
        "AND received_at >= ? ORDER BY rowid LIMIT ?",
        (rowid, since, limit),
    ).fetchall()
    found = []
    for row in rows:
        fields = dict(zip(_EVENT_FIELDS, row[1:-1], strict=True))
        fields["exercise"], fields["cancelled"] = bool(fields["exercise"]), bool(fields["cancelled"])
        fields = {key: value for key, value in fields.items() if value is not None}
        try:
            cap = json.loads(row[-1]).get("cap") if row[-1] else None
        except (ValueError, AttributeError):
            cap = None
        if isinstance(cap, dict):
            fields["cap"] = cap
        found.append((int(row[0]), fields))
    return found


def escalation_body(case: Case, reason: str, actor: str) -> dict[str, Any]:
    """What the city needs to open its own case for `case` (and to say where it came from)."""
    return {
        "case_id": case.id, "code": case.code, "category": case.category, "severity": case.severity,
        "title": case.title, "description": case.description, "address": case.address,
        "lon": case.lon, "lat": case.lat, "district": case.district, "grid": case.grid,
        "source": case.source, "camera_id": case.camera_id, "discovered_at": case.discovered_at,
        "exercise": case.exercise, "reason": reason, "by": actor,
    }  # fmt: skip
