"""Small test policies and helpers shared by the closed-loop core tests: a UTC office calendar, short budgets,
stores in tmp_path and events put into them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, Case, Command, Role
from dispatch.casework.policy import (
    AreaType,
    Budget,
    BudgetRule,
    CalendarSpec,
    DuplicateRule,
    Policy,
    RoutingRule,
    Stage,
    SupervisionLimits,
    TimeUnit,
    Urgency,
    WorkingHours,
)
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store

# Monday 2026-01-05 09:00 UTC: the start of a working day on the test calendar.
MONDAY_9 = 1_767_603_600.0
HOUR = 3600.0

# Working time Monday–Friday 09:00–17:00 UTC in one period; Wednesday 2026-01-07 is a holiday.
CALENDAR = CalendarSpec(
    "UTC",
    frozenset({1, 2, 3, 4, 5}),
    (WorkingHours(9 * 60, 17 * 60),),
    frozenset({"2026-01-07"}),
    frozenset(),
)


def _rows(stage: Stage, category: str, budget: Budget) -> list[BudgetRule]:
    return [BudgetRule(stage, category, u, a, budget) for u in Urgency for a in AreaType]


BUDGETS = (
    *_rows(Stage.REGISTER, "*", Budget(30, TimeUnit.MINUTES)),
    *_rows(Stage.SIGN, "*", Budget(1, TimeUnit.WORKING_HOURS)),
    *_rows(Stage.HANDLE, "*", Budget(4, TimeUnit.WORKING_HOURS)),
    *_rows(Stage.CHECK, "*", Budget(1, TimeUnit.WORKING_HOURS)),
    # Fire runs on the wall clock: 100 minutes to handle makes the marks land at 70, 100 and 150 minutes.
    *_rows(Stage.SIGN, "fire_alarm", Budget(5, TimeUnit.MINUTES)),
    *_rows(Stage.HANDLE, "fire_alarm", Budget(100, TimeUnit.MINUTES)),
    *_rows(Stage.CHECK, "fire_alarm", Budget(60, TimeUnit.MINUTES)),
)

POLICY = Policy(
    calendar=CALENDAR,
    budgets=BUDGETS,
    supervision=SupervisionLimits(0.7, 1.0, 1.5),
    routing=(RoutingRule("garbage_overflow", "*", "U-SAN", auto=True), RoutingRule("*", "*", "U-CITY")),
    duplicates=DuplicateRule(radius_m=150.0, window_s=3600.0),
    duplicate_overrides=(),
    urgent_max_severity=2,
    rural_districts=frozenset({"339905"}),
    verify_sources=frozenset({"hotline", "video_ai"}),
)

LEAD = Actor("li", Role.SHIFT_LEAD, "李值班长")
DISPATCHER = Actor("wang", Role.DISPATCHER, "王派遣")
INTAKE = Actor("zhao", Role.INTAKE, "赵受理")
SUPERVISOR = Actor("qian", Role.SUPERVISOR, "钱监督员")
SUPERVISION = Actor("sun", Role.SUPERVISION, "孙督办")
VIEWER = Actor("wall", Role.VIEWER, "大屏")

GRID = "339901001001"  # a grid code in district 339901 (urban)
LON, LAT = 114.30, 30.60


@dataclass
class Loop:
    """A store file with a desk and a discovery on one connection, driven by a manual clock."""

    path: Path
    db: sqlite_utils.Database
    clock: ManualClock
    desk: CaseDesk
    discovery: Discovery

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def close(self) -> None:
        self.db.close()


def open_loop(
    path: Path, clock: ManualClock | None = None, *, policy: Policy = POLICY, exercise_store: bool = False
) -> Loop:
    db = open_store(path)
    clock = clock or ManualClock(MONDAY_9)
    desk = CaseDesk(db.conn, Timers(policy), clock)
    discovery = Discovery(desk, policy, Router(policy.routing).route, exercise_store=exercise_store)
    return Loop(path, db, clock, desk, discovery)


_next_seq = iter(range(1, 10**9))


def put_event(
    conn: sqlite3.Connection,
    event_id: str,
    *,
    at: float,
    source: str = "grid",
    category: str = "manhole_cover",
    severity: int = 3,
    title: str = "人民路井盖缺失",
    description: str = "",
    address: str = "江汉区人民路18号",
    lon: float | None = LON,
    lat: float | None = LAT,
    grid: str = GRID,
    revision: int = 1,
    exercise: bool = False,
    cancelled: bool = False,
) -> int:
    """Store one event row as intake would (the columns discovery reads) and return its row id."""
    cursor = conn.execute(
        "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, category, "
        "severity, title, description, lon, lat, address, grid, camera_id, exercise, cancelled, payload) "
        "VALUES (?, ?, ?, 'test', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, '{}')",
        (source, event_id, revision, next(_next_seq), at, at, category, severity, title, description, lon,
         lat, address, grid, int(exercise), int(cancelled)),
    )  # fmt: skip
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def new_case(loop: Loop, event_id: str = "e1", **event: Any) -> Case:
    """One Discovered case from one grid event (grid reports need no verification)."""
    put_event(loop.conn, event_id, at=loop.clock.now(), **event)
    result = loop.discovery.run_once()
    assert len(result.opened) == 1
    return result.opened[0]


def dispatched_store(path: Path) -> tuple[int, str]:
    """A store with one case registered and dispatched to U-1: its id and the order waiting in the outbox."""
    loop = open_loop(path)
    try:
        case = new_case(loop)
        act(loop, case.id, Action.REGISTER, LEAD)
        act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-1")
        (order_id,) = [r[0] for r in loop.conn.execute("SELECT order_id FROM outbox")]
    finally:
        loop.close()
    return case.id, order_id


def act(loop: Loop, case_id: int, action: Action, actor: Actor, reason: str = "", **payload: Any) -> Case:
    """Carry out one command on the case's current version and return the case after it."""
    current = loop.desk.get(case_id)
    command = Command(case_id, current.version, action, actor, reason, dict(payload))
    return loop.desk.act(command).case
