"""Plain values the 综合评价 panel renders: the period, the counts behind every rate, stage times, rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dispatch.casework.model import Action, Role


class Period(enum.StrEnum):
    """The stretch of the policy's local calendar the evaluation covers (it runs to the period's end)."""

    SHIFT = "shift"
    TODAY = "today"
    WEEK = "week"  # Monday to Sunday
    MONTH = "month"


class Stage(enum.StrEnum):
    """A stage duration, named by the milestone that ends it (the values of dispatch's metrics.Span)."""

    REGISTRATION = "registration"
    DISPATCH = "dispatch"
    SIGN = "sign"
    HANDLED = "handled"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Ratio:
    """A rate with the counts behind it; no rate at all when there is nothing to rate."""

    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True, slots=True)
class Counts:
    """The cases due in the period (`due`, the N of every rate) and how they fared; parked ones apart."""

    due: int = 0
    closed: int = 0
    closed_on_time: int = 0
    reworked: int = 0
    handled_on_time: int = 0
    extended: int = 0
    parked: int = 0

    @property
    def closure(self) -> Ratio:
        return Ratio(self.closed, self.due)

    @property
    def on_time_closure(self) -> Ratio:
        return Ratio(self.closed_on_time, self.due)

    @property
    def on_time_handling(self) -> Ratio:
        return Ratio(self.handled_on_time, self.due)

    @property
    def rework(self) -> Ratio:
        return Ratio(self.reworked, self.due)

    @property
    def extension(self) -> Ratio:
        return Ratio(self.extended, self.due)


@dataclass(frozen=True, slots=True)
class StageTimes:
    """Nearest-rank percentiles of one stage's durations in the period, in seconds."""

    stage: Stage
    count: int
    p50_s: float
    p90_s: float


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    """One responsible unit's evaluation; `grade` is A–E."""

    unit: str
    counts: Counts
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
    counts: Counts
    stages: tuple[StageTimes, ...]
    departments: tuple[DepartmentRow, ...]  # best score first
    operators: tuple[OperatorRow, ...]
    live: LiveFigures
