"""The evaluator's record of a drill as plain values: notes, objective ratings, improvement plan rows."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.drill.review_model import Rating

# A note is a paragraph, not a file: longer text is refused rather than cut.
MAX_NOTE = 4000
MAX_CELL = 500
RATINGS = (Rating.PERFORMED, Rating.SOME, Rating.MAJOR, Rating.UNABLE)


class EvaluationError(ValueError):
    """An evaluator's entry that cannot be kept (empty, too long, a rating that is not one)."""


@dataclass(frozen=True, slots=True)
class Note:
    scenario_s: float
    at: float
    by: str
    text: str
    inject: str = ""
    case_code: str = ""


@dataclass(frozen=True, slots=True)
class ObjectiveRating:
    objective: str
    rating: Rating
    by: str
    at: float


@dataclass(frozen=True, slots=True)
class PlanRow:
    action: str
    owner: str = ""
    due: str = ""


@dataclass(frozen=True, slots=True)
class Evaluation:
    notes: tuple[Note, ...] = ()
    ratings: tuple[ObjectiveRating, ...] = ()
    plan: tuple[PlanRow, ...] = ()

    def rating_of(self, objective: str) -> Rating | None:
        return next((r.rating for r in self.ratings if r.objective == objective), None)
