"""综合评价 from the audit table: closure, on-time, rework and extension rates, stage durations, grades."""

from __future__ import annotations

import enum
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch.casework.evaluation import Grade, Span, Tally, grade_of

# docs/metrics.md defines every number below; keep the two in step.


@dataclass(frozen=True, slots=True)
class Durations:
    """Samples of one span: how many, and the nearest-rank 50th and 90th percentiles in seconds."""

    count: int
    p50: float
    p90: float


@dataclass(frozen=True, slots=True)
class DepartmentLine:
    """One responsible unit's evaluation; its sign and handled spans are those of orders sent to it."""

    unit: str
    tally: Tally
    volume_score: float
    score: float
    grade: Grade
    spans: Mapping[Span, Durations] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OperatorLine:
    """What one login did in the period, and the spans its own actions ended."""

    actor: str
    roles: tuple[str, ...]
    actions: Mapping[str, int]
    spans: Mapping[Span, Durations] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Report:
    """The evaluation of [start, end) over real cases, or over exercise cases only."""

    start: float
    end: float
    exercise: bool
    total: Tally
    spans: Mapping[Span, Durations]
    departments: tuple[DepartmentLine, ...]  # best score first
    operators: tuple[OperatorLine, ...]


class Kind(enum.IntEnum):
    """The audit actions the evaluation follows, numbered for the column arrays."""

    DISCOVER = 1
    REGISTER = 2
    APPROVE_RETURN = 3
    REOPEN = 4
    DISPATCH = 5
    SIGN = 6
    APPROVE_EXTENSION = 7
    PARK = 8
    UNPARK = 9
    HANDLE = 10
    FAIL_CHECK = 11
    CLOSE = 12


_KIND = "CASE action " + " ".join(f"WHEN '{k.name.lower()}' THEN {k.value}" for k in Kind) + " END"
_US = "CAST(round({} * 1000000) AS INTEGER)"  # instants in whole microseconds compare exactly
_READY = (Kind.REGISTER, Kind.APPROVE_RETURN, Kind.REOPEN)  # what a dispatch waits after
_MOVES = (Kind.APPROVE_EXTENSION, Kind.UNPARK)  # what moves a running deadline
_ENDS = (Kind.REGISTER, Kind.DISPATCH, Kind.SIGN, Kind.HANDLE, Kind.CLOSE)  # rows that end a span

# Rows of the kinds above written before the period end come back as columns in one pass, unsorted; a
# payload field or an actor has a list of its own, one entry per row of the kinds that carry it (never
# NULL, which group_concat would skip and so misalign the list).
_COLUMNS = f"""
SELECT group_concat(case_id), group_concat(id), group_concat({_US.format("at")}), group_concat({_KIND}),
    group_concat(iif(action IN ('register', 'dispatch', 'sign', 'handle', 'close')
        AND {_US.format("at")} >= :start_us, actor, NULL), char(31)),
    group_concat(iif(action = 'dispatch', coalesce({_US.format("json_extract(payload, '$.handle_due')")}, 0),
        NULL)),
    group_concat(iif(action = 'dispatch', coalesce(json_extract(payload, '$.unit'), ''), NULL), char(31)),
    group_concat(iif(action IN ('approve_extension', 'unpark'),
        coalesce({_US.format("json_extract(payload, '$.new_due')")}, 0), NULL)),
    group_concat(iif(action = 'handle', coalesce(json_extract(payload, '$.on_time'), 0), NULL))
FROM audit NOT INDEXED
WHERE id < :until AND exercise = :exercise AND at < :end
    AND action IN ({", ".join(f"'{k.name.lower()}'" for k in Kind)})
"""
_SCAN_ALL = _COLUMNS
# When the history reaches back before the period, only some cases can count: those with audit rows since
# the period start (`since` is the first such row), and those whose stored deadline falls in the period
# (their history is then older, so that is also their deadline as of its end).
# Case ids grow with their first audit row, so nothing older than the oldest candidate's first row is read.
_SCAN_SOME = f"""
WITH candidate AS MATERIALIZED (
    SELECT case_id FROM audit NOT INDEXED WHERE id >= :since AND exercise = :exercise
    UNION SELECT id FROM cases WHERE is_open IN (0, 1) AND exercise = :exercise
        AND handle_due >= :start AND handle_due < :end
) {_COLUMNS}
    AND case_id IN candidate
    AND id >= (SELECT min(id) FROM audit WHERE case_id = (SELECT min(case_id) FROM candidate))
"""
# Rows are written in time order, so the rows of a period are a range of ids (read without an index).
_FIRST_SQL = "SELECT id FROM audit WHERE exercise = ? AND at >= ? ORDER BY at LIMIT 1"

