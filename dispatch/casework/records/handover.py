"""Shift handover (交接班): the outgoing lead's note with the open cases as they are, and its receipt."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import msgspec

from dispatch.casework.checkpoint_stamp import Checkpoint
from dispatch.casework.model import Actor, Card, CaseState
from dispatch.casework.records.checkpoints import Checkpointer, CheckpointError
from dispatch.casework.records.supervision import CARD_LEVEL_SQL
from dispatch.casework.shifts import (
    HANDOVER_ROLES,
    Handover,
    HandoverCase,
    HandoverError,
    HandoverProblem,
    Shift,
)

log = logging.getLogger(__name__)

# The deadline that matters next in each open state: registration, handling (from dispatch on), check.
_DEADLINE = """CASE
    WHEN state IN ('discovered', 'verifying') THEN register_due
    WHEN state IN ('handled', 'checking') THEN check_due
    ELSE handle_due END"""


def open_cases(conn: sqlite3.Connection, *, now: float, exercise: bool = False) -> tuple[HandoverCase, ...]:
    """Every open case with its card at `now`, highest card first, then the nearest deadline (none last)."""
    rows = conn.execute(
        f"SELECT id, code, state, {CARD_LEVEL_SQL} AS level, {_DEADLINE} AS deadline, unit, title, "
        "category, parked_since IS NOT NULL FROM cases WHERE is_open = 1 AND exercise = :exercise "
        "ORDER BY level DESC, deadline IS NULL, deadline, id",
        {"now": now, "exercise": int(exercise)},
    ).fetchall()
    cases: list[HandoverCase] = []
    for i, code, state, level, deadline, unit, title, category, parked in rows:
        case = HandoverCase(
            int(i), str(code), CaseState(state), Card(level), deadline, str(unit), str(title), str(category),
            bool(parked),
        )  # fmt: skip
        cases.append(case)
    return tuple(cases)


def write_handover(
    conn: sqlite3.Connection,
    *,
    shift: Shift,
    author: Actor,
    note: str,
    now: float,
    exercise: bool = False,
    checkpoints: Checkpointer | None = None,
) -> Handover:
    """Store the outgoing lead's note with the open cases as they are now (one per shift), and sign an
    audit checkpoint with it when the cockpit has a key: the printed handover then carries the chain's
    head, a witness no file edit can reach. A checkpoint that cannot be signed does not hold up the
    handover (it is logged, and the report says there is none)."""  # fmt: skip
    conn.execute("BEGIN IMMEDIATE")
    try:
        handover_id = insert_handover(conn, shift=shift, author=author, note=note, now=now, exercise=exercise)
        if checkpoints is not None:
            _sign(conn, checkpoints, handover_id, now)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return load_handover(conn, handover_id)


def insert_handover(
    conn: sqlite3.Connection, *, shift: Shift, author: Actor, note: str, now: float, exercise: bool = False
) -> int:
    """`write_handover`'s row, inside the caller's transaction (a seat applying the centre's log); its id.
    HandoverError when the author may not, the note is empty or the shift was handed over already."""
    if author.role not in HANDOVER_ROLES:
        raise HandoverError(HandoverProblem.FORBIDDEN, f"role {author.role.value} may not write a handover")
    text = note.strip()
    if not text:
        raise HandoverError(HandoverProblem.NOTE_REQUIRED, "a handover needs a note")
    taken = conn.execute("SELECT id FROM handovers WHERE shift_start = ?", (shift.start,)).fetchone()
    if taken is not None:
        raise HandoverError(
            HandoverProblem.ALREADY_WRITTEN, f"this shift was already handed over (handover {taken[0]})"
        )
    cases = open_cases(conn, now=now, exercise=exercise)
    cursor = conn.execute(
        "INSERT INTO handovers (shift_start, shift_end, author, note, open_cases, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (shift.start, shift.end, author.login, text, json.dumps([c.to_json() for c in cases]), now),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _sign(conn: sqlite3.Connection, checkpoints: Checkpointer, handover_id: int | None, now: float) -> None:
    try:
        checkpoint = checkpoints.sign(conn, now, "handover")
    except CheckpointError as error:
        log.error("the handover's audit checkpoint could not be signed: %s", error)
        return
    conn.execute(
        "UPDATE handovers SET checkpoint = ? WHERE id = ?",
        (msgspec.json.encode(checkpoint).decode(), handover_id),
    )


def acknowledge(conn: sqlite3.Connection, handover_id: int, receiver: Actor, now: float) -> Handover:
    """The incoming lead signs for a handover; only once, and never for their own."""
    current = load_handover(conn, handover_id)
    if receiver.role not in HANDOVER_ROLES:
        raise HandoverError(
            HandoverProblem.FORBIDDEN, f"role {receiver.role.value} may not receive a handover"
        )
    if current.author == receiver.login:
        raise HandoverError(HandoverProblem.OWN_HANDOVER, "the next shift signs for it, not its author")
    cursor = conn.execute(
        "UPDATE handovers SET received_by = ?, received_at = ? WHERE id = ? AND received_by IS NULL",
        (receiver.login, now, handover_id),
    )
    if cursor.rowcount == 0:
        latest = load_handover(conn, handover_id)
        raise HandoverError(
            HandoverProblem.ALREADY_RECEIVED, f"handover {handover_id} was received by {latest.received_by}"
        )
    return load_handover(conn, handover_id)


_SELECT = (
    "SELECT h.id, h.shift_start, h.shift_end, h.author, coalesce(a.name, h.author), h.note, h.open_cases, "
    "h.created_at, h.received_by, r.name, h.received_at, h.checkpoint FROM handovers h "
    "LEFT JOIN operators a ON a.login = h.author LEFT JOIN operators r ON r.login = h.received_by"
)


def _handover(row: tuple[Any, ...]) -> Handover:
    hid, start, end, author, author_name, note, cases, created, received_by, received_name, received_at = row[
        :11
    ]
    return Handover(
        int(hid), float(start), float(end), str(author), str(author_name), str(note),
        tuple(HandoverCase.from_json(item) for item in json.loads(cases)), float(created),
        received_by, received_name if received_by is None else (received_name or received_by), received_at,
        _checkpoint(row[11]),
    )  # fmt: skip


def _checkpoint(text: str | None) -> Checkpoint | None:
    if text is None:
        return None
    try:
        return msgspec.json.decode(text, type=Checkpoint)
    except msgspec.DecodeError:
        return None  # `audit verify` checks the log itself; the report just has no stamp to print


def load_handover(conn: sqlite3.Connection, handover_id: int) -> Handover:
    row = conn.execute(f"{_SELECT} WHERE h.id = ?", (handover_id,)).fetchone()
    if row is None:
        raise HandoverError(HandoverProblem.UNKNOWN_HANDOVER, f"there is no handover {handover_id}")
    return _handover(row)


def recent_handovers(conn: sqlite3.Connection, limit: int = 20) -> list[Handover]:
    """The latest handovers, newest shift first."""
    rows = conn.execute(f"{_SELECT} ORDER BY h.shift_start DESC, h.id DESC LIMIT ?", (limit,)).fetchall()
    return [_handover(row) for row in rows]


def count_open_cases(conn: sqlite3.Connection, *, exercise: bool = False) -> int:
    """How many cases a handover written now would list."""
    row = conn.execute("SELECT count(*) FROM cases WHERE is_open = 1 AND exercise = ?", (int(exercise),))
    return int(row.fetchone()[0])
