"""Replaying the audit case by case: every column of every case and every order must be what its history
says, from the first row that opened the case to the last one that changed it."""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import msgspec

from dispatch.casework.model import OPEN_STATES
from dispatch.casework.records.audit_changes import ORDER_COLUMNS, ORDER_FIELDS, cell
from dispatch.casework.records.cases import CASE_COLUMNS, CASE_FIELDS

_ALL_FIELDS = frozenset(CASE_FIELDS)
_COLUMN = {name: i for i, name in enumerate(CASE_FIELDS)}
_STATE, _VERSION, _IS_OPEN = _COLUMN["state"], _COLUMN["version"], len(CASE_FIELDS)
_OPEN = frozenset(state.value for state in OPEN_STATES)


class _Recorded(msgspec.Struct, forbid_unknown_fields=True):
    """The `changes` column of one audit row."""

    case: dict[str, tuple[Any, Any]]
    order: dict[str, Any] | None = None


_DECODER = msgspec.json.Decoder(_Recorded)


@dataclass(frozen=True, slots=True)
class Replay:
    """Cases replayed, how many of them (begun before changes were recorded) only by state and version,
    the first case that disagrees with its history and how."""

    cases: int
    legacy: int = 0
    case_id: int | None = None
    problem: str = ""


class _Mismatch(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def replay(conn: sqlite3.Connection) -> Replay:
    """Replay every case's history against its row and its orders; stop at the first that disagrees."""
    stray = conn.execute(
        "SELECT order_id, case_id FROM outbox WHERE typeof(case_id) != 'integer' ORDER BY rowid LIMIT 1"
    ).fetchone()
    if stray is not None:
        return Replay(0, 0, None, f"order {stray[0]} names {stray[1]!r}, which is not a case")
    checked = legacy = 0
    for case_id, case, rows, orders in _by_case(conn):
        try:
            legacy += _check_case(case_id, case, rows, orders)
        except _Mismatch as mismatch:
            return Replay(checked, legacy, case_id, mismatch.problem)
        checked += 1
    return Replay(checked, legacy)


def _by_case(
    conn: sqlite3.Connection,
) -> Iterator[tuple[int, tuple[Any, ...] | None, list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Each case id with its row (or None), its audit rows in order and its orders: three sorted scans
    merged, so a million cases need no more memory than one."""
    cases = ((r[0], 0, r) for r in conn.execute(f"SELECT {CASE_COLUMNS}, is_open FROM cases ORDER BY id"))
    history = (
        (r[0], 1, r)
        for r in conn.execute("SELECT case_id, id, to_state, changes FROM audit ORDER BY case_id, id")
    )
    outbox = (
        (r[0], 2, r)
        for r in conn.execute(f"SELECT case_id, {ORDER_COLUMNS} FROM outbox ORDER BY case_id, order_id")
    )
    merged = heapq.merge(cases, history, outbox, key=itemgetter(0, 1))
    for case_id, items in groupby(merged, key=itemgetter(0)):
        case: tuple[Any, ...] | None = None
        rows: list[tuple[Any, ...]] = []
        orders: list[tuple[Any, ...]] = []
        for _, kind, row in items:
            if kind == 0:
                case = row
            elif kind == 1:
                rows.append(row[1:])
            else:
                orders.append(row[1:])
        yield case_id, case, rows, orders


def _check_case(
    case_id: int, case: tuple[Any, ...] | None, rows: list[tuple[Any, ...]], orders: list[tuple[Any, ...]]
) -> int:
    """Raise _Mismatch where the case disagrees with its history; 1 when it could only be checked by state
    and version (part of its history is from before the audit recorded changes), else 0."""
    if case is None:
        if rows:
            raise _Mismatch(f"row {rows[0][0]} belongs to case {case_id}, which is gone")
        raise _Mismatch(f"order {orders[0][0]} belongs to case {case_id}, which is gone")
    state, version, is_open = case[_STATE], case[_VERSION], case[_IS_OPEN]
    if not rows:
        raise _Mismatch(f"case {case_id} has no history")
    last_state = rows[-1][1]
    if len(rows) != version or last_state != state:
        raise _Mismatch(
            f"case {case_id} is {state} at version {version} but its history has "
            f"{len(rows)} rows ending in {last_state}"
        )
    if is_open != int(last_state in _OPEN):
        raise _Mismatch(f"case {case_id} is {state} but marked is_open = {is_open!r}")
    full = all(row[2] is not None for row in rows)
    values, since, recorded = _replay_rows(case_id, rows, full=full)
    for name, value in values.items():
        stored = case[_COLUMN[name]]
        if cell(name, stored) != value:
            raise _Mismatch(
                f"case {case_id}'s {name} is {stored!r} but its history (row {since[name]}) says {value!r}"
            )
    _check_orders(case_id, orders, recorded, full=full)
    return 0 if full else 1


def _replay_rows(
    case_id: int, rows: list[tuple[Any, ...]], *, full: bool
) -> tuple[dict[str, Any], dict[str, int], dict[str, tuple[int, dict[str, Any]]]]:
    """The case's columns after its last row, the row that set each one, and the orders it made."""
    values: dict[str, Any] = {}
    since: dict[str, int] = {}
    recorded: dict[str, tuple[int, dict[str, Any]]] = {}
    for row_id, to_state, text in rows:
        if text is None:
            continue
        try:
            changes = _DECODER.decode(text)
        except msgspec.DecodeError as error:
            raise _Mismatch(
                f"row {row_id} of case {case_id} records changes that cannot be read: {error}"
            ) from None
        unknown = set(changes.case) - _ALL_FIELDS
        if unknown:
            raise _Mismatch(f"row {row_id} of case {case_id} changes unknown columns {sorted(unknown)}")
        for name, (before, after) in changes.case.items():
            if full and values.get(name) != before:
                was = f"row {since[name]} left it {values[name]!r}" if name in values else "it was unset"
                raise _Mismatch(f"row {row_id} of case {case_id} changes {name} from {before!r}, but {was}")
            values[name] = after
            since[name] = row_id
        if full and len(values) != len(_ALL_FIELDS):
            missing = sorted(_ALL_FIELDS - set(values))
            raise _Mismatch(f"row {row_id} of case {case_id} leaves columns unset: {missing}")
        if "state" in values and values["state"] != to_state:
            raise _Mismatch(
                f"row {row_id} of case {case_id} moves it to {to_state} but sets its state to "
                f"{values['state']!r}"
            )
        if changes.order is not None:
            recorded[str(changes.order.get("order_id"))] = (row_id, changes.order)
    if full and values.get("id") != case_id:
        raise _Mismatch(f"the history of case {case_id} opened case {values.get('id')!r}")
    return values, since, recorded


def _check_orders(
    case_id: int,
    orders: list[tuple[Any, ...]],
    recorded: dict[str, tuple[int, dict[str, Any]]],
    *,
    full: bool,
) -> None:
    """Every order the history made is in the outbox as made; with a full history, nothing else is."""
    present = {str(order[0]): order for order in orders}
    for order_id, (row_id, made) in recorded.items():
        found = present.get(order_id)
        if found is None:
            raise _Mismatch(f"order {order_id} of case {case_id} (row {row_id}) is missing from the outbox")
        for name, value in zip(ORDER_FIELDS, found, strict=True):
            if cell(name, value) != made.get(name):
                raise _Mismatch(
                    f"order {order_id} of case {case_id} has {name} {value!r} but row {row_id} made it "
                    f"{made.get(name)!r}"
                )
    if full:
        extra = sorted(set(present) - set(recorded))
        if extra:
            raise _Mismatch(f"order {extra[0]} of case {case_id} is in the outbox but in no audit row")
