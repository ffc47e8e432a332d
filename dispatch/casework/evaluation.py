"""综合评价 values — stages, grades, counts and rates — free of the store, so widgets can render them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# docs/metrics.md defines every number below; keep the two in step.


class Span(enum.StrEnum):
    """A stage duration, named by the milestone that ends it (one sample per case: its latest)."""

    REGISTRATION = "registration"  # discovery → registration
    DISPATCH = "dispatch"  # registered (also after a return or a reopen) → the latest dispatch
    SIGN = "sign"  # the latest dispatch → signed for
    HANDLED = "handled"  # the latest dispatch → the last handled report
    CLOSED = "closed"  # discovery (or the latest reopen) → closed


class Grade(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


GRADE_FLOORS = ((90.0, Grade.A), (75.0, Grade.B), (60.0, Grade.C), (40.0, Grade.D))


def grade_of(score: float) -> Grade:
    """A ≥90, B ≥75, C ≥60, D ≥40, else E."""
    return next((grade for floor, grade in GRADE_FLOORS if score >= floor), Grade.E)


@dataclass(frozen=True, slots=True)
class Ratio:
    """A rate with the counts behind it; no rate at all when there is nothing to rate."""

    part: int
    whole: int

    @property
    def rate(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts over the cases due in a period (N = `due`); parked ones are counted apart, not in N."""

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
