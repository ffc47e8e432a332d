"""The 综合评价 job with a poison row: an audit row whose payload is not JSON makes the period's evaluation
fail; it is set aside as a failed item, the live counts still come, it is not worked out again at every
refresh, and an operator's retry takes it once more."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from app.shell.change_bus import ChangeBus
from app.shell.theme import load_palette
from app.shift.metrics import MetricsControl
from app.shift.session import Session
from core.clock import ManualClock
from dispatch.casework.jobs import FailedItem, Job
from dispatch.casework.model import Action, Actor
from dispatch.casework.records.failures import failed_items
from dispatch.service import LocalLoop, LoopContext
from tests.dispatch.casework.policies import (
    DISPATCHER,
    LEAD,
    MONDAY_9,
    POLICY,
    act,
    new_case,
    open_loop,
    put_event,
)
from widgets.shift.metrics_panel import MetricsPanel
from widgets.shift.metrics_values import MetricsView
from widgets.shift.shift_words import ShiftWords

WAIT_MS = 10_000


def verify(login: str, password: str) -> concurrent.futures.Future[Actor | None]:
    future: concurrent.futures.Future[Actor | None] = concurrent.futures.Future()
    future.set_result(LEAD if login == LEAD.login else None)
    return future


@dataclass
class Console:
    worker: LocalLoop
    control: MetricsControl
    session: Session
    case_id: int
    rested: list[float]

    def sql(self, statement: str, *params: object) -> None:
        def job(ctx: LoopContext) -> None:
            with ctx.desk.transaction() as conn:
                conn.execute(statement, params)

        self.worker.call_blocking(job)

    def failed(self) -> list[FailedItem]:
        return list(self.worker.call_blocking(lambda ctx: failed_items(ctx.desk.conn)))

    def next_view(self, qtbot: QtBot) -> MetricsView:
        self.rested[0] += 1.0
        with qtbot.waitSignal(self.control.metrics_shown, timeout=WAIT_MS) as shown:
            self.control.store_changed()
        view: MetricsView = shown.args[0]
        return view


def open_another_case(ctx: LoopContext) -> None:
    with ctx.desk.transaction() as conn:
        put_event(conn, "another", at=MONDAY_9, lon=114.9)
    assert len(ctx.discovery.run_once().opened) == 1


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Console]:
    store = tmp_path / "store.sqlite3"
    clock = ManualClock(MONDAY_9)
    loop = open_loop(store, clock)
    case = new_case(loop, "manhole")
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    loop.close()
    worker = LocalLoop(store, POLICY, clock)
    window = QMainWindow()
    qtbot.addWidget(window)
    session = Session(window, ShiftWords(window), verify, monotonic=lambda: 0.0)
    panel = MetricsPanel(session.words, load_palette())
    window.setCentralWidget(panel)
    # Its rest after an evaluation runs on a clock of the test's own: a second passes before each refresh.
    rested = [0.0]
    control = MetricsControl(
        panel,
        worker,
        ChangeBus(worker, panel),
        session,
        tz="UTC",
        refresh_ms=3_600_000,
        monotonic=lambda: rested[0],
    )
    window.show()
    session.start(qapp)
    control.start()
    made = Console(worker, control, session, case.id, rested)
    with qtbot.waitSignal(control.metrics_shown, timeout=WAIT_MS):
        session.sign_in(LEAD.login, "any")
    yield made
    control.stop()
    session.stop(qapp)
    worker.close()


def test_a_poison_audit_row_sets_the_evaluation_aside_and_the_live_counts_go_on(
    qtbot: QtBot, console: Console
) -> None:
    # A row an older tool appended by hand: its payload is not JSON, which the evaluation's SQL reads.
    console.sql(
        "INSERT INTO audit (case_id, from_state, to_state, action, actor, role, at, payload, exercise, "
        "prev_hash, hash) VALUES (?, 'registered', 'dispatched', 'dispatch', 'x', 'dispatcher', ?, "
        "'not json', 0, '', '')",
        console.case_id, MONDAY_9 + 60,
    )  # fmt: skip
    # The live counts come with the last evaluation beside them, and the period is listed as failed.
    assert console.next_view(qtbot).live.open == 1
    qtbot.waitUntil(lambda: [(f.job, f.attempts) for f in console.failed()] == [(Job.METRICS, 1)])
    (failed,) = console.failed()
    assert failed.item == "today 2026-01-05T00:00+00:00"
    assert "malformed JSON" in failed.error

    # A new case: the live counts move; the failed evaluation is not worked out again meanwhile.
    console.worker.call_blocking(open_another_case)
    assert console.next_view(qtbot).live.open == 2
    assert [f.attempts for f in console.failed()] == [1]

    # An operator's retry takes it once more: still failing, it is listed with two attempts.
    assert console.worker.retry_failed("li.na").result(30) == 1
    assert console.next_view(qtbot).live.open == 2
    qtbot.waitUntil(lambda: [(f.attempts, f.retry) for f in console.failed()] == [(2, False)])
