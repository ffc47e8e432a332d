"""A recorded period of a real store, read for a replay: events, metric readings, people's case actions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from dispatch.casework.model import Action, Role
from dispatch.store.read_only import open_read_only, read_only_uri

# What the loop does by itself (opening cases, folding in source updates, cards from the timers): the
# replay's own loop does these again from the replayed events; only what people did is carried over.
_LOOP_ACTIONS = frozenset({Action.DISCOVER, Action.SOURCE_UPDATE, Action.ATTACH, Action.CARD})


class PeriodError(ValueError):
    """The store cannot be replayed: no events table, or not a store of the closed loop at all."""


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    """One stored event revision: `at_s` after the period's start (when the real intake received it)."""

    at_s: float
    source: str
    event_id: str
    title: str
    payload: dict[str, object]


@dataclass(frozen=True, slots=True)
class ReplayMetric:
    at_s: float
    name: str
    value: float
    unit: str
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class ReplayAction:
    """One thing a person (or a unit) did to a real case, with the events that case holds, by which the
    replay finds the case its own loop opened from the same events."""

    at_s: float
    case_code: str
    action: Action
    actor: str
    role: Role
    reason: str
    payload: dict[str, object]
    events: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Period:
    start: float
    end: float
    events: tuple[ReplayEvent, ...] = ()
    metrics: tuple[ReplayMetric, ...] = ()
    actions: tuple[ReplayAction, ...] = ()
    # Rows that could not be read (a payload that is not JSON, an unknown action): counted, not played.
    unreadable: int = 0
    case_of_event: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end - self.start

    @property
    def empty(self) -> bool:
        return not (self.events or self.metrics or self.actions)


def open_recorded(path: Path) -> sqlite3.Connection:
    """The real store, read-only and leaving no trace: a store closed cleanly (no -wal beside it) is read
    as the immutable file it is, since even a read-only connection would leave a -wal and a -shm behind;
    one in use is read through its write-ahead log like any reader."""
    if not path.with_name(path.name + "-wal").exists():
        conn = sqlite3.connect(read_only_uri(path, immutable=True), uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            conn.close()
            raise
        return conn
    return open_read_only(path)


def read_period(conn: sqlite3.Connection, start: float, end: float) -> Period:
    """Everything recorded in [start, end): events by received time, readings by their time, case actions
    by their audit time, each in order. Reads only (the caller opens the store read-only)."""
    if not start < end:
        raise ValueError("the period must end after it starts")
    tables = {str(row[0]) for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "events" not in tables:
        raise PeriodError("it has no events table (not a Tianshu store)")
    unreadable = 0
    events: list[ReplayEvent] = []
    for source, event_id, title, received_at, payload in conn.execute(
        "SELECT source, event_id, title, received_at, payload FROM events "
        "WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id",
        (start, end),
    ):
        body = _json_object(payload)
        if body is None:
            unreadable += 1
            continue
        events.append(
            ReplayEvent(float(received_at) - start, str(source), str(event_id), str(title or ""), body)
        )
    metrics: list[ReplayMetric] = []
    if "metrics" in tables:
        for name, value, unit, at, labels in conn.execute(
            "SELECT name, value, unit, at, labels FROM metrics WHERE at >= ? AND at < ? ORDER BY at, id",
            (start, end),
        ):
            parsed = _json_object(labels) if labels else {}
            if parsed is None or value is None:
                unreadable += 1
                continue
            metrics.append(ReplayMetric(
                float(at) - start, str(name), float(value), str(unit or ""),
                {str(k): str(v) for k, v in parsed.items()},
            ))  # fmt: skip
    actions: list[ReplayAction] = []
    case_of_event: dict[tuple[str, str], str] = {}
    if {"audit", "cases", "case_events"} <= tables:
        actions, case_of_event, skipped = _actions(conn, start, end)
        earlier, skipped_events = _earlier_events(conn, start, case_of_event)
        events, unreadable = earlier + events, unreadable + skipped + skipped_events
    return Period(start, end, tuple(events), tuple(metrics), tuple(actions), unreadable, case_of_event)


_AUDIT_SQL = (
    "SELECT a.case_id, c.code, a.action, a.actor, a.role, a.reason, a.payload, a.at FROM audit a "
    "JOIN cases c ON c.id = a.case_id "
)


def _actions(
    conn: sqlite3.Connection, start: float, end: float
) -> tuple[list[ReplayAction], dict[tuple[str, str], str], int]:
    """People's actions in the period, after those taken earlier on the same cases (brought in at the start,
    so a case registered before the period can be dispatched in it); each event's real case code."""
    keys: dict[int, tuple[tuple[str, str], ...]] = {}
    rows = conn.execute(
        _AUDIT_SQL + "WHERE a.at >= ? AND a.at < ? ORDER BY a.at, a.id", (start, end)
    ).fetchall()
    acted = sorted({int(row[0]) for row in rows})
    earlier: list[tuple[object, ...]] = []
    for case_id in acted:
        earlier += conn.execute(
            _AUDIT_SQL + "WHERE a.case_id = ? AND a.at < ? ORDER BY a.at, a.id", (case_id, start)
        ).fetchall()
    earlier.sort(key=lambda row: float(str(row[7])))
    unreadable = 0
    out: list[ReplayAction] = []
    case_of_event: dict[tuple[str, str], str] = {}
    for row in [*earlier, *rows]:
        action = _read_action(conn, row, start, keys)
        if action is None:
            unreadable += 1
        elif action.action not in _LOOP_ACTIONS and action.role is not Role.SYSTEM:
            out.append(action)
        for key in keys.get(int(str(row[0])), ()):
            case_of_event.setdefault(key, str(row[1]))
    return out, case_of_event, unreadable


def _earlier_events(
    conn: sqlite3.Connection, start: float, case_of_event: dict[tuple[str, str], str]
) -> tuple[list[ReplayEvent], int]:
    """The events received before the period of cases acted on in it: sent at its start, so a case that
    was already open then is open in the replay too when the first action on it comes."""
    out: list[ReplayEvent] = []
    unreadable = 0
    for source, event_id in case_of_event:
        for title, payload in conn.execute(
            "SELECT title, payload FROM events WHERE source = ? AND event_id = ? AND received_at < ? "
            "ORDER BY revision",
            (source, event_id, start),
        ):
            body = _json_object(payload)
            if body is None:
                unreadable += 1
                continue
            out.append(ReplayEvent(0.0, source, event_id, str(title or ""), body))
    return out, unreadable


def _read_action(
    conn: sqlite3.Connection,
    row: tuple[object, ...],
    start: float,
    keys: dict[int, tuple[tuple[str, str], ...]],
) -> ReplayAction | None:
    case_id, code, action, actor, role, reason, payload, at = row
    try:
        parsed_action, parsed_role = Action(str(action)), Role(str(role))
    except ValueError:
        return None
    body = _json_object(payload) if payload else {}
    if body is None:
        return None
    number = int(str(case_id))
    if number not in keys:
        keys[number] = tuple(
            (str(source), str(event_id))
            for source, event_id in conn.execute(
                "SELECT source, event_id FROM case_events WHERE case_id = ? ORDER BY linked_at", (number,)
            )
        )
    return ReplayAction(
        max(0.0, float(str(at)) - start), str(code), parsed_action, str(actor), parsed_role,
        str(reason or ""), body, keys[number],
    )  # fmt: skip


def _json_object(text: object) -> dict[str, object] | None:
    try:
        value = json.loads(str(text))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