# Units are evaluated as departments and `system` is Tianshu itself: operators are the people.
_ACTIONS_SQL = """
SELECT group_concat(actor || char(30) || role || char(30) || action, char(31)) FROM audit NOT INDEXED
WHERE id >= :since AND id < :until AND exercise = :exercise AND at >= :start AND at < :end
    AND role NOT IN ('unit', 'system')
"""

Ints = NDArray[np.int64]
Index = NDArray[np.intp]
Coded = tuple[Index, list[str]]  # a code per entry, and the name of each code
_FAR = 2**62  # microseconds for an open end of the period


def compute(conn: sqlite3.Connection, start: float, end: float, *, exercise: bool = False) -> Report:
    """The evaluation of the period [start, end) from the audit rows written before `end`."""
    if not start < end:
        raise ValueError(f"the period must start before it ends ({start} ≥ {end})")
    oldest, since, until = (_first_row(conn, exercise, t) for t in (-math.inf, start, end))
    start_us = _micro(start)
    params = {"start": start, "end": end, "exercise": int(exercise), "since": since, "until": until,
              "start_us": start_us}  # fmt: skip
    scan = _SCAN_ALL if since <= oldest else _SCAN_SOME
    history = _History(tuple(conn.execute(scan, params).fetchone()), start_us, _micro(end))
    totals: dict[Span, Durations] = {}
    by_unit: dict[str, dict[Span, Durations]] = {}
    by_actor: dict[str, dict[Span, Durations]] = {}
    for span, (seconds, actors, units) in history.samples().items():
        if len(seconds):
            totals[span] = _percentiles(seconds, (np.zeros(len(seconds), np.intp), [""]))[""]
        for actor, durations in _percentiles(seconds, actors).items():
            by_actor.setdefault(actor, {})[span] = durations
        for unit, durations in _percentiles(seconds, units).items():
            by_unit.setdefault(unit, {})[span] = durations
    tallies = history.tallies()
    acts = conn.execute(_ACTIONS_SQL, params).fetchone()[0]
    return Report(
        start=start,
        end=end,
        exercise=exercise,
        total=total_of(tallies.values()),
        spans=totals,
        departments=_departments(tallies, by_unit),
        operators=_operators(Counter(_words(acts)), by_actor),
    )


def _first_row(conn: sqlite3.Connection, exercise: bool, t: float) -> int:
    """The id of the first audit row at or after `t`, or one past every row."""
    row = conn.execute(_FIRST_SQL, (int(exercise), t)).fetchone()
    return _FAR if row is None else int(row[0])


def _micro(t: float) -> int:
    return round(t * 1_000_000) if math.isfinite(t) else int(math.copysign(_FAR, t))


def _words(text: str | None) -> list[str]:
    return [] if text is None else text.split("\x1f")


def _ints(text: str | None) -> Ints:
    return np.array([], np.int64) if text is None else np.fromstring(text, np.int64, sep=",")


def _coded(words: list[str]) -> Coded:
    names = list(dict.fromkeys(words))
    index = {name: i for i, name in enumerate(names)}
    return np.fromiter(map(index.__getitem__, words), np.intp, len(words)), names


