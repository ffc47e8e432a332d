"""SLA timers on the demo calendar: deadlines, supervision marks, parking (挂账) and extensions (延期)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.casework.calendar import WorkingCalendar
from dispatch.casework.policy import AreaType, Budget, Stage, TimeUnit, Urgency
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.sla import (
    Card,
    Marks,
    card_level,
    deadline_on_resume,
    extend,
    extension_seconds,
    marks_for_deadline,
    remaining_on_pause,
    stage_deadline,
    supervision_marks,
)

TZ = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0
WH = TimeUnit.WORKING_HOURS
POLICY = load_policy(default_policy_path())
CAL = WorkingCalendar(POLICY.calendar)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


def show(t: float) -> str:
    return datetime.fromtimestamp(t, TZ).strftime("%a %Y-%m-%d %H:%M")


def shown(marks: Marks) -> tuple[str, str, str]:
    return show(marks.light_at), show(marks.yellow_at), show(marks.red_at)


def test_garbage_dispatched_friday_afternoon_is_due_monday_before_lunch() -> None:
    start = at("2026-03-06 16:00")
    due = stage_deadline(POLICY, CAL, Stage.HANDLE, "garbage_overflow", Urgency.NORMAL, AreaType.URBAN, start)
    assert show(due) == "Mon 2026-03-09 11:00"
    marks = supervision_marks(POLICY, CAL, Budget(4, WH), start)
    # Light after 2.8 working hours, red card after 6.
    assert shown(marks) == ("Mon 2026-03-09 09:48", "Mon 2026-03-09 11:00", "Mon 2026-03-09 14:30")


def test_a_fire_at_three_on_a_sunday_morning_is_due_that_morning() -> None:
    start = at("2026-03-08 03:00")
    for stage, minutes in ((Stage.SIGN, 5), (Stage.HANDLE, 30)):
        due = stage_deadline(POLICY, CAL, stage, "fire_alarm", Urgency.URGENT, AreaType.URBAN, start)
        assert due == start + minutes * 60


def test_rural_checks_get_twice_the_working_time() -> None:
    start = at("2026-03-09 17:00")
    urban = stage_deadline(
        POLICY, CAL, Stage.CHECK, "garbage_overflow", Urgency.NORMAL, AreaType.URBAN, start
    )
    rural = stage_deadline(
        POLICY, CAL, Stage.CHECK, "garbage_overflow", Urgency.NORMAL, AreaType.RURAL, start
    )
    assert (show(urban), show(rural)) == ("Tue 2026-03-10 09:00", "Tue 2026-03-10 10:00")


def test_across_the_golden_week_to_the_make_up_saturday() -> None:
    start = at("2026-09-30 16:00")
    due = CAL.add(start, Budget(3, TimeUnit.WORKING_DAYS))
    assert show(due) == "Sat 2026-10-10 16:00"


def test_parking_over_the_weekend_moves_the_deadline_by_the_working_time_lost_then_an_extension() -> None:
    dispatched = at("2026-03-06 16:00")
    budget = Budget(4, WH)
    due = CAL.add(dispatched, budget)
    assert show(due) == "Mon 2026-03-09 11:00"

    parked, resumed = at("2026-03-06 17:00"), at("2026-03-10 09:00")
    remaining = remaining_on_pause(CAL, WH, parked, due)
    assert remaining == 3 * HOUR
    due_after = deadline_on_resume(CAL, WH, resumed, remaining)
    assert show(due_after) == "Tue 2026-03-10 12:00"
    # Moved by the working time that passed while parked (Fri 0.5 h + Mon 7.5 h + Tue 0.5 h), not the
    # 94 wall hours between parking and resuming.
    assert CAL.working_seconds(due, due_after) == CAL.working_seconds(parked, resumed) == 8.5 * HOUR
    budget_s = CAL.seconds(budget)
    marks = marks_for_deadline(POLICY, CAL, WH, budget_s, due_after)
    assert shown(marks) == ("Tue 2026-03-10 10:48", "Tue 2026-03-10 12:00", "Tue 2026-03-10 15:30")

    extended = extend(CAL, due_after, Budget(2, WH))
    assert show(extended) == "Tue 2026-03-10 15:30"
    budget_s += extension_seconds(CAL, WH, due_after, extended)
    assert budget_s == 6 * HOUR
    marks = marks_for_deadline(POLICY, CAL, WH, budget_s, extended)
    # 70 % and 150 % of six working hours, as if the clock had run unparked since Monday 17:00.
    assert shown(marks) == ("Tue 2026-03-10 13:42", "Tue 2026-03-10 15:30", "Wed 2026-03-11 09:30")


def test_a_clock_parked_overdue_stays_exactly_as_overdue_when_resumed() -> None:
    due = at("2026-03-09 11:00")
    remaining = remaining_on_pause(CAL, WH, at("2026-03-09 14:30"), due)
    assert remaining == -2 * HOUR
    resumed = at("2026-03-12 10:00")
    due_after = deadline_on_resume(CAL, WH, resumed, remaining)
    assert show(due_after) == "Wed 2026-03-11 17:00"
    assert CAL.working_seconds(due_after, resumed) == 2 * HOUR


def test_a_minutes_clock_parks_and_resumes_in_wall_time() -> None:
    due = at("2026-03-08 03:30")
    remaining = remaining_on_pause(CAL, TimeUnit.MINUTES, at("2026-03-08 03:10"), due)
    assert remaining == 20 * 60
    assert deadline_on_resume(CAL, TimeUnit.MINUTES, at("2026-03-08 05:00"), remaining) == at(
        "2026-03-08 05:20"
    )


def test_an_extension_counts_on_from_the_old_deadline_in_its_own_unit() -> None:
    overdue = at("2026-03-09 11:00")
    assert show(extend(CAL, overdue, Budget(1, TimeUnit.WORKING_DAYS))) == "Tue 2026-03-10 11:00"
    assert extend(CAL, overdue, Budget(90, TimeUnit.MINUTES)) == overdue + 5400
    # 90 wall minutes from 11:00 end at 12:30; only the hour until noon is working time.
    assert extension_seconds(CAL, WH, overdue, overdue + 5400) == HOUR


def test_card_levels_rise_at_their_limits_and_the_manual_level_is_a_floor() -> None:
    marks = Marks(light_at=100.0, yellow_at=200.0, red_at=300.0)
    assert card_level(99.0, marks) is Card.NONE
    assert card_level(100.0, marks) is Card.YELLOW_LIGHT
    assert card_level(200.0, marks) is Card.YELLOW_LIGHT  # handled right at the deadline is on time
    assert card_level(200.5, marks) is Card.YELLOW_CARD
    assert card_level(300.0, marks) is Card.YELLOW_CARD
    assert card_level(300.5, marks) is Card.RED_CARD
    assert card_level(50.0, marks, Card.YELLOW_CARD) is Card.YELLOW_CARD
    assert card_level(300.5, marks, Card.YELLOW_CARD) is Card.RED_CARD
    assert card_level(1e12, None) is Card.NONE
    assert card_level(1e12, None, Card.RED_CARD) is Card.RED_CARD


# -- properties -----------------------------------------------------------------------------------

STARTS = st.floats(min_value=at("2025-12-20 00:00"), max_value=at("2026-12-20 00:00"))
BUDGETS = st.builds(
    Budget,
    st.floats(min_value=0.05, max_value=40.0),
    st.sampled_from((TimeUnit.MINUTES, TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS)),
)


@settings(max_examples=200, deadline=None)
@given(start=STARTS, budget=BUDGETS)
def test_marks_from_an_unmoved_deadline_are_the_marks_of_the_fresh_clock(
    start: float, budget: Budget
) -> None:
    fresh = supervision_marks(POLICY, CAL, budget, start)
    due = CAL.add(start, budget)
    again = marks_for_deadline(POLICY, CAL, budget.unit, CAL.seconds(budget), due)
    assert again.light_at == pytest.approx(fresh.light_at, abs=1e-3)
    assert again.yellow_at == pytest.approx(fresh.yellow_at, abs=1e-3)
    assert again.red_at == pytest.approx(fresh.red_at, abs=1e-3)
    assert fresh.yellow_at == pytest.approx(due, abs=1e-3)
    assert fresh.light_at <= fresh.yellow_at <= fresh.red_at


@settings(max_examples=200, deadline=None)
@given(
    start=STARTS,
    budget=BUDGETS,
    park_after=st.floats(min_value=0.0, max_value=30 * 86_400.0),
    parked_for=st.floats(min_value=0.0, max_value=30 * 86_400.0),
)
def test_parking_never_charges_the_clock_for_the_time_parked(
    start: float, budget: Budget, park_after: float, parked_for: float
) -> None:
    due = CAL.add(start, budget)
    parked = start + park_after
    resumed = parked + parked_for
    remaining = remaining_on_pause(CAL, budget.unit, parked, due)
    due_after = deadline_on_resume(CAL, budget.unit, resumed, remaining)
    assert CAL.elapsed(resumed, due_after, budget.unit) == pytest.approx(remaining, abs=1e-3)
    assert due_after >= due - 1e-3  # parking never makes a clock due earlier
