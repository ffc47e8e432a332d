"""The session: sign-in over the window, refusals in words, lock on idle (driven clock), unlock, demo."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QLineEdit, QMainWindow
from pytestqt.qtbot import QtBot

from app.shell.main_window import MainWindow
from app.shift.session import Session, SignIn, install_session
from core.clock import ManualClock
from dispatch.casework.model import Actor, Role
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.accounts import DEMO_PASSWORD, SignInThrottled
from dispatch.service import LocalLoop
from widgets.shift.session_badge import SessionBadge
from widgets.shift.shift_words import ShiftWords

LEAD = Actor("li", Role.SHIFT_LEAD, "李明")
NIGHT = Actor("zhou", Role.SHIFT_LEAD, "周强")
WALL = Actor("wall", Role.VIEWER, "大屏")
PASSWORDS = {"li": ("lead-pass-1", LEAD), "zhou": ("night-pass", NIGHT), "wall": ("wall-pass-1", WALL)}
MINUTE = 60.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verify(login: str, password: str) -> concurrent.futures.Future[SignIn]:
    future: concurrent.futures.Future[SignIn] = concurrent.futures.Future()
    known = PASSWORDS.get(login)
    if login == "guesser":
        future.set_result(SignInThrottled(login, time.mktime((2026, 11, 21, 3, 15, 0, 0, 0, -1))))
    else:
        future.set_result(known[1] if known is not None and known[0] == password else None)
    return future


class Console:
    """A window with a text field and a shortcut of its own, under a session on a hand-driven clock."""

    def __init__(self, qtbot: QtBot, qapp: QApplication) -> None:
        self.window = QMainWindow()
        qtbot.addWidget(self.window)
        self.behind = QLineEdit()
        self.window.setCentralWidget(self.behind)
        self.fired: list[str] = []
        action = QAction("panel action", self.window)
        action.setShortcut(QKeySequence("Ctrl+K"))
        action.triggered.connect(lambda: self.fired.append("ctrl+k"))
        self.window.addAction(action)
        self.window.resize(900, 600)
        self.clock = Clock()
        self.session = Session(self.window, ShiftWords(), verify, idle_minutes=10, monotonic=self.clock)
        self.window.show()
        self.session.start(qapp)
        self.form = self.session.overlay.form

    def sign_in(self, qtbot: QtBot, login: str, password: str) -> None:
        self.form.login.setText(login)
        self.form.password.setText(password)
        qtbot.mouseClick(self.form.sign_in, Qt.MouseButton.LeftButton)


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication) -> Iterator[Console]:
    made = Console(qtbot, qapp)
    yield made
    made.session.stop(qapp)


def test_the_window_is_covered_until_someone_signs_in(qtbot: QtBot, console: Console) -> None:
    overlay = console.session.overlay
    assert overlay.isVisible()
    assert overlay.geometry() == console.window.rect()
    assert console.session.actor is None
    with qtbot.waitSignal(console.session.actor_changed) as signed_in:
        console.sign_in(qtbot, "li", "lead-pass-1")
    assert signed_in.args == [LEAD]
    assert console.session.actor == LEAD
    assert not console.session.locked
    assert not overlay.isVisible()


def test_a_wrong_password_is_refused_with_a_visible_message(qtbot: QtBot, console: Console) -> None:
    with qtbot.assertNotEmitted(console.session.actor_changed):
        console.sign_in(qtbot, "li", "not-the-password")
    assert console.form.message.isVisible()
    assert "Wrong login or password" in console.form.message.text()
    assert console.form.password.text() == ""
    assert console.session.overlay.isVisible()
    assert console.form.sign_in.isEnabled()


def test_a_login_told_to_wait_says_until_when(qtbot: QtBot, console: Console) -> None:
    with qtbot.assertNotEmitted(console.session.actor_changed):
        console.sign_in(qtbot, "guesser", "guess-number-6")
    assert console.form.message.isVisible()
    assert "Try again after 03:15:00" in console.form.message.text()
    assert console.session.overlay.isVisible()


def test_an_empty_form_asks_for_what_is_missing(qtbot: QtBot, console: Console) -> None:
    with qtbot.assertNotEmitted(console.form.credentials_entered):
        qtbot.mouseClick(console.form.sign_in, Qt.MouseButton.LeftButton)
    assert console.form.message.text() == "Enter your login."


def test_the_console_locks_after_the_idle_time_and_unlocks_with_the_password(
    qtbot: QtBot, console: Console
) -> None:
    console.sign_in(qtbot, "li", "lead-pass-1")
    console.clock.now += 9 * MINUTE
    assert not console.session.check_idle()
    with qtbot.waitSignal(console.session.lock_changed) as locked:
        console.clock.now += 1 * MINUTE
        assert console.session.check_idle()
    assert locked.args == [True]
    assert console.session.overlay.isVisible()
    assert console.form.title.text() == "Console locked"
    assert console.form.login.text() == "li"
    assert console.session.actor == LEAD

    # Nothing underneath takes input while locked: neither typing nor the window's shortcuts.
    qtbot.keyClicks(console.behind, "typed")
    qtbot.keyClick(console.form.password, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert console.behind.text() == ""
    assert console.fired == []

    session = console.session
    with qtbot.assertNotEmitted(session.actor_changed), qtbot.waitSignal(session.lock_changed):
        qtbot.keyClicks(console.form.password, "lead-pass-1")
        qtbot.keyClick(console.form.password, Qt.Key.Key_Return)
    assert not console.session.locked
    assert not console.session.overlay.isVisible()
    qtbot.keyClick(console.behind, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert console.fired == ["ctrl+k"]


def test_a_popup_of_the_form_still_takes_input_while_locked(qtbot: QtBot, console: Console) -> None:
    console.sign_in(qtbot, "li", "lead-pass-1")
    console.session.lock()
    menu = console.form.password.createStandardContextMenu()
    qtbot.addWidget(menu)
    menu.popup(console.window.geometry().center())
    qtbot.waitExposed(menu)
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    assert not menu.isVisible()


def test_input_keeps_the_console_open(qtbot: QtBot, console: Console) -> None:
    console.sign_in(qtbot, "li", "lead-pass-1")
    for _ in range(3):
        console.clock.now += 6 * MINUTE
        qtbot.keyClick(console.behind, Qt.Key.Key_A)
        assert not console.session.check_idle()
    assert console.behind.text() == "aaa"
    assert console.session.idle_seconds() == 0


def test_another_operator_can_take_over_a_locked_console(qtbot: QtBot, console: Console) -> None:
    console.sign_in(qtbot, "li", "lead-pass-1")
    console.session.lock()
    with qtbot.waitSignal(console.session.actor_changed) as changed:
        console.sign_in(qtbot, "zhou", "night-pass")
    assert changed.args == [NIGHT]
    assert not console.session.locked


def test_a_wall_viewer_never_locks_on_idle(qtbot: QtBot, console: Console) -> None:
    # Signed in without the form, as the screenshot does for the wall: the same check applies.
    with qtbot.waitSignal(console.session.actor_changed):
        console.session.sign_in("wall", "wall-pass-1")
    console.clock.now += 24 * 60 * MINUTE
    assert not console.session.check_idle()
    assert not console.session.locked


def test_signing_out_covers_the_window_with_an_empty_form(qtbot: QtBot, console: Console) -> None:
    console.sign_in(qtbot, "li", "lead-pass-1")
    with qtbot.waitSignal(console.session.actor_changed) as changed:
        console.session.sign_out()
    assert changed.args == [None]
    assert console.session.overlay.isVisible()
    assert console.form.login.text() == ""


def test_floating_docks_hide_while_locked(qtbot: QtBot, console: Console) -> None:
    dock = QDockWidget("floating", console.window)
    console.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    console.sign_in(qtbot, "li", "lead-pass-1")
    dock.setFloating(True)
    dock.show()
    console.session.lock()
    assert not dock.isVisible()
    console.sign_in(qtbot, "li", "lead-pass-1")
    assert dock.isVisible()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[LocalLoop]:
    desk = LocalLoop(tmp_path / "store.sqlite3", load_policy(default_policy_path()), ManualClock())
    yield desk
    desk.close()


def test_a_new_demo_store_lets_a_new_user_in_with_a_demo_account(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, worker: LocalLoop
) -> None:
    session = install_session(qapp, window, worker, demo=True)
    try:
        form = session.overlay.form
        qtbot.waitUntil(lambda: len(form.demo_buttons) == 6, timeout=20_000)
        assert DEMO_PASSWORD in form.demo_title.text()
        lead_button = next(b for b in form.demo_buttons if b.text().startswith("lead"))
        qtbot.mouseClick(lead_button, Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(session.actor_changed, timeout=20_000) as signed_in:
            qtbot.mouseClick(form.sign_in, Qt.MouseButton.LeftButton)
        assert signed_in.args[0].role is Role.SHIFT_LEAD
        badge = window.statusBar().findChild(SessionBadge, "sessionBadge")
        assert isinstance(badge, SessionBadge)
        assert badge.text() == "李明 · Shift lead"
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert session.locked
    finally:
        session.stop(qapp)


def test_a_real_store_without_accounts_says_how_to_create_one(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, worker: LocalLoop
) -> None:
    session = install_session(qapp, window, worker, demo=False)
    try:
        form = session.overlay.form
        qtbot.waitUntil(form.hint.isVisible, timeout=20_000)
        assert "operators add --db" in form.hint.text()
        assert str(worker.db_path) in form.hint.text()
        assert not form.demo_box.isVisible()
    finally:
        session.stop(qapp)
