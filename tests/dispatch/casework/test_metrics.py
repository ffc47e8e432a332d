"""综合评价 on a hand-built history: rates, N, stage percentiles, department grades, exercise separation,
and live counters kept row by row that agree with the metrics recomputed from the audit table."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from core.clock import ManualClock
from dispatch.casework.evaluation import Grade, Span, Tally, grade_of
from dispatch.casework.model import Action, Actor, Case, CaseState, Command, Role
from dispatch.casework.policy import (
    AreaType,
    Budget,
    BudgetRule,
    CalendarSpec,
    DuplicateRule,
    Policy,
    Stage,
    SupervisionLimits,
    TimeUnit,
    Urgency,
    WorkingHours,
)
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.live import Live, LiveCounters, live_counts, mismatches
from dispatch.casework.records.metrics import Durations, compute, department_score
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=TZ).timestamp()  # a Monday, 09:00 local
MIN = 60.0

LEAD = Actor("li", Role.SHIFT_LEAD, "李值班")
DISPATCHER = Actor("wang", Role.DISPATCHER, "王派遣")
SUPERVISOR = Actor("zhao", Role.SUPERVISOR, "赵监督")
SUPERVISION = Actor("sun", Role.SUPERVISION, "孙督办")
INTAKE = Actor("qian", Role.INTAKE, "钱受理")
UNIT_A = Actor("U-A", Role.UNIT)
UNIT_B = Actor("U-B", Role.UNIT)


def minutes_policy() -> Policy:
    """Every stage on the wall clock, so deadlines are plain sums: handle 60 min, sign 10, check 30."""
    budgets = {Stage.REGISTER: 30, Stage.SIGN: 10, Stage.HANDLE: 60, Stage.CHECK: 30}
    rows = tuple(
        BudgetRule(stage, "*", urgency, area, Budget(amount, TimeUnit.MINUTES))
        for stage, amount in budgets.items()
        for urgency in Urgency
        for area in AreaType
    )
    calendar = CalendarSpec(
        "Asia/Shanghai", frozenset({1, 2, 3, 4, 5}), (WorkingHours(510, 720), WorkingHours(810, 1050)),
        frozenset(), frozenset(),
    )  # fmt: skip
    return Policy(calendar, rows, SupervisionLimits(), (), DuplicateRule(), (), 2, frozenset(), frozenset())


def draft(title: str, *, exercise: bool = False) -> Case:
    return Case(
        id=0, code="", state=CaseState.DISCOVERED, version=1, exercise=exercise, category="road_damage",
        severity=3, urgency="normal", area="urban", title=title, description="", address="人民路",
        lon=120.16, lat=30.27, district="339901", grid="", source="grid", camera_id="",
        discovered_at=T0, updated_at=T0, updated_by="system",
    )  # fmt: skip


# (minute, case, action, actor, reason, payload). Handle budget 60 min: a dispatch at minute 10 is due at 70.
Step = tuple[float, str, Action, Actor, str, dict[str, Any]]
REGISTERED_AT = {"c1": 1, "x8": 1, "c2": 2, "c3": 3, "c4": 4, "c5": 5, "c6": 6, "c7": 7, "c9": 8, "c10": 9}
FIRST_UNIT = {"c1": "U-A", "c2": "U-A", "c3": "U-A", "c10": "U-A", "c6": "U-A", "x8": "U-A", "c4": "U-B",
              "c5": "U-B", "c7": "U-A"}  # fmt: skip
SCRIPT: list[Step] = [
    *[(m, c, Action.REGISTER, LEAD, "", {}) for c, m in REGISTERED_AT.items()],
    *[(10, c, Action.DISPATCH, DISPATCHER, "", {"unit": u}) for c, u in FIRST_UNIT.items()],
    (11, "c1", Action.SIGN, UNIT_A, "", {}),
    (12, "c2", Action.SIGN, UNIT_A, "", {}),
    (12, "c7", Action.REQUEST_RETURN, UNIT_A, "不属于本单位职责", {}),
    (13, "c3", Action.SIGN, UNIT_A, "", {}),
    (14, "c10", Action.SIGN, UNIT_A, "", {}),
    (14, "c7", Action.APPROVE_RETURN, LEAD, "", {}),
    (15, "c4", Action.SIGN, UNIT_B, "", {}),
    (15, "x8", Action.SIGN, UNIT_A, "", {}),
    (16, "c5", Action.SIGN, UNIT_B, "", {}),
    (16, "c7", Action.DISPATCH, DISPATCHER, "", {"unit": "U-B"}),  # due at 76
    (18, "c7", Action.SIGN, UNIT_B, "", {}),
    (20, "c10", Action.HANDLE, UNIT_A, "", {}),
    (20, "c5", Action.PARK, LEAD, "等待材料", {}),  # 50 min left on the clock
    (20, "c6", Action.PARK, LEAD, "等待材料", {}),  # parked for good
    (22, "c10", Action.START_CHECK, SUPERVISOR, "", {}),
    (25, "c10", Action.CLOSE, LEAD, "", {}),
    (30, "c3", Action.HANDLE, UNIT_A, "", {}),
    (35, "c3", Action.FAIL_CHECK, SUPERVISOR, "未清理干净", {}),
    (40, "c1", Action.HANDLE, UNIT_A, "", {}),
    (45, "c1", Action.START_CHECK, SUPERVISOR, "", {}),
    (50, "c1", Action.CLOSE, LEAD, "", {}),
    (50, "c4", Action.REQUEST_EXTENSION, UNIT_B, "需要调配设备", {"amount": 30}),
    (50, "c9", Action.SUPERVISE, SUPERVISION, "群众多次来电", {"card": 2}),  # 督办 before dispatch
    (55, "c4", Action.APPROVE_EXTENSION, LEAD, "", {}),  # due 70 → 100
    (60, "c3", Action.HANDLE, UNIT_A, "", {}),
    (60, "c5", Action.UNPARK, LEAD, "", {}),  # due 60 + 50 = 110
    (62, "c3", Action.START_CHECK, SUPERVISOR, "", {}),
    (65, "c3", Action.CLOSE, LEAD, "", {}),
    (75, "x8", Action.HANDLE, UNIT_A, "", {}),  # late: due 70
    (76, "x8", Action.START_CHECK, SUPERVISOR, "", {}),
    (78, "x8", Action.CLOSE, LEAD, "", {}),
    (79, "x8", Action.EVALUATE, INTAKE, "", {"satisfied": False}),
    (80, "x8", Action.REOPEN, LEAD, "回访不满意", {}),
    (82, "x8", Action.DISPATCH, DISPATCHER, "", {"unit": "U-A"}),  # 重办: due 142
    (80, "c2", Action.HANDLE, UNIT_A, "", {}),  # late: due 70
    (85, "c2", Action.START_CHECK, SUPERVISOR, "", {}),
    (90, "c2", Action.CLOSE, LEAD, "", {}),
    (90, "c4", Action.HANDLE, UNIT_B, "", {}),  # on time after the extension
    (92, "c4", Action.START_CHECK, SUPERVISOR, "", {}),
    (95, "c4", Action.CLOSE, LEAD, "", {}),
    (100, "c9", Action.DISPATCH, DISPATCHER, "", {"unit": "U-A"}),  # due 160: after the period
    (105, "c5", Action.HANDLE, UNIT_B, "", {}),  # on time, never closed
]
CASES = ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c9", "c10")
END_MINUTE = 130.0  # the card sweep runs here, after the two-hour period [T0, T0 + 120 min)


@dataclass
class History:
    db: sqlite_utils.Database
    desk: CaseDesk
    clock: ManualClock
    ids: dict[str, int]

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn


def build_history(path: Path, after_step: Any = None) -> History:
    """Play SCRIPT on a new store at `path`; `after_step(history)` runs after every committed change."""
    db = open_store(path)
    clock = ManualClock(T0)
    desk = CaseDesk(db.conn, Timers(minutes_policy()), clock)
    history = History(db, desk, clock, {})
    with desk.transaction():
        for name in (*CASES, "x8"):
            history.ids[name] = desk.open_case(draft(name, exercise=name.startswith("x"))).id
    if after_step:
        after_step(history)
    for minute, name, action, actor, reason, payload in sorted(SCRIPT, key=lambda step: step[0]):
        clock.advance(T0 + minute * MIN - clock.now())
        case = desk.get(history.ids[name])
        desk.act(Command(case.id, case.version, action, actor, reason, payload))
        if after_step:
            after_step(history)
    clock.advance(T0 + END_MINUTE * MIN - clock.now())
    with desk.transaction():
        desk.sweep_cards()
    if after_step:
        after_step(history)
    return history


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("metrics") / "store.sqlite3")


def period(start_min: float, end_min: float) -> tuple[float, float]:
    return T0 + start_min * MIN, T0 + end_min * MIN


def mins(durations: Durations) -> tuple[int, float, float]:
    return durations.count, durations.p50 / MIN, durations.p90 / MIN


def test_the_two_hours_add_up_by_hand(history: History) -> None:
    report = compute(history.conn, *period(0, 120))
    # Due 70: c1, c2, c3, c10 (U-A); c6 is parked; 76: c7 (re-dispatched to U-B); 100: c4 (extended);
    # 110: c5 (parked, then resumed); c9 is due at 160, outside.
    assert report.total == Tally(due=7, closed=5, closed_on_time=4, reworked=1, handled_on_time=5,
                                 extended=1, parked=1)  # fmt: skip
    assert report.total.closure.rate == pytest.approx(5 / 7)
    assert report.total.on_time_closure.rate == pytest.approx(4 / 7)
    assert report.total.rework.rate == pytest.approx(1 / 7)
    assert report.total.on_time_handling.rate == pytest.approx(5 / 7)
    assert report.total.extension.rate == pytest.approx(1 / 7)


def test_departments_are_scored_and_graded(history: History) -> None:
    report = compute(history.conn, *period(0, 120))
    a, b = report.departments
    assert a.unit == "U-A"
    assert a.tally == Tally(4, 4, 3, 1, 3, 0, parked=1)
    # 10 (busiest) + 30·4/4 + 30·3/4 + 30·(1 − 1/4) = 85.0
    assert (a.volume_score, a.score, a.grade) == (10.0, 85.0, Grade.B)
    assert b.unit == "U-B"
    assert b.tally == Tally(3, 1, 1, 0, 2, 1)
    # 10·3/4 + 30·1/3 + 30·2/3 + 30·1 = 67.5
    assert (b.volume_score, b.score, b.grade) == (7.5, 67.5, Grade.C)


def test_stage_durations_are_nearest_rank_percentiles(history: History) -> None:
    report = compute(history.conn, *period(0, 120))
    # Registered 1…9 minutes after discovery (nine real cases): the 5th and the 9th of nine.
    assert mins(report.spans[Span.REGISTRATION]) == (9, 5, 9)
    # Each case's latest dispatch, from when it became ready: 10 − the registration minute, c9 100 − 8,
    # and c7 2 minutes after its return was approved (14 → 16); its first dispatch is not a sample.
    assert mins(report.spans[Span.DISPATCH]) == (9, 6, 92)
    # Signed 1, 2, 3, 4 (U-A) and 5, 6, and 2 after the re-dispatch (U-B) minutes after dispatch.
    assert mins(report.spans[Span.SIGN]) == (7, 3, 6)
    # Up to the last handled report: U-A 10, 30, 50 (c3, after its rework), 70; U-B 80, 95.
    assert mins(report.spans[Span.HANDLED]) == (6, 50, 95)
    # Closed 25, 50, 65, 90, 95 minutes after discovery.
    assert mins(report.spans[Span.CLOSED]) == (5, 65, 95)
    by_unit = {line.unit: line.spans for line in report.departments}
    assert mins(by_unit["U-A"][Span.SIGN]) == (4, 2, 4)
    assert mins(by_unit["U-A"][Span.HANDLED]) == (4, 30, 70)
    assert mins(by_unit["U-B"][Span.SIGN]) == (3, 5, 6)
    assert mins(by_unit["U-B"][Span.HANDLED]) == (2, 80, 95)
    assert set(by_unit["U-A"]) == {Span.SIGN, Span.HANDLED}


def test_operators_are_the_people_at_the_consoles(history: History) -> None:
    report = compute(history.conn, *period(0, 120))
    operators = {line.actor: line for line in report.operators}
    # Units are graded as departments and `system` is Tianshu itself.
    assert set(operators) == {"li", "wang", "zhao", "sun"}
    li = operators["li"]
    assert li.roles == ("shift_lead",)
    assert li.actions == {"register": 9, "approve_return": 1, "park": 2, "close": 5,
                          "approve_extension": 1, "unpark": 1}  # fmt: skip
    assert set(li.spans) == {Span.REGISTRATION, Span.CLOSED}
    assert mins(li.spans[Span.REGISTRATION]) == (9, 5, 9)
    assert operators["wang"].actions == {"dispatch": 10}
    assert mins(operators["wang"].spans[Span.DISPATCH]) == (9, 6, 92)
    assert operators["zhao"].actions == {"start_check": 5, "fail_check": 1}
    assert operators["sun"].actions == {"supervise": 1}


def test_a_period_counts_what_had_happened_by_its_end(history: History) -> None:
    report = compute(history.conn, *period(60, 75))
    # As of 75: c1, c3, c10 are closed; c2 is still unhandled (handled at 80, closed at 90); c6 parked;
    # c4 (due 100 after its extension) and c5 (due 110 after parking) have moved out.
    assert report.total == Tally(due=4, closed=3, closed_on_time=3, reworked=1, handled_on_time=3,
                                 extended=0, parked=1)  # fmt: skip
    assert [line.unit for line in report.departments] == ["U-A"]
    assert compute(history.conn, *period(0, 60)).total == Tally()


def test_cases_quiet_since_before_the_period_still_count(history: History) -> None:
    # c1, c3, c10 (closed by 65) and c6 (parked at 20) wrote nothing after minute 68; only c2 did.
    report = compute(history.conn, *period(68, 72))
    assert report.total == Tally(due=4, closed=3, closed_on_time=3, reworked=1, handled_on_time=3,
                                 extended=0, parked=1)  # fmt: skip
    assert report.spans == {}


def test_exercise_cases_are_reported_alone(history: History) -> None:
    # x8 was due at 70, handled late and closed at 78; reopened at 80 and dispatched again, due at 142.
    drill = compute(history.conn, *period(0, 80), exercise=True)
    assert drill.total == Tally(due=1, closed=1, closed_on_time=0, reworked=0, handled_on_time=0)
    assert mins(drill.spans[Span.REGISTRATION]) == (1, 1, 1)
    assert mins(drill.spans[Span.CLOSED]) == (1, 78, 78)
    # 10 + 30·1 + 30·0 + 30·(1 − 0) = 70
    assert [(line.unit, line.score, line.grade) for line in drill.departments] == [("U-A", 70.0, Grade.C)]
    real = compute(history.conn, *period(0, 80))
    assert real.total.due == 5
    assert mins(real.spans[Span.CLOSED])[0] == 3


def test_a_reopened_case_counts_again_where_its_new_deadline_falls(history: History) -> None:
    assert compute(history.conn, *period(0, 120), exercise=True).total == Tally()
    again = compute(history.conn, *period(0, 150), exercise=True)
    assert again.total == Tally(due=1)
    # The new dispatch, 2 minutes after the reopen, is the case's latest.
    assert mins(again.spans[Span.DISPATCH]) == (1, 2, 2)
    assert [(line.unit, line.score, line.grade) for line in again.departments] == [("U-A", 40.0, Grade.D)]


def test_an_empty_period_has_no_rates() -> None:
    empty = Tally()
    assert empty.closure.rate is None
    assert empty.on_time_handling.rate is None


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100.0, Grade.A), (90.0, Grade.A), (89.9, Grade.B), (75.0, Grade.B), (74.9, Grade.C), (60.0, Grade.C),
     (59.9, Grade.D), (40.0, Grade.D), (39.9, Grade.E), (0.0, Grade.E)],
)  # fmt: skip
def test_grade_floors(score: float, grade: Grade) -> None:
    assert grade_of(score) is grade


def test_score_is_volume_plus_three_rates() -> None:
    perfect = Tally(due=20, closed=20, closed_on_time=20, handled_on_time=20)
    assert department_score(perfect, busiest=20) == 100.0
    assert department_score(perfect, busiest=40) == 95.0
    nothing = Tally(due=10, reworked=10)
    assert department_score(nothing, busiest=10) == 10.0


def test_live_counts_now(history: History) -> None:
    # Open at 130: c5 (handled at 105, before its moved deadline 110: no card), c6 (parked), c7 (signed,
    # due 76: overdue, and a red card from the sweep past 106), c9 (due 160, a 督办 yellow card).
    assert live_counts(history.conn, T0 + END_MINUTE * MIN) == Live(open=4, overdue=1, carded=2, parked=1)
    assert live_counts(history.conn, T0 + 200 * MIN).overdue == 2
    # The drill's x8, dispatched again at 82 and due at 142, is counted only with exercise cases.
    assert live_counts(history.conn, T0 + END_MINUTE * MIN, exercise=True) == Live(open=1)
    assert live_counts(history.conn, T0 + 150 * MIN, exercise=True) == Live(open=1, overdue=1)


def test_counters_kept_row_by_row_match_the_recomputed_metrics(tmp_path: Path) -> None:
    real, drill = LiveCounters(), LiveCounters(exercise=True)
    checked = []

    def check(history: History) -> None:
        now = history.clock.now()
        for counters in (real, drill):
            counters.catch_up(history.conn)
            assert mismatches(history.conn, counters, now) == []
        checked.append(now)

    history = build_history(tmp_path / "store.sqlite3", check)
    assert len(checked) == len(SCRIPT) + 2
    assert real.live(history.clock.now()) == Live(open=4, overdue=1, carded=2, parked=1)
    assert real.total() == compute(history.conn, -math.inf, math.inf).total
    assert real.total().due == 8  # c9 too, over all time
    assert drill.total() == Tally(due=1)  # x8's second round
    assert drill.live(history.clock.now()) == Live(open=1)


def test_counters_notice_a_case_the_audit_does_not_explain(tmp_path: Path) -> None:
    history = build_history(tmp_path / "store.sqlite3")
    counters = LiveCounters()
    counters.catch_up(history.conn)
    history.conn.execute("UPDATE cases SET card = 3 WHERE id = ?", (history.ids["c5"],))
    assert mismatches(history.conn, counters, history.clock.now()) == [
        "live: cases table says Live(open=4, overdue=1, carded=3, parked=1), "
        "counters say Live(open=4, overdue=1, carded=2, parked=1)"
    ]


def test_a_period_must_start_before_it_ends(history: History) -> None:
    with pytest.raises(ValueError, match="must start before it ends"):
        compute(history.conn, T0, T0)
