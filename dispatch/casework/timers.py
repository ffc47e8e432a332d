"""The case clocks as the desk uses them: stage deadlines, the handling clock, parking, extension, cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch.casework import sla
from dispatch.casework.calendar import WorkingCalendar
from dispatch.casework.model import HANDLING_STATES, Card, Case
from dispatch.casework.policy import AreaType, Budget, Policy, Stage, TimeUnit, Urgency


@dataclass(frozen=True, slots=True)
class HandleClock:
    """The handling clock of a dispatched case and the supervision marks on it (absolute UTC)."""

    sign_due: float
    handle_due: float
    unit: str
    budget_s: float  # the whole budget in seconds of its unit, extensions included (places the marks)
    light_at: float
    yellow_at: float
    red_at: float


class Timers:
    """Deadlines from the policy on the working calendar; pure, so any clock speed works."""

    def __init__(self, policy: Policy, calendar: WorkingCalendar | None = None) -> None:
        self.policy = policy
        self.calendar = calendar or WorkingCalendar(policy.calendar)
        self._zone = ZoneInfo(policy.calendar.timezone)

    def local_date(self, t: float) -> str:
        """The calendar's local date of instant `t`, ISO formatted."""
        return datetime.fromtimestamp(t, self._zone).date().isoformat()

    def _due(self, stage: Stage, category: str, urgency: Urgency, area: AreaType, start: float) -> float:
        return sla.stage_deadline(self.policy, self.calendar, stage, category, urgency, area, start)

    def register_due(self, category: str, urgency: Urgency, area: AreaType, discovered_at: float) -> float:
        return self._due(Stage.REGISTER, category, urgency, area, discovered_at)

    def check_due(self, category: str, urgency: Urgency, area: AreaType, handled_at: float) -> float:
        return self._due(Stage.CHECK, category, urgency, area, handled_at)

    def start_handling(self, category: str, urgency: Urgency, area: AreaType, now: float) -> HandleClock:
        """The clocks that start at dispatch: signing for the order, and handling (not from signing)."""
        budget = self.policy.budget(Stage.HANDLE, category, urgency, area)
        marks = sla.supervision_marks(self.policy, self.calendar, budget, now)
        return HandleClock(
            sign_due=self._due(Stage.SIGN, category, urgency, area, now),
            handle_due=self.calendar.add(now, budget),
            unit=budget.unit.value,
            budget_s=self.calendar.seconds(budget),
            light_at=marks.light_at,
            yellow_at=marks.yellow_at,
            red_at=marks.red_at,
        )

    def _moved(self, case: Case, handle_due: float, budget_s: float) -> HandleClock:
        unit = TimeUnit(case.handle_unit)
        marks = sla.marks_for_deadline(self.policy, self.calendar, unit, budget_s, handle_due)
        assert case.sign_due is not None
        return HandleClock(case.sign_due, handle_due, unit.value, budget_s, marks.light_at, marks.yellow_at,
                           marks.red_at)  # fmt: skip

    def pause(self, case: Case, now: float) -> float:
        """The handling budget left when the case is parked at `now` (seconds of the clock's unit)."""
        assert case.handle_due is not None
        return sla.remaining_on_pause(self.calendar, TimeUnit(case.handle_unit), now, case.handle_due)

    def resume(self, case: Case, now: float) -> HandleClock:
        """The clock after a parked case resumes at `now` with the budget it had left."""
        assert case.handle_remaining_s is not None
        assert case.handle_budget_s is not None
        due = sla.deadline_on_resume(self.calendar, TimeUnit(case.handle_unit), now, case.handle_remaining_s)
        return self._moved(case, due, case.handle_budget_s)

    def extend(self, case: Case, amount: float, unit: str) -> HandleClock:
        """The clock after an approved extension of `amount` in `unit` (the clock's unit by default)."""
        assert case.handle_due is not None
        assert case.handle_budget_s is not None
        clock_unit = TimeUnit(case.handle_unit)
        due = sla.extend(self.calendar, case.handle_due, Budget(amount, TimeUnit(unit)))
        added = sla.extension_seconds(self.calendar, clock_unit, case.handle_due, due)
        return self._moved(case, due, case.handle_budget_s + added)

    def card(self, case: Case, now: float) -> Card:
        """The supervision level the timers give `case` at `now`, manual 督办 cards included.

        Only a running handling clock moves the level: a parked clock counts as of its parking instant,
        and a stopped one (handled, checking, before dispatch) keeps the level the case has.
        """
        if case.state not in HANDLING_STATES or case.light_at is None:
            return max(case.card, case.manual_card)
        assert case.yellow_at is not None
        assert case.red_at is not None
        marks = sla.Marks(case.light_at, case.yellow_at, case.red_at)
        at = now if case.parked_since is None else case.parked_since
        return sla.card_level(at, marks, case.manual_card)
