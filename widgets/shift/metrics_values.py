"""Plain values the 综合评价 panel renders: the period, the counts behind every rate, stage times, rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dispatch.casework.evaluation import Span, Tally
from dispatch.casework.model import Action, Role


class Period(enum.StrEnum):
    """The stretch of the policy's local calendar the evaluation covers (it runs to the period's end)."""

    SHIFT = "shift"
    TODAY = "today"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class StageTimes:
    """Nearest-rank percentiles of one stage's durations in the period, in seconds."""

    stage: Span
    count: int
    p50_s: float
    p90_s: float


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """One responsible unit's evaluation; `grade` is A–E."""

    unit: str
    counts: Tally
    score: float
    grade: str


@dataclass(frozen=True, slots=True)
class OperatorRow:
    """What one login did in the period: its roles and its actions, most frequent first."""

    login: str
    name: str
    roles: tuple[Role, ...]
    actions: tuple[tuple[Action, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.actions)


@dataclass(frozen=True, slots=True)
class LiveFigures:
    """The open cases right now: all of them, past their handling deadline, carded, parked."""

    open: int
    overdue: int
    carded: int
    parked: int
    closed_today: int = 0  # closed since local midnight, whenever they were due


@dataclass(frozen=True, slots=True)
class MetricsView:
    """One reading of the evaluation: the period [start, end) in `zone`, and the live figures `as_of`.

    `computed_at` is when the period's evaluation was last worked out; a reading that found nothing new
    in the audit table keeps the previous one's.
    """

    period: Period
    start: float
    end: float
    zone: str
    exercise: bool
    as_of: float
    computed_at: float
    counts: Tally
    stages: tuple[StageTimes, ...]
    departments: tuple[DepartmentRow, ...]  # best score first
    operators: tuple[OperatorRow, ...]
    live: LiveFigures
