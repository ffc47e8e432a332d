"""Reading and writing case rows: the column list, row ↔ Case, and the optimistic-lock update."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

from dispatch.casework.model import OPEN_STATES, Card, Case, CaseState

CASE_FIELDS = tuple(f.name for f in dataclasses.fields(Case))
CASE_COLUMNS = ", ".join(CASE_FIELDS)
_BOOLS = {"exercise", "acknowledged", "verified"}


def case_from_row(row: tuple[Any, ...]) -> Case:
    """A Case from a row selected with CASE_COLUMNS."""
    values = dict(zip(CASE_FIELDS, row, strict=True))
    values["state"] = CaseState(values["state"])
    values["card"] = Card(values["card"])
    values["manual_card"] = Card(values["manual_card"])
    if values["resume_state"] is not None:
        values["resume_state"] = CaseState(values["resume_state"])
    for name in _BOOLS:
        values[name] = bool(values[name])
    return Case(**values)


def _column_value(value: Any) -> Any:
    if isinstance(value, CaseState):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Card):
        return int(value)
    return value


def load_case(conn: sqlite3.Connection, case_id: int) -> Case | None:
    """The case with this id, or None."""
    row = conn.execute(f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else case_from_row(row)


def insert_case(conn: sqlite3.Connection, case: Case) -> Case:
    """Insert a new case (its id is assigned here unless set) and return it as stored."""
    values = {name: _column_value(getattr(case, name)) for name in CASE_FIELDS}
    if not case.id:
        del values["id"]
    values["is_open"] = int(case.state in OPEN_STATES)
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cursor = conn.execute(f"INSERT INTO cases ({names}) VALUES ({marks})", tuple(values.values()))
    row_id = case.id or cursor.lastrowid
    assert row_id is not None
    return dataclasses.replace(case, id=row_id)


def update_case(conn: sqlite3.Connection, before: Case, after: Case) -> bool:
    """Write the fields that changed, only if the stored version is still `before.version`."""
    changed = {
        name: _column_value(getattr(after, name))
        for name in CASE_FIELDS
        if name != "id" and getattr(after, name) != getattr(before, name)
    }
    if after.state != before.state:
        changed["is_open"] = int(after.state in OPEN_STATES)
    assignments = ", ".join(f"{name} = ?" for name in changed)
    cursor = conn.execute(
        f"UPDATE cases SET {assignments} WHERE id = ? AND version = ?",
        (*changed.values(), before.id, before.version),
    )
    return cursor.rowcount == 1


def family(conn: sqlite3.Connection, case_id: int) -> list[int]:
    """The case and every case merged into it, directly or through others, oldest id first: whose events
    and audit rows make up its whole story."""
    # A master's own merge rows name what it absorbed; reading them by case keeps to the audit_case index.
    rows = conn.execute(
        "WITH RECURSIVE f(id) AS (SELECT ? UNION SELECT json_extract(a.payload, '$.absorbed') "
        "FROM audit AS a JOIN f ON a.case_id = f.id WHERE a.action = 'merge' AND a.to_state != 'merged' "
        # A case split off again is no longer part of the story (unless merged back after the split).
        "AND NOT EXISTS (SELECT 1 FROM audit AS s WHERE s.case_id = a.case_id AND s.action = 'split' "
        "AND s.id > a.id AND json_extract(s.payload, '$.released') = json_extract(a.payload, '$.absorbed'))) "
        "SELECT id FROM f ORDER BY id",
        (case_id,),
    )
    return [row[0] for row in rows]
