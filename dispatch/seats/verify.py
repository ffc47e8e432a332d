"""Do replicas agree? Their audit heads (count, last hash), case rows, the other records the log writes
(reports, handovers, readings, set-aside items of the jobs run at apply) and place in the log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dispatch.casework.records.cases import CASE_COLUMNS, CASE_FIELDS
from dispatch.seats.apply import read_cursor
from dispatch.store.read_only import open_read_only

_ENCODE = repr  # exact for every SQLite value (float repr round-trips)
# The other records every replica holds alike (the log writes them), each read in one fixed order: what a
# duty room relies on beside the cases. Local marks are left out (a handover's checkpoint is signed by a
# console; the failures of jobs a seat runs by itself).
RECORDS = {
    "events": "SELECT source, event_id, revision, seq, received_at, payload FROM events ORDER BY id",
    "handovers": "SELECT id, shift_start, shift_end, author, note, open_cases, created_at, received_by, "
    "received_at FROM handovers ORDER BY id",
    "metrics": "SELECT name, at, labels, value, unit FROM metrics ORDER BY name, at, labels",
    "failed_items": "SELECT job, item, failed_at, first_failed_at, attempts, retry FROM failed_items "
    "WHERE job IN ('discovery', 'supervision') ORDER BY job, item",
}


@dataclass(frozen=True, slots=True)
class Replica:
    """One store as far as agreement goes."""

    path: Path
    applied: int  # the last log sequence it applied
    audit_rows: int
    audit_head: str  # the hash of the chain's last row ("" when empty)
    cases: int
    cases_digest: str  # SHA-256 over every case row, in id order
    records: tuple[tuple[str, int, str], ...] = ()  # (table, rows, SHA-256) for each of RECORDS

    def summary(self) -> str:
        head = self.audit_head[:16] or "(empty)"
        return (
            f"{self.path}: log sequence {self.applied}, {self.audit_rows} audit rows, head {head}, "
            f"{self.cases} cases"
        )


def read_replica(path: Path) -> Replica:
    """The replica at `path` (read-only; sqlite3.Error when it is no store)."""
    conn = open_read_only(path)
    try:
        applied, _ = read_cursor(conn)
        count, head = conn.execute(
            "SELECT count(*), coalesce((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '') FROM audit"
        ).fetchone()
        digest = hashlib.sha256()
        cases = 0
        for row in conn.execute(f"SELECT {CASE_COLUMNS} FROM cases ORDER BY id"):
            digest.update(_ENCODE(row).encode())
            cases += 1
        return Replica(path, applied, int(count), str(head), cases, digest.hexdigest(), _records(conn))
    finally:
        conn.close()


def _records(conn: Any) -> tuple[tuple[str, int, str], ...]:
    found = []
    for table, sql in RECORDS.items():
        digest, rows = hashlib.sha256(), 0
        for row in conn.execute(sql):
            digest.update(_ENCODE(tuple(row)).encode())
            rows += 1
        found.append((table, rows, digest.hexdigest()))
    return tuple(found)


def differences(first: Path, other: Path, limit: int = 5) -> list[str]:
    """What differs between two replicas, precisely: the audit head, then the first case rows that differ
    column by column (at most `limit` lines about cases). Empty when they agree."""
    a, b = read_replica(first), read_replica(other)
    found: list[str] = []
    if a.applied != b.applied:
        found.append(f"log sequence: {a.path} applied {a.applied}, {b.path} applied {b.applied}")
    if (a.audit_rows, a.audit_head) != (b.audit_rows, b.audit_head):
        found.append(
            f"audit head: {a.path} has {a.audit_rows} rows ending {a.audit_head[:16] or '(empty)'}, "
            f"{b.path} has {b.audit_rows} rows ending {b.audit_head[:16] or '(empty)'}"
        )
    for (table, rows_a, digest_a), (_, rows_b, digest_b) in zip(a.records, b.records, strict=True):
        if digest_a != digest_b:
            found.append(f"{table}: the rows differ ({a.path} has {rows_a}, {b.path} has {rows_b})")
    if a.cases_digest != b.cases_digest:
        found.extend(_case_differences(a.path, b.path, limit))
    return found


def _case_rows(path: Path) -> dict[int, tuple[Any, ...]]:
    conn = open_read_only(path)
    try:
        return {row[0]: row for row in conn.execute(f"SELECT {CASE_COLUMNS} FROM cases ORDER BY id")}
    finally:
        conn.close()


def _case_differences(first: Path, other: Path, limit: int) -> list[str]:
    rows_a, rows_b = _case_rows(first), _case_rows(other)
    found: list[str] = []
    for case_id in sorted(rows_a.keys() | rows_b.keys()):
        row_a, row_b = rows_a.get(case_id), rows_b.get(case_id)
        if row_a == row_b:
            continue
        if row_a is None or row_b is None:
            where = other if row_a is None else first
            found.append(f"case {case_id}: only in {where}")
        else:
            columns = [
                f"{name} {va!r} / {vb!r}"
                for name, va, vb in zip(CASE_FIELDS, row_a, row_b, strict=True)
                if va != vb
            ]
            found.append(f"case {case_id}: {'; '.join(columns)} ({first} / {other})")
        if len(found) == limit:
            found.append("… (more cases differ)")
            break
    return found
