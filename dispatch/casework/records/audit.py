"""The append-only, hash-chained audit table: writing a row, reading a timeline, verifying the chain."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from dispatch.casework.model import Action, AuditRow, CaseState, Role
from dispatch.casework.records.audit_replay import replay

GENESIS = "0" * 64
AUDIT_COLUMNS = "id, case_id, from_state, to_state, action, actor, role, at, reason, payload, exercise"
# What the hash covers: the row and what it changed (NULL on rows from before changes were recorded: those
# were hashed without it).
CHAINED_COLUMNS = f"{AUDIT_COLUMNS}, changes"
_ENCODER = msgspec.json.Encoder(order="sorted")


def row_hash(prev_hash: str, fields: tuple[Any, ...]) -> str:
    """SHA-256 over the previous hash and the row's stored fields, in a fixed JSON encoding."""
    return hashlib.sha256(prev_hash.encode("ascii") + _ENCODER.encode(fields)).hexdigest()


def chained_fields(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The hashed fields of a row selected with CHAINED_COLUMNS: a row from before changes were recorded
    has none, and its hash was made without them."""
    return tuple(row[:11]) if row[11] is None else tuple(row[:12])


def append(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    from_state: CaseState,
    to_state: CaseState,
    action: Action,
    actor: str,
    role: Role,
    at: float,
    reason: str,
    payload: dict[str, Any],
    exercise: bool,
    changes: dict[str, Any],
) -> AuditRow:
    """Append one row chained to the last one; call inside the transaction that makes the change.

    `changes` is what the row did to the case and the outbox (dispatch.casework.records.audit_changes): `audit
    verify` replays it against every column of every case and order.
    """
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    row_id, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
    payload_text = _ENCODER.encode(payload).decode()
    # Hash exactly what SQLite will give back: a REAL column returns 5.0 for an integer 5.
    at = float(at)
    fields = (row_id, case_id, from_state.value, to_state.value, action.value, actor, role.value, at, reason,
              payload_text, int(exercise), _ENCODER.encode(changes).decode())  # fmt: skip
    conn.execute(
        "INSERT INTO audit (id, case_id, from_state, to_state, action, actor, role, at, reason, payload, "
        "exercise, changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*fields, prev, row_hash(prev, fields)),
    )
    return AuditRow(
        row_id, case_id, from_state, to_state, action, actor, role, at, reason,
        msgspec.json.decode(payload_text), exercise,
    )  # fmt: skip


def audit_from_row(row: tuple[Any, ...]) -> AuditRow:
    """An AuditRow from a row selected with AUDIT_COLUMNS."""
    return AuditRow(
        id=row[0],
        case_id=row[1],
        from_state=CaseState(row[2]),
        to_state=CaseState(row[3]),
        action=Action(row[4]),
        actor=row[5],
        role=Role(row[6]),
        at=row[7],
        reason=row[8],
        payload=msgspec.json.decode(row[9]),
        exercise=bool(row[10]),
    )


def timeline(conn: sqlite3.Connection, case_ids: list[int]) -> list[AuditRow]:
    """Every audit row of these cases, oldest first (pass a master and the cases merged into it)."""
    marks = ", ".join("?" * len(case_ids))
    rows = conn.execute(f"SELECT {AUDIT_COLUMNS} FROM audit WHERE case_id IN ({marks}) ORDER BY id", case_ids)
    return [audit_from_row(r) for r in rows]


def last_change(conn: sqlite3.Connection, case_id: int) -> AuditRow | None:
    """The latest audit row of a case (who changed it last), for stale-version messages."""
    row = conn.execute(
        f"SELECT {AUDIT_COLUMNS} FROM audit WHERE case_id = ? ORDER BY id DESC LIMIT 1", (case_id,)
    ).fetchone()
    return None if row is None else audit_from_row(row)


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of verifying: rows checked, the first broken row or the first case that disagrees."""

    rows: int
    broken_at: int | None = None
    problem: str = ""
    case_id: int | None = None  # a case (or its orders) whose row disagrees with its audit history
    head: str = GENESIS
    legacy_cases: int = 0  # cases whose history began before rows recorded changes: state and version only

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.case_id is None and not self.problem


def verify(conn: sqlite3.Connection, *, cases: bool = True) -> ChainReport:
    """Recompute every hash in order; report the first row whose content, link or numbering was changed.

    With `cases`, also replay every case's history against its row and its orders (audit_replay): rows cut
    off the end of the chain leave a valid chain behind, but not a matching case.
    """
    prev = GENESIS
    expected_id = 1
    count = 0
    recorded = False
    for row in _all_rows(conn):
        fields, prev_hash, stored = chained_fields(row), row[12], row[13]
        if fields[0] != expected_id:
            return ChainReport(count, expected_id, f"row {expected_id} is missing (found {fields[0]} next)")
        if prev_hash != prev:
            return ChainReport(count, fields[0], "its link to the previous row does not match")
        if row_hash(prev, fields) != stored:
            return ChainReport(count, fields[0], "its content does not match its hash")
        if recorded and row[11] is None:
            return ChainReport(count, fields[0], "it records no changes, though the rows before it do")
        if not isinstance(fields[1], int):
            return ChainReport(count, fields[0], f"its case id {fields[1]!r} is not a number")
        recorded = recorded or row[11] is not None
        prev = stored
        expected_id += 1
        count += 1
    if not cases:
        return ChainReport(count, head=prev)
    result = replay(conn)
    return ChainReport(count, None, result.problem, result.case_id, head=prev, legacy_cases=result.legacy)


def _all_rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    yield from conn.execute(f"SELECT {CHAINED_COLUMNS}, prev_hash, hash FROM audit ORDER BY id")
