"""The after-action review's values: what the review shows, as plain data (no store, no Qt)."""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dispatch.casework.model import Action
from dispatch.drill.expectations import Outcome, Verdict
from dispatch.drill.scenario import DrillForm, DrillScope, Objective

if TYPE_CHECKING:  # evaluation.py reads Rating from here
    from dispatch.drill.evaluation_model import Evaluation

# How a case moves through the closed loop, stage by stage: (stage, the action that ends it).
STAGES: tuple[tuple[str, Action], ...] = (
    ("register", Action.REGISTER),
    ("dispatch", Action.DISPATCH),
    ("sign", Action.SIGN),
    ("handle", Action.HANDLE),
    ("close", Action.CLOSE),
)


class Rating(enum.StrEnum):
    """HSEEP's objective ratings; the review suggests one from the targets, the evaluator decides."""

    PERFORMED = "P"  # performed without challenges
    SOME = "S"  # performed with some challenges
    MAJOR = "M"  # performed with major challenges
    UNABLE = "U"  # unable to be performed
    NOT_RATED = "-"  # nothing under it was triggered


@dataclass(frozen=True, slots=True)
class LogLine:
    scenario_s: float
    inject: str
    kind: str
    how: str
    by: str
    detail: str


@dataclass(frozen=True, slots=True)
class CaseStages:
    """One drill case: when each stage ended, in scenario seconds (None: never reached)."""

    code: str
    title: str
    inject: str
    opened_s: float
    ended: tuple[float | None, ...]  # in STAGES order

    def durations(self) -> tuple[float | None, ...]:
        """Each stage's length: from the previous stage's end (the case's opening first)."""
        out: list[float | None] = []
        previous: float | None = self.opened_s
        for end in self.ended:
            out.append(None if end is None or previous is None else end - previous)
            previous = end
        return tuple(out)


@dataclass(frozen=True, slots=True)
class RoleResult:
    role: str
    actions: int
    expectations_met: int


@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    objective: Objective
    counts: dict[Outcome, int]
    rating: Rating


@dataclass(frozen=True, slots=True)
class Review:
    tag: str
    title: str
    form: DrillForm
    scope: DrillScope
    speed: float
    origin: float
    ended_at: float | None
    duration_s: float
    timeline: tuple[LogLine, ...]
    verdicts: tuple[Verdict, ...]
    recorded: dict[str, str]  # the runner's verdicts at the end of the drill, by expected id
    cases: tuple[CaseStages, ...]
    roles: tuple[RoleResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    contingencies: tuple[str, ...]
    # The evaluator's notes, ratings and improvement plan (None: nothing recorded).
    evaluation: Evaluation | None = None

    def stage_median_s(self) -> tuple[float | None, ...]:
        """Each stage's median length over the cases that went through it (None: none did)."""
        out: list[float | None] = []
        for stage in range(len(STAGES)):
            lengths = [d for case in self.cases if (d := case.durations()[stage]) is not None]
            out.append(statistics.median(lengths) if lengths else None)
        return tuple(out)

    @property
    def strengths(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.outcome is Outcome.MET)

    @property
    def improvements(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.outcome in (Outcome.LATE, Outcome.MISSED))


def rating(counts: dict[Outcome, int]) -> Rating:
    """A suggestion from the targets: all met P, late but none missed S, under half missed M, else U."""
    met, late, missed = counts[Outcome.MET], counts[Outcome.LATE], counts[Outcome.MISSED]
    judged = met + late + missed
    if judged == 0:
        return Rating.NOT_RATED
    if met == judged:
        return Rating.PERFORMED
    if missed == 0:
        return Rating.SOME
    return Rating.MAJOR if missed * 2 < judged else Rating.UNABLE
