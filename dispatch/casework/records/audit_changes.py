"""What an audit row changed: the case columns before and after, and the order it put in the outbox."""

from __future__ import annotations

import dataclasses
import math
import sqlite3
import typing
from typing import Any

from dispatch.casework.model import Card, Case, CaseState
from dispatch.casework.records.cases import CASE_FIELDS

# The outbox columns an order is made of; sent_at, attempts and acked_at are delivery bookkeeping that the
# feed connection keeps (docs/closed-loop.md, threat model).
ORDER_FIELDS = ("order_id", "unit", "body", "exercise", "created_at")
ORDER_COLUMNS = ", ".join(ORDER_FIELDS)
_HINTS = typing.get_type_hints(Case)
# Columns SQLite stores as REAL: an integer written there comes back as a float (and a huge one rounded).
REAL_FIELDS = frozenset(f.name for f in dataclasses.fields(Case) if _HINTS[f.name] in (float, float | None))


def cell(name: str, value: Any) -> Any:
    """A column value as the audit records it: what SQLite hands back, in plain JSON.

    NaN is stored as NULL; ±inf is kept as a tagged value, since JSON has no infinity.
    """
    if isinstance(value, CaseState):
        return value.value
    if isinstance(value, bool | Card):
        return int(value)
    if isinstance(value, int) and name in REAL_FIELDS:
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return {"float": "inf" if value > 0 else "-inf"}
    return value


def case_changes(before: Case | None, after: Case) -> dict[str, list[Any]]:
    """{column: [before, after]} for every column that differs; every column of a new case (before None)."""
    if before is None:
        return {name: [None, cell(name, getattr(after, name))] for name in CASE_FIELDS}
    changes: dict[str, list[Any]] = {}
    for name in CASE_FIELDS:
        raw_new, raw_old = getattr(after, name), getattr(before, name)
        # Most columns are untouched: equal values of one type record the same cell (a burst of 4,000
        # reports spent a quarter of its time converting columns that had not changed).
        if raw_new is raw_old or (type(raw_new) is type(raw_old) and raw_new == raw_old):
            continue
        new, old = cell(name, raw_new), cell(name, raw_old)
        if old != new:
            changes[name] = [old, new]
    return changes


def order_record(conn: sqlite3.Connection, order_id: str) -> dict[str, Any]:
    """An order as the outbox holds it (read back, so the record is what a verifier will find)."""
    row = conn.execute(f"SELECT {ORDER_COLUMNS} FROM outbox WHERE order_id = ?", (order_id,)).fetchone()
    if row is None:
        raise LookupError(f"no order {order_id} in the outbox")
    return {name: cell(name, value) for name, value in zip(ORDER_FIELDS, row, strict=True)}


def changes_of(
    conn: sqlite3.Connection, before: Case | None, after: Case, order_id: str | None = None
) -> dict[str, Any]:
    """What an audit row records beside its transition: the case's changed columns and any new order."""
    record: dict[str, Any] = {"case": case_changes(before, after)}
    if order_id is not None:
        record["order"] = order_record(conn, order_id)
    return record
