"""SLA timer arithmetic: stage deadlines, supervision marks, parking, extensions and card levels."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.casework.calendar import WorkingCalendar
from dispatch.casework.model import Card
from dispatch.casework.policy import AreaType, Budget, Policy, Stage, TimeUnit, Urgency

__all__ = [
    "Card",
    "Marks",
    "card_level",
    "deadline_on_resume",
    "extend",
    "extension_seconds",
    "marks_for_deadline",
    "remaining_on_pause",
    "stage_deadline",
    "supervision_marks",
]


@dataclass(frozen=True, slots=True)
class Marks:
    """When the supervision overlay rises, as absolute UTC instants: light ≤ yellow card ≤ red card."""

    light_at: float
    yellow_at: float
    red_at: float


def stage_deadline(
    policy: Policy,
    calendar: WorkingCalendar,
    stage: Stage,
    category: str,
    urgency: Urgency,
    area: AreaType,
    start: float,
) -> float:
    """When a stage started at `start` is due, by the policy's budget for the case."""
    return calendar.add(start, policy.budget(stage, category, urgency, area))


def supervision_marks(policy: Policy, calendar: WorkingCalendar, budget: Budget, start: float) -> Marks:
    """Marks of a fresh clock: each limit is that fraction of the budget, counted in the budget's unit.

    A budget of 4 working hours started Friday 16:00 (working 08:30–12:00, 13:30–17:30) lights up after
    2.8 working hours, on Monday at 09:48, and is due Monday 11:00.
    """
    limits = policy.supervision
    total = calendar.seconds(budget)
    return Marks(
        calendar.add_seconds(start, limits.yellow_light * total, budget.unit),
        calendar.add_seconds(start, limits.yellow_card * total, budget.unit),
        calendar.add_seconds(start, limits.red_card * total, budget.unit),
    )


def marks_for_deadline(
    policy: Policy, calendar: WorkingCalendar, unit: TimeUnit, budget_s: float, deadline: float
) -> Marks:
    """Marks of a clock whose deadline has moved (resumed after parking, or extended).

    `budget_s` is the clock's whole budget in seconds of its own unit (working seconds for working
    budgets): `calendar.seconds(budget)` when it started, plus `extension_seconds(...)` for every
    approved extension; parking does not change it. The marks keep their place relative to the
    deadline: the clock is treated as if it had started `budget_s` before the deadline and run without
    a pause, so for an unmoved deadline this gives exactly `supervision_marks`.
    """
    start = calendar.add_seconds(deadline, -budget_s, unit)
    limits = policy.supervision
    return Marks(
        calendar.add_seconds(start, limits.yellow_light * budget_s, unit),
        calendar.add_seconds(start, limits.yellow_card * budget_s, unit),
        calendar.add_seconds(start, limits.red_card * budget_s, unit),
    )


def remaining_on_pause(calendar: WorkingCalendar, unit: TimeUnit, now: float, deadline: float) -> float:
    """What is left of a clock parked (挂账) at `now`, in seconds of its unit; negative once overdue."""
    return calendar.elapsed(now, deadline, unit)


def deadline_on_resume(calendar: WorkingCalendar, unit: TimeUnit, now: float, remaining: float) -> float:
    """The deadline of a parked clock resumed at `now` with `remaining` seconds of its unit left.

    Working time that passed while parked is not charged: parked Friday 17:00 with 30 working minutes
    left and resumed Tuesday 09:00, the clock is due Tuesday 09:30. An overdue clock stays exactly as
    overdue as it was when parked.
    """
    return calendar.add_seconds(now, remaining, unit)


def extend(calendar: WorkingCalendar, deadline: float, budget: Budget) -> float:
    """The deadline after an approved extension (延期): the extension counts on from the old deadline,
    in its own unit, even when the old deadline has already passed."""
    return calendar.add(deadline, budget)


def extension_seconds(
    calendar: WorkingCalendar, unit: TimeUnit, old_deadline: float, new_deadline: float
) -> float:
    """How much an extension added to the clock's budget, in seconds of the clock's unit (for marks)."""
    return calendar.elapsed(old_deadline, new_deadline, unit)


def card_level(now: float, marks: Marks | None, manual: Card = Card.NONE) -> Card:
    """The supervision overlay at `now`: the higher of the timed level and the manual 督办 level.

    The light is on from `light_at` inclusive; a card is shown only once its limit has passed (a case
    due at 12:00 and handled at 12:00 is on time). Pass `marks` None when no clock is running: then
    only the manual level counts. A parked clock's level is the one it had when parked, so evaluate it
    at the parking instant rather than at `now`.
    """
    timed = Card.NONE
    if marks is not None:
        if now > marks.red_at:
            timed = Card.RED_CARD
        elif now > marks.yellow_at:
            timed = Card.YELLOW_CARD
        elif now >= marks.light_at:
            timed = Card.YELLOW_LIGHT
    return max(timed, manual)
