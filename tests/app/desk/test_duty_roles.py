"""Roles on the desk: the wall viewer gets no action at all, a severe case acknowledged at one console clears
the banner on every screen sharing the store, the next officer starts clean, and a console whose officer was
signed out elsewhere locks and says why."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlite_utils
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from app.desk.controller import DutyController
from app.shell.theme import apply_theme
from app.shift.session import Session, SignIn
from core.clock import ManualClock
from dispatch.casework.model import Actor
from dispatch.casework.records.attendance import Attendance
from dispatch.service import LocalLoop, LoopContext
from dispatch.store.database import open_store
from tests.app.desk.test_duty import HOUR_MS, Duty, directory
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY, VIEWER, put_event
from widgets.common.vocabulary import Vocabulary
from widgets.desk.duty_desk import DutyDesk
from widgets.shift.shift_words import ShiftWords

Console = Callable[[Actor | None], Duty]


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Console]:
    """Opens consoles (each its own desk thread and connection) on one store file, all on one clock."""
    path = tmp_path / "store.sqlite3"
    db = open_store(path)
    clock = ManualClock(MONDAY_9)
    opened: list[Duty] = []
    palette = apply_theme(qapp)

    def open_console(actor: Actor | None) -> Duty:
        worker = LocalLoop(path, POLICY, clock)
        desk = DutyDesk(Vocabulary(), palette)
        qtbot.addWidget(desk)
        desk.resize(1500, 850)
        controller = DutyController(desk, worker, directory=directory, clock=clock, interval_ms=HOUR_MS)
        controller.set_actor(actor)
        desk.show()
        qtbot.waitExposed(desk)
        duty = Duty(desk, controller, worker, sqlite_utils.Database(db.conn), clock)
        opened.append(duty)
        return duty

    yield open_console
    for duty in opened:
        duty.controller.stop()
        duty.worker.close()
    db.close()
    qapp.setStyleSheet("")


def severe_case(qtbot: QtBot, *consoles: Duty) -> None:
    put_event(consoles[0].db.conn, "e1", at=MONDAY_9, severity=1, category="fire_alarm", title="居民楼起火")
    for duty in consoles:
        duty.controller.start()
    for duty in consoles:
        qtbot.waitUntil(lambda d=duty: d.desk.banner.isVisible() and d.desk.panel.case_file is not None)  # type: ignore[misc]


def test_the_wall_viewer_sees_the_alert_but_no_action_and_no_key_acts(qtbot: QtBot, console: Console) -> None:
    wall = console(VIEWER)
    severe_case(qtbot, wall)
    desk = wall.desk
    assert "居民楼起火" in desk.banner.text.text()
    assert not desk.banner.acknowledge.isVisible()
    assert not desk.panel.action_bar.isVisible()
    assert [b for b in desk.panel.buttons.values() if b.isVisibleTo(desk)] == []
    rows = wall.actions()
    for key in (Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_V, Qt.Key.Key_S, Qt.Key.Key_M):
        wall.press(key)
    desk.banner.acknowledge_first()
    wall.controller.refresh()
    qtbot.waitUntil(lambda: wall.desk.panel.case_file is not None)
    # Nothing was even asked of the desk: no refusal on screen, nothing in the audit.
    assert wall.actions() == rows
    assert not desk.notice.isVisible()


def test_acknowledged_at_one_console_the_banner_clears_on_the_wall(qtbot: QtBot, console: Console) -> None:
    lead, wall = console(LEAD), console(VIEWER)
    severe_case(qtbot, lead, wall)
    assert lead.desk.banner.acknowledge.isVisible()
    lead.desk.banner.acknowledge.click()
    qtbot.waitUntil(lambda: not lead.desk.banner.isVisible())
    assert lead.actions()[-1] == ("acknowledge", "li")
    # The wall's next beat sees the store's audit mark move and reads the alerts again.
    assert wall.desk.banner.isVisible()
    wall.controller.poll()
    qtbot.waitUntil(lambda: not wall.desk.banner.isVisible())
    assert wall.desk.calm.isVisible()


def test_the_next_officer_starts_clean(qtbot: QtBot, console: Console) -> None:
    lead = console(LEAD)
    severe_case(qtbot, lead)
    queue = lead.desk.queue
    queue.filters.carded.setChecked(True)
    queue.filters.level.setCurrentIndex(1)
    queue.filters.search.setText("起火")
    lead.controller.merge_dialog.show()
    assert lead.desk.panel.case_file is not None

    lead.controller.set_actor(None)
    assert lead.desk.panel.case_file is None
    assert not lead.controller.merge_dialog.isVisible()
    assert queue.filters.search.text() == ""
    assert not queue.filters.carded.isChecked()
    assert queue.filters.level.currentIndex() == 0
    assert queue.selected_row() is None
    # Signed in again, the queue is read as at start: every open case, the first one shown.
    lead.controller.set_actor(Actor("zhang", LEAD.role, "张值班长"))
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1 and lead.desk.panel.case_file is not None)
    assert not queue.query().carded_only


def test_a_console_whose_officer_was_signed_out_elsewhere_locks_and_says_why(
    qtbot: QtBot, console: Console
) -> None:
    lead = console(None)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(lead.desk)
    window.resize(1500, 900)
    window.show()

    def verify(login: str, password: str) -> concurrent.futures.Future[SignIn]:
        answer: concurrent.futures.Future[SignIn] = concurrent.futures.Future()
        answer.set_result(LEAD)
        return answer

    session = Session(window, ShiftWords(), verify, idle_minutes=None)
    lead.controller.follow(session)
    session.sign_in("li", "secret")
    qtbot.waitUntil(lambda: lead.controller.actor == LEAD)
    severe_case(qtbot, lead)

    def nobody_here(ctx: LoopContext) -> None:
        # As if the officer had been signed out at this desk (another console took the seat, or the
        # account was disabled): the desk refuses their commands from now on.
        ctx.desk.attendance = Attendance()

    lead.worker.write(nobody_here).result()
    rows = lead.actions()
    lead.desk.queue.focus_table()
    lead.press(Qt.Key.Key_R)
    qtbot.waitUntil(lambda: session.actor is None)
    assert session.locked
    assert lead.controller.actor is None
    assert "no longer signed in" in session.overlay.form.message.text()
    assert lead.actions() == rows
    assert lead.desk.panel.case_file is None
    # The queue reads its first page again behind the lock and picks its first row: still no case file.
    qtbot.waitUntil(lambda: lead.desk.queue.selected_row() is not None)
    behind = lead.worker.query(lambda ctx: None)  # the desk's jobs run in order: any file read is done
    qtbot.waitUntil(behind.done)
    QApplication.processEvents()  # and its answer, posted before, handled
    assert lead.desk.panel.case_file is None
