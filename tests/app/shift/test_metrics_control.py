"""The 综合评价 panel on a real desk thread and store: a case closed on time moves the tiles, exercise cases
never count in the real panel, a period switch recomputes for that period, nothing due shows a dash, and an
unchanged audit table is not evaluated again."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow
from pytestqt.qtbot import QtBot

from app.shell.change_bus import ChangeBus
from app.shell.theme import load_palette
from app.shift.docks import install_shift_panels
from app.shift.metrics import MetricsControl, period_span
from app.shift.session import Session
from core.clock import ManualClock
from dispatch.casework.evaluation import Span
from dispatch.casework.model import Action, Actor, Command
from dispatch.casework.shifts import DEFAULT_SHIFTS
from dispatch.service import LocalLoop, LoopContext
from tests.dispatch.casework.policies import (
    DISPATCHER,
    HOUR,
    LEAD,
    MONDAY_9,
    POLICY,
    SUPERVISOR,
    act,
    new_case,
    open_loop,
)
from widgets.common.vocabulary import Vocabulary
from widgets.shift.metrics_panel import MetricsPanel
from widgets.shift.metrics_values import MetricsView, Period
from widgets.shift.shift_words import ShiftWords

MINUTE = 60.0
WAIT_MS = 10_000
# A dispatched case signed, handled, checked and closed (the lead records the unit's answers by phone).
CLOSE_ON_TIME = (
    (Action.SIGN, LEAD), (Action.HANDLE, LEAD), (Action.START_CHECK, SUPERVISOR), (Action.CLOSE, LEAD),
)  # fmt: skip


def verify(login: str, password: str) -> concurrent.futures.Future[Actor | None]:
    future: concurrent.futures.Future[Actor | None] = concurrent.futures.Future()
    future.set_result(LEAD if login == LEAD.login else None)
    return future


@dataclass
class Desk:
    store: Path
    clock: ManualClock
    worker: LocalLoop
    ids: dict[str, int]

    def act(self, name: str, action: Action, actor: Actor) -> None:
        case_id = self.ids[name]

        def job(ctx: LoopContext) -> None:
            case = ctx.desk.get(case_id)
            ctx.desk.act(Command(case_id, case.version, action, actor))

        self.worker.call_blocking(job)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """Monday (UTC calendar, working hours 09–17): a fire dispatched at 06:00 is due 07:40, before the day
    shift, and still open; a manhole dispatched at 09:00 is due 13:00; a drill case was closed at 09:20."""
    store = tmp_path / "store.sqlite3"
    clock = ManualClock(MONDAY_9 - 3 * HOUR)
    loop = open_loop(store, clock)
    fire = new_case(loop, "fire", category="fire_alarm", title="仓库火警")
    act(loop, fire.id, Action.REGISTER, LEAD)
    act(loop, fire.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE-1")
    clock.advance(3 * HOUR)
    manhole = new_case(loop, "manhole", lon=114.5)
    act(loop, manhole.id, Action.REGISTER, LEAD)
    act(loop, manhole.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    loop.close()
    drill = open_loop(store, clock, exercise_store=True)
    clock.advance(10 * MINUTE)
    exercise = new_case(drill, "drill", exercise=True, lon=114.7, title="演练：井盖缺失")
    act(drill, exercise.id, Action.REGISTER, LEAD)
    act(drill, exercise.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    for action, actor in CLOSE_ON_TIME:
        act(drill, exercise.id, action, actor)
    drill.close()
    clock.advance(20 * MINUTE)  # 09:30
    worker = LocalLoop(store, POLICY, clock)
    yield Desk(store, clock, worker, {"fire": fire.id, "manhole": manhole.id, "drill": exercise.id})
    worker.close()


@dataclass
class Console:
    panel: MetricsPanel
    control: MetricsControl
    session: Session

    def wait_view(self, qtbot: QtBot, check: Callable[[MetricsView], bool] | None = None) -> MetricsView:
        """The next reading the panel shows (that passes `check`, when given)."""
        seen: list[MetricsView] = []

        def arrived(view: MetricsView) -> bool:
            ok = check is None or check(view)
            if ok:
                seen.append(view)
            return ok

        with qtbot.waitSignal(self.control.metrics_shown, timeout=WAIT_MS, check_params_cb=arrived):
            pass
        return seen[-1]


def open_console(qtbot: QtBot, qapp: QApplication, desk: Desk, *, exercise: bool = False) -> Console:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(900, 900)
    session = Session(window, ShiftWords(window), verify, monotonic=lambda: 0.0)
    panel = MetricsPanel(session.words, load_palette())
    window.setCentralWidget(panel)
    control = MetricsControl(
        panel,
        desk.worker,
        ChangeBus(desk.worker, panel),
        session,
        tz="UTC",
        exercise=exercise,
        refresh_ms=3_600_000,
    )
    window.show()
    session.start(qapp)
    control.start()
    return Console(panel, control, session)


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, desk: Desk) -> Iterator[Console]:
    made = open_console(qtbot, qapp, desk)
    yield made
    made.control.stop()
    made.session.stop(qapp)


def sign_in(qtbot: QtBot, console: Console) -> MetricsView:
    with qtbot.waitSignal(console.control.metrics_shown, timeout=WAIT_MS) as shown:
        console.session.sign_in(LEAD.login, "any")
    view: MetricsView = shown.args[0]
    return view


def test_closing_a_case_on_time_moves_the_closure_and_on_time_tiles(
    qtbot: QtBot, desk: Desk, console: Console
) -> None:
    # Locked: nobody looks, nothing is read.
    assert console.panel.closure.value_text == "…"
    view = sign_in(qtbot, console)
    assert view.period is Period.TODAY
    # Today: the fire (due 07:40, overdue) and the manhole (due 13:00); never the drill case.
    assert (view.counts.due, view.counts.closed) == (2, 0)
    assert (console.panel.closure.value_text, console.panel.closure.detail_text) == ("0%", "0 / 2")
    assert [t.value_text for t in console.panel.live.tiles] == ["2", "1", "0", "0", "0"]

    desk.clock.advance(30 * MINUTE)  # 10:00, well before 13:00
    for action, actor in CLOSE_ON_TIME:
        desk.act("manhole", action, actor)
    console.control.store_changed()
    view = console.wait_view(qtbot, lambda v: v.counts.closed == 1)

    panel = console.panel
    assert (panel.closure.value_text, panel.closure.detail_text) == ("50%", "1 / 2")
    assert (panel.on_time_closure.value_text, panel.on_time_closure.detail_text) == ("50%", "1 / 2")
    assert (panel.on_time_handling.value_text, panel.on_time_handling.detail_text) == ("50%", "1 / 2")
    # Closed today counts the closing whenever the case is due; the manhole was due today anyway.
    assert [t.value_text for t in panel.live.tiles] == ["1", "1", "0", "0", "1"]
    assert [panel.departments.item(r, 1).text() for r in range(2)] == ["U-CITY", "U-FIRE-1"]


def test_exercise_cases_count_only_in_an_exercise_console(
    qtbot: QtBot, qapp: QApplication, desk: Desk, console: Console
) -> None:
    real = sign_in(qtbot, console)
    assert real.counts.due == 2
    assert real.counts.closed == 0
    assert console.panel.exercise.isHidden()

    drill = open_console(qtbot, qapp, desk, exercise=True)
    try:
        view = sign_in(qtbot, drill)
        assert (view.counts.due, view.counts.closed, view.counts.closed_on_time) == (1, 1, 1)
        assert drill.panel.closure.value_text == "100%"
        assert [t.value_text for t in drill.panel.live.tiles] == ["0", "0", "0", "0", "1"]
        assert not drill.panel.exercise.isHidden()
    finally:
        drill.control.stop()
        drill.session.stop(qapp)


def test_a_period_switch_recomputes_for_that_period(qtbot: QtBot, desk: Desk, console: Console) -> None:
    assert sign_in(qtbot, console).counts.due == 2
    with qtbot.waitSignal(console.control.metrics_shown, timeout=WAIT_MS) as shown:
        console.panel.choose_period(Period.SHIFT)
    view: MetricsView = shown.args[0]
    # The day shift runs 08:00–20:00: the fire was due before it began.
    assert view.period is Period.SHIFT
    assert (view.start, view.end) == (MONDAY_9 - HOUR, MONDAY_9 + 11 * HOUR)
    assert view.counts.due == 1
    assert console.panel.closure.detail_text == "0 / 1"


def test_nothing_dispatched_yet_shows_dashes(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    store = tmp_path / "quiet.sqlite3"
    clock = ManualClock(MONDAY_9)
    loop = open_loop(store, clock)
    new_case(loop, "only")
    loop.close()
    worker = LocalLoop(store, POLICY, clock)
    console = open_console(qtbot, qapp, Desk(store, clock, worker, {}))
    try:
        view = sign_in(qtbot, console)
        assert view.counts.due == 0
        assert {t.value_text for t in console.panel.rates.tiles} == {"—"}
        assert console.panel.open.value_text == "1"
    finally:
        console.control.stop()
        console.session.stop(qapp)
        worker.close()


def test_an_unchanged_audit_table_is_not_evaluated_again(qtbot: QtBot, desk: Desk, console: Console) -> None:
    first = sign_in(qtbot, console)
    desk.clock.advance(5 * MINUTE)
    console.control.refresh()
    again = console.wait_view(qtbot)
    # The live counters are read afresh; the evaluation is the one already worked out.
    assert again.as_of == first.as_of + 5 * MINUTE
    assert again.computed_at == first.computed_at

    desk.act("fire", Action.SIGN, LEAD)
    console.control.store_changed()
    moved = console.wait_view(qtbot, lambda v: v.computed_at != first.computed_at)
    assert moved.computed_at == again.as_of


def test_a_busy_store_waits_for_the_evaluation_to_rest(qtbot: QtBot, qapp: QApplication, desk: Desk) -> None:
    now = [0.0]
    window = QMainWindow()
    qtbot.addWidget(window)
    session = Session(window, ShiftWords(window), verify, monotonic=lambda: 0.0)
    panel = MetricsPanel(session.words, load_palette())
    window.setCentralWidget(panel)
    control = MetricsControl(
        panel,
        desk.worker,
        ChangeBus(desk.worker, panel),
        session,
        tz="UTC",
        refresh_ms=3_600_000,
        monotonic=lambda: now[0],
    )
    window.show()
    session.start(qapp)
    control.start()
    console = Console(panel, control, session)
    try:
        first = sign_in(qtbot, console)
        desk.clock.advance(MINUTE)
        desk.act("fire", Action.SIGN, LEAD)
        control.store_changed()
        # Within the rest after the last evaluation: live counts only.
        resting = console.wait_view(qtbot)
        assert (resting.as_of, resting.computed_at) == (first.as_of + MINUTE, first.computed_at)
        now[0] += 60.0
        fresh = console.wait_view(qtbot, lambda v: v.computed_at != first.computed_at)
        assert Span.SIGN in {times.stage for times in fresh.stages}
    finally:
        control.stop()
        session.stop(qapp)


def test_the_evaluation_is_a_tab_beside_the_board_and_reads_when_raised(
    qtbot: QtBot, qapp: QApplication, desk: Desk
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    session = Session(window, ShiftWords(window), verify, monotonic=lambda: 0.0)
    panels = install_shift_panels(
        window,
        desk.worker,
        ChangeBus(desk.worker, window),
        session,
        vocabulary=Vocabulary(window),
        palette=load_palette(),
    )
    window.show()
    session.start(qapp)
    try:
        board = window.findChild(QDockWidget, "supervisionBoardDock")
        assert panels.metrics_dock in window.tabifiedDockWidgets(board)
        session.sign_in(LEAD.login, "any")
        qtbot.waitUntil(lambda: not session.locked, timeout=WAIT_MS)
        assert panels.metrics_panel.closure.value_text == "…"  # behind the board: not read
        with qtbot.waitSignal(panels.metrics.metrics_shown, timeout=WAIT_MS):
            panels.metrics_dock.raise_()
        assert panels.metrics_panel.closure.detail_text == "0 / 2"
    finally:
        panels.stop()
        session.stop(qapp)


@pytest.mark.parametrize(
    ("local", "period", "first", "after"),
    [
        ("2026-03-01 00:30", Period.TODAY, "2026-03-01 00:00", "2026-03-02 00:00"),
        ("2026-03-01 00:30", Period.WEEK, "2026-02-23 00:00", "2026-03-02 00:00"),  # a Sunday
        ("2026-03-01 00:30", Period.MONTH, "2026-03-01 00:00", "2026-04-01 00:00"),
        ("2026-12-31 23:59", Period.MONTH, "2026-12-01 00:00", "2027-01-01 00:00"),
        ("2026-03-01 07:59", Period.SHIFT, "2026-02-28 20:00", "2026-03-01 08:00"),
        ("2026-03-01 08:00", Period.SHIFT, "2026-03-01 08:00", "2026-03-01 20:00"),
    ],
)
def test_periods_follow_the_policy_calendar(local: str, period: Period, first: str, after: str) -> None:
    zone = ZoneInfo("Asia/Shanghai")

    def at(text: str) -> float:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone).timestamp()

    assert period_span(period, at(local), zone, DEFAULT_SHIFTS) == (at(first), at(after))
