"""Live counters: what the cockpit shows now, kept row by row from the audit table, and the check that they
agree with the metrics recomputed from audit and with the cases table."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from dispatch.casework.evaluation import Tally
from dispatch.casework.model import HANDLING_STATES, OPEN_STATES, Action, AuditRow, Card, CaseState
from dispatch.casework.records.audit import AUDIT_COLUMNS, audit_from_row
from dispatch.casework.records.metrics import compute, total_of


@dataclass(frozen=True, slots=True)
class Live:
    """What the cockpit shows now: open cases, those past their handling deadline, carded, parked."""

    open: int = 0
    overdue: int = 0
    carded: int = 0  # a yellow or red card (the yellow light is not a card)
    parked: int = 0


def live_counts(conn: sqlite3.Connection, now: float, *, exercise: bool = False) -> Live:
    """The live counters read from the cases table in one pass over the open cases (cheap, indexed)."""
    owing = ", ".join(f"'{state.value}'" for state in sorted(HANDLING_STATES))
    row = conn.execute(
        "SELECT count(*), coalesce(sum(parked_since IS NULL AND handle_due < ? AND state IN "
        f"({owing})), 0), coalesce(sum(card >= ?), 0), coalesce(sum(parked_since IS NOT NULL), 0) "
        "FROM cases WHERE is_open = 1 AND exercise = ?",
        (now, int(Card.YELLOW_CARD), int(exercise)),
    ).fetchone()
    return Live(*(int(v) for v in row))


@dataclass(slots=True)
class _Track:
    """One case as the audit rows so far describe it (the cycle of its latest dispatch)."""

    state: CaseState
    card: int = 0
    manual: int = 0  # the 督办 level, which outlives a re-dispatch
    unit: str = ""
    dispatched: bool = False
    due: float | None = None
    parked: bool = False
    extended: bool = False
    reworked: bool = False
    on_time: bool = False  # its last handled report was on time and no check has failed it since
    closed: bool = False

    def tally(self) -> tuple[int, ...]:
        if not self.dispatched:
            return (0,) * 7
        if self.parked:
            return (0, 0, 0, 0, 0, 0, 1)
        closed, on_time = int(self.closed), int(self.on_time)
        return (1, closed, closed * on_time, int(self.reworked), on_time, int(self.extended), 0)

    def live(self) -> tuple[int, int, int]:
        is_open = self.state in OPEN_STATES
        return int(is_open), int(is_open and self.card >= Card.YELLOW_CARD), int(is_open and self.parked)


_RESETS = frozenset({Action.DISPATCH, Action.APPROVE_RETURN, Action.REOPEN})
# Rows whose payload says the card the case has after them. An extension, a resume from parking and a
# merge into the case refresh the card too (up or down): their payloads must carry it for the counters.
_CARD_ACTIONS = frozenset(
    {Action.CARD, Action.SUPERVISE, Action.APPROVE_EXTENSION, Action.UNPARK, Action.MERGE, Action.SPLIT}
)


def closed_since(conn: sqlite3.Connection, since: float, *, exercise: bool = False) -> int:
    """How many cases were closed (结案) at or after `since`, whenever they were due: what the officers
    finished, beside the rates that count cases by their deadline."""
    row = conn.execute(
        "SELECT count(DISTINCT case_id) FROM audit WHERE exercise = ? AND at >= ? AND action = ?",
        (int(exercise), since, Action.CLOSE.value),
    ).fetchone()
    return int(row[0])


class LiveCounters:
    """Counters kept row by row from the audit table; after the same rows they equal `compute` over all
    time and `live_counts` — the check that audit, metrics and the cases table tell one story."""

    def __init__(self, *, exercise: bool = False) -> None:
        self.exercise = exercise
        self.last_id = 0
        self._cases: dict[int, _Track] = {}
        self._units: dict[str, list[int]] = {}
        self._live = [0, 0, 0]
        self._owing: dict[int, float] = {}  # case → handling deadline, while the unit owes the work

    def catch_up(self, conn: sqlite3.Connection) -> int:
        """Apply every audit row written since the last one seen; returns how many were read."""
        rows = conn.execute(f"SELECT {AUDIT_COLUMNS} FROM audit WHERE id > ? ORDER BY id", (self.last_id,))
        count = 0
        for row in rows:
            self.apply(audit_from_row(row))
            count += 1
        return count

    def apply(self, row: AuditRow) -> None:
        """Account for one audit row (rows must come in id order; the other kind of case is skipped)."""
        self.last_id = max(self.last_id, row.id)
        if row.exercise != self.exercise:
            return
        track = self._cases.get(row.case_id)
        if track is None:
            track = self._cases[row.case_id] = _Track(row.to_state)
        else:
            self._count(track, -1)
        _follow(track, row)
        self._count(track, +1)
        if track.dispatched and not track.parked and track.state in HANDLING_STATES and track.due is not None:
            self._owing[row.case_id] = track.due
        else:
            self._owing.pop(row.case_id, None)

    def _count(self, track: _Track, sign: int) -> None:
        for i, value in enumerate(track.live()):
            self._live[i] += sign * value
        if track.dispatched:
            column = self._units.setdefault(track.unit, [0] * 7)
            for i, value in enumerate(track.tally()):
                column[i] += sign * value

    def live(self, now: float) -> Live:
        overdue = sum(1 for due in self._owing.values() if due < now)
        return Live(self._live[0], overdue, self._live[1], self._live[2])

    def by_unit(self) -> dict[str, Tally]:
        """Per responsible unit: the tally of all time (every deadline so far), parked-only units too."""
        return {unit: Tally(*column) for unit, column in self._units.items() if any(column)}

    def total(self) -> Tally:
        return total_of(self.by_unit().values())


def _follow(track: _Track, row: AuditRow) -> None:
    payload = row.payload
    track.state = row.to_state
    if row.action in _RESETS:
        track.dispatched = row.action is Action.DISPATCH
        track.unit = str(payload.get("unit", "")) if track.dispatched else ""
        track.due = payload.get("handle_due") if track.dispatched else None
        if not track.dispatched:
            track.manual = 0
        track.card = track.manual
        track.parked = track.extended = track.reworked = track.on_time = track.closed = False
    elif row.action is Action.APPROVE_EXTENSION:
        track.due, track.extended = payload["new_due"], True
    elif row.action is Action.PARK:
        track.parked = True
    elif row.action is Action.UNPARK:
        track.due, track.parked = payload["new_due"], False
    elif row.action is Action.FAIL_CHECK:
        track.reworked, track.on_time = True, False
    elif row.action is Action.HANDLE:
        track.on_time = bool(payload.get("on_time", False))
    elif row.action is Action.CLOSE:
        track.closed = True
    if row.action in _CARD_ACTIONS and "card" in payload:
        track.card = int(payload["card"])
    if row.action is Action.SUPERVISE:
        track.manual = int(payload["manual"])


def mismatches(conn: sqlite3.Connection, counters: LiveCounters, now: float) -> list[str]:
    """Where `counters` (fed every audit row) disagree with `compute` over all time or with `live_counts`."""
    problems: list[str] = []
    report = compute(conn, -math.inf, math.inf, exercise=counters.exercise)
    if report.total != counters.total():
        problems.append(f"total: audit says {report.total}, counters say {counters.total()}")
    audited = {line.unit: line.tally for line in report.departments}
    kept = {unit: tally for unit, tally in counters.by_unit().items() if tally.due}
    for unit in sorted(audited.keys() | kept.keys()):
        if audited.get(unit) != kept.get(unit):
            problems.append(f"unit {unit}: audit says {audited.get(unit)}, counters say {kept.get(unit)}")
    stored = live_counts(conn, now, exercise=counters.exercise)
    if stored != counters.live(now):
        problems.append(f"live: cases table says {stored}, counters say {counters.live(now)}")
    return problems
