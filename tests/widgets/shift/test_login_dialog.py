"""The sign-in form and the lock overlay: what is emitted, what is refused, and that nothing leaks past."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QLineEdit, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from dispatch.casework.model import Actor, Role
from widgets.shift.lock_overlay import LockOverlay
from widgets.shift.login_dialog import Credentials, LoginForm
from widgets.shift.shift_words import ShiftWords

LEAD = Actor("lead", Role.SHIFT_LEAD, "李明")
DEMO = [LEAD, Actor("watch", Role.VIEWER, "大屏")]


def form(qtbot: QtBot) -> LoginForm:
    made = LoginForm(ShiftWords())
    qtbot.addWidget(made)
    with qtbot.waitActive(made):
        made.show()
        made.activateWindow()
    return made


def test_return_in_the_password_field_emits_the_credentials(qtbot: QtBot) -> None:
    login = form(qtbot)
    qtbot.keyClicks(login.login, " lead ")
    qtbot.keyClick(login.login, Qt.Key.Key_Return)
    assert login.password.hasFocus()
    qtbot.keyClicks(login.password, "s3cret-pass")
    with qtbot.waitSignal(login.credentials_entered) as entered:
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert entered.args == [Credentials("lead", "s3cret-pass")]
    assert "s3cret" not in repr(entered.args[0])


def test_missing_fields_are_named_and_nothing_is_emitted(qtbot: QtBot) -> None:
    login = form(qtbot)
    with qtbot.assertNotEmitted(login.credentials_entered):
        qtbot.mouseClick(login.sign_in, Qt.MouseButton.LeftButton)
        assert login.message.text() == "Enter your login."
        login.login.setText("lead")
        qtbot.mouseClick(login.sign_in, Qt.MouseButton.LeftButton)
    assert login.message.isVisible()
    assert login.message.text() == "Enter your password."
    assert login.message.property("tone") == "error"


def test_a_refusal_is_shown_and_the_password_cleared(qtbot: QtBot) -> None:
    login = form(qtbot)
    login.login.setText("lead")
    login.password.setText("wrong")
    login.show_refused("Wrong login or password")
    assert login.message.isVisible()
    assert login.message.text() == "Wrong login or password"
    assert login.password.text() == ""
    assert login.login.text() == "lead"


def test_busy_takes_no_second_attempt(qtbot: QtBot) -> None:
    login = form(qtbot)
    login.show_demo_accounts(DEMO, "tianshu-demo")
    login.login.setText("lead")
    login.password.setText("pass-word")
    login.show_busy(True)
    assert not login.sign_in.isEnabled()
    assert not any(b.isEnabled() for b in login.demo_buttons)
    assert login.sign_in.text() == "Checking…"
    with qtbot.assertNotEmitted(login.credentials_entered):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    login.show_busy(False)
    assert login.sign_in.text() == "Sign in"


def test_a_demo_account_fills_the_form(qtbot: QtBot) -> None:
    login = form(qtbot)
    login.show_demo_accounts(DEMO, "tianshu-demo")
    assert login.demo_box.isVisible()
    assert [b.text() for b in login.demo_buttons] == ["lead · Shift lead", "watch · Wall viewer"]
    qtbot.mouseClick(login.demo_buttons[1], Qt.MouseButton.LeftButton)
    assert (login.login.text(), login.password.text()) == ("watch", "tianshu-demo")
    login.show_demo_accounts([], "")
    assert not login.demo_box.isVisible()
    assert login.demo_buttons == []


def test_locked_names_who_and_asks_only_for_the_password(qtbot: QtBot) -> None:
    login = form(qtbot)
    login.show_locked(LEAD)
    assert login.title.text() == "Console locked"
    assert "李明 (Shift lead)" in login.subtitle.text()
    assert login.login.text() == "lead"
    assert login.sign_in.text() == "Unlock"
    login.show_sign_in()
    assert (login.login.text(), login.sign_in.text()) == ("", "Sign in")


def test_the_overlay_covers_the_window_and_keeps_keys_from_it(qtbot: QtBot, qapp: QApplication) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    behind = QLineEdit()
    window.setCentralWidget(behind)
    fired: list[bool] = []
    action = QAction("panel", window)
    action.setShortcut(QKeySequence("F7"))
    action.triggered.connect(lambda: fired.append(True))
    window.addAction(action)
    window.resize(800, 500)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    overlay = LockOverlay(ShiftWords(), window)
    overlay.cover()
    assert overlay.geometry() == window.rect()
    window.resize(1000, 700)
    assert overlay.size() == QSize(1000, 700)

    overlay.form.login.setFocus()
    qtbot.keyClick(overlay.form.login, Qt.Key.Key_F7)
    assert fired == []
    # Tab cycles through the form and never lands on the window underneath.
    for _ in range(6):
        focused = qapp.focusWidget()
        assert focused is not None
        assert overlay.isAncestorOf(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)

    # Panels added while locked (a dock created late) and panels raised (a dock's tab selected) stay
    # under the lock.
    late = QLineEdit(window)
    late.show()
    dock = QDockWidget("dock", window)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.show()
    dock.raise_()

    def covered(widget: QWidget) -> bool:
        under = window.childAt(widget.geometry().center())
        return under is overlay or overlay.isAncestorOf(under)

    qtbot.waitUntil(lambda: covered(late) and covered(dock))

    overlay.uncover()
    qtbot.keyClick(behind, Qt.Key.Key_F7)
    assert fired == [True]


def test_a_lock_put_up_before_the_window_shows_fits_the_shown_window(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    overlay = LockOverlay(ShiftWords(), window)
    overlay.cover()
    window.resize(1234, 777)
    window.show()
    qtbot.waitExposed(window)
    assert overlay.isVisible()
    assert overlay.geometry() == window.rect()


def test_a_window_closed_right_after_a_panel_was_added_does_not_trip_the_lock(
    qtbot: QtBot, qapp: QApplication
) -> None:
    """Regression: the lock's deferred raise ran on a deleted overlay ("LockOverlay already deleted")."""
    window = QMainWindow()
    overlay = LockOverlay(ShiftWords(), window)
    overlay.cover()
    window.show()
    qtbot.waitExposed(window)
    QDockWidget("late panel", window)  # queues the lock's raise for the next turn of the event loop
    window.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # window and lock gone before that turn
    qapp.processEvents()  # pytest-qt fails the test on any exception raised in here