class _History:
    """The scanned rows sorted by case and id; per case, where its latest row of a kind is (or -1)."""

    def __init__(self, row: tuple[Any, ...], start_us: int, end_us: int) -> None:
        self.start_us, self.end_us = start_us, end_us
        cases, at, kinds = _ints(row[0]), _ints(row[2]), _ints(row[3])
        order = np.lexsort((_ints(row[1]), cases))
        # The n-th row of a kind that has a list of its own is that list's n-th entry (in scan order).
        self.actor_of = _entries(np.isin(kinds, _ENDS) & (at >= start_us), order)
        self.dispatch_of = _entries(kinds == Kind.DISPATCH, order)
        self.move_of = _entries(np.isin(kinds, _MOVES), order)
        self.handle_of = _entries(kinds == Kind.HANDLE, order)
        self.actors, self.units = _coded(_words(row[4])), _coded(_words(row[6]))
        self.first_due, self.new_due, self.on_time = _ints(row[5]), _ints(row[7]), _ints(row[8])
        cases, self.at, self.kind = cases[order], at[order], kinds[order]
        fresh = np.ones(len(cases), bool)
        fresh[1:] = cases[1:] != cases[:-1]
        self.first = np.flatnonzero(fresh)
        self.case = np.cumsum(fresh) - 1

    def latest(self, *kinds: Kind) -> Index:
        rows = np.flatnonzero(np.isin(self.kind, kinds))
        cases = self.case[rows]
        last = np.ones(len(rows), bool)
        last[:-1] = cases[1:] != cases[:-1]
        out = np.full(len(self.first), -1, np.intp)
        out[cases[last]] = rows[last]
        return out

    def tallies(self) -> dict[str, Tally]:
        """Per unit of the latest dispatch: the cases due in the period as of its end, and how they fared."""
        disp, ready, moved, fail = (
            self.latest(*k) for k in ((Kind.DISPATCH,), _READY, _MOVES, (Kind.FAIL_CHECK,))
        )
        handle, close = self.latest(Kind.HANDLE), self.latest(Kind.CLOSE)
        ext, parking = self.latest(Kind.APPROVE_EXTENSION), self.latest(Kind.PARK, Kind.UNPARK)
        moved_due = _pick(self.new_due, self.move_of, moved)
        due = np.where(moved > disp, moved_due, _pick(self.first_due, self.dispatch_of, disp))
        counted = (disp >= 0) & (ready < disp) & (due >= self.start_us) & (due < self.end_us)
        parked = counted & (parking > disp) & (self.kind[parking] == Kind.PARK)
        due_now = counted & ~parked
        closed = due_now & (close > disp)
        on_time = (
            due_now & (handle > disp) & (handle > fail) & (_pick(self.on_time, self.handle_of, handle) == 1)
        )
        # In the order of Tally's fields.
        masks = (due_now, closed, closed & on_time, due_now & (fail > disp), on_time, due_now & (ext > disp),
                 parked)  # fmt: skip
        codes, names = self.units
        unit = np.where(counted, _pick(codes, self.dispatch_of, disp), 0)
        columns = [np.bincount(unit[mask], minlength=len(names)).tolist() for mask in masks]
        return {
            name: Tally(*(c[i] for c in columns))
            for i, name in enumerate(names)
            if columns[0][i] or columns[6][i]
        }

    def samples(self) -> dict[Span, tuple[NDArray[np.float64], Coded, Coded]]:
        """Per span, the samples ending in the period: seconds, actor codes, unit codes (sign and handled)."""
        disp, ready = self.latest(Kind.DISPATCH), self.latest(*_READY)
        began = self.latest(Kind.DISCOVER, Kind.REOPEN)
        spans = {
            Span.REGISTRATION: (self.latest(Kind.REGISTER), self.first, False),
            Span.DISPATCH: (np.where(ready < disp, disp, -1), ready, False),
            Span.SIGN: (self.latest(Kind.SIGN), disp, True),
            Span.HANDLED: (self.latest(Kind.HANDLE), disp, True),
            Span.CLOSED: (self.latest(Kind.CLOSE), began, False),
        }
        out = {}
        for span, (ends, starts, by_unit) in spans.items():
            keep = (ends > starts) & (starts >= 0) & (self.at[ends] >= self.start_us)
            ends, starts = ends[keep], starts[keep]
            seconds = (self.at[ends] - self.at[starts]) / 1e6
            actors = (self.actors[0][self.actor_of[ends]], self.actors[1])
            units = self.units[0][self.dispatch_of[disp[keep]]] if by_unit else np.zeros(0, np.intp)
            out[span] = (seconds, actors, (units, self.units[1] if by_unit else []))
        return out


def _entries(rows: NDArray[np.bool_], order: Index) -> Index:
    return (np.cumsum(rows) - 1)[order]


def _pick(values: NDArray[Any], entry: Index, rows: Index) -> Ints:
    """values[entry[row]] for each row ≥ 0, else 0 (a case without such a row)."""
    out = np.zeros(len(rows), np.int64)
    ok = rows >= 0
    out[ok] = values[entry[rows[ok]]]
    return out


def _percentiles(seconds: NDArray[np.float64], keys: Coded) -> dict[str, Durations]:
    """Nearest-rank p50 and p90 per key: the ⌈p·n⌉-th smallest of its n samples."""
    codes, names = keys
    ranked = seconds[np.lexsort((seconds, codes))] if len(names) > 1 else np.sort(seconds)
    out, first = {}, 0
    for name, n in zip(names, np.bincount(codes, minlength=len(names)).tolist(), strict=True):
        if n:
            p50, p90 = ranked[first + (n + 1) // 2 - 1], ranked[first + (9 * n + 9) // 10 - 1]
            out[name] = Durations(n, float(p50), float(p90))
        first += n
    return out


def total_of(tallies: Iterable[Tally]) -> Tally:
    """The column sums of several tallies (a total line, or every unit's)."""
    columns = [0] * 7
    for tally in tallies:
        for i, value in enumerate(_vector(tally)):
            columns[i] += value
    return Tally(*columns)


def _vector(t: Tally) -> tuple[int, ...]:
    return (t.due, t.closed, t.closed_on_time, t.reworked, t.handled_on_time, t.extended, t.parked)


def volume_score(due: int, busiest: int) -> float:
    """10 × this department's N as a share of the busiest department's N (so 0–10)."""
    return 10.0 * due / busiest if busiest else 0.0


def department_score(tally: Tally, busiest: int) -> float:
    """volume + 30·closure + 30·on-time handling + 30·(1 − rework), rounded to 0.1; needs tally.due > 0."""
    assert tally.closure.rate is not None
    assert tally.on_time_handling.rate is not None
    assert tally.rework.rate is not None
    raw = (
        volume_score(tally.due, busiest)
        + 30 * tally.closure.rate
        + 30 * tally.on_time_handling.rate
        + 30 * (1 - tally.rework.rate)
    )
    return round(raw, 1)


def _departments(
    tallies: Mapping[str, Tally], spans: Mapping[str, Mapping[Span, Durations]]
) -> tuple[DepartmentLine, ...]:
    graded = {unit: t for unit, t in tallies.items() if t.due}
    busiest = max((t.due for t in graded.values()), default=0)
    lines = []
    for unit, tally in graded.items():
        score = department_score(tally, busiest)
        lines.append(
            DepartmentLine(unit, tally, round(volume_score(tally.due, busiest), 1), score, grade_of(score),
                           spans.get(unit, {}))
        )  # fmt: skip
    return tuple(sorted(lines, key=lambda line: (-line.score, line.unit)))


def _operators(
    counted: Counter[str], spans: Mapping[str, Mapping[Span, Durations]]
) -> tuple[OperatorLine, ...]:
    roles: dict[str, set[str]] = {}
    actions: dict[str, dict[str, int]] = {}
    for key, count in counted.items():
        actor, role, action = key.split("\x1e")
        roles.setdefault(actor, set()).add(role)
        done = actions.setdefault(actor, {})
        done[action] = done.get(action, 0) + count
    return tuple(
        OperatorLine(actor, tuple(sorted(roles[actor])), actions[actor], spans.get(actor, {}))
        for actor in sorted(actions)
    )
