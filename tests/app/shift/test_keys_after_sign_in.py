"""Keys work right after sign-in: the cockpit as `python main.py` builds it, signed in from the keyboard,
then F1, Esc, J/K, / and F9 pressed with no click, each delivered where a real keyboard's would go."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget
from pytestqt.qtbot import QtBot

from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.gui import Console, install_console, install_wall
from app.shell.main_window import MainWindow
from app.shell.theme import apply_theme
from core.clock import ManualClock
from dispatch.casework.model import Role
from dispatch.casework.records.accounts import create_operator
from dispatch.service import LocalLoop
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import MONDAY_9, POLICY, put_event
from video.registry import CameraRegistry
from widgets.desk.duty_desk import DutyDesk

PASSWORD = "night-shift-7"
TITLES = ("人民路井盖缺失", "解放路积水", "长江路路灯不亮")


@dataclass
class Cockpit1:
    window: MainWindow
    desk: DutyDesk
    console: Console

    def press(self, key: Qt.Key) -> None:
        """A key as the keyboard sends it: to the window that has the keyboard, which routes it on."""
        target = QGuiApplication.focusWindow()
        assert target is not None, "no window has the keyboard"
        QTest.keyClick(target, key)

    def focus(self) -> QWidget | None:
        return QApplication.focusWidget()

    def selected_title(self) -> str | None:
        shown = self.desk.panel.case_file
        return shown.case.title if shown is not None else None

    def in_front(self) -> list[str]:
        """The desk column's docks on screen (Qt keeps a dock behind another tab "visible", off screen)."""
        docks = self.window.findChildren(QDockWidget)
        return sorted(
            d.objectName()
            for d in docks
            if d.isVisible()
            and not d.visibleRegion().isEmpty()
            and d.objectName() in {"dutyDock", "videoWallDock", "eventStreamDock"}
        )


@pytest.fixture
def cockpit(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Cockpit1]:
    store = tmp_path / "store.sqlite3"
    db = open_store(store)
    create_operator(db.conn, "li", "李明", Role.SHIFT_LEAD, PASSWORD, now=MONDAY_9)
    for n, title in enumerate(TITLES):
        put_event(db.conn, f"e{n}", at=MONDAY_9 + n, title=title)
    db.close()
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    window = MainWindow(palette=apply_theme(qapp), settings=settings)
    qtbot.addWidget(window)
    worker = LocalLoop(store, POLICY, ManualClock(MONDAY_9 + 60))
    cockpit = Cockpit(
        window,
        db_path=store,
        feed_url="ws://127.0.0.1:9",
        pipeline_factory=make_pipeline_factory(None, None),
        loop=worker,
    )
    console = install_console(qapp, window, cockpit, demo=False)
    wall = install_wall(window, cockpit, console, settings, tmp_path, CameraRegistry([]))
    assert window.duty_dock is not None
    desk = window.duty_dock.widget()
    assert isinstance(desk, DutyDesk)
    window.resize(1600, 900)
    window.show()
    # A desktop's window manager gives a new window the keyboard.
    with qtbot.waitActive(window):
        window.activateWindow()
    assert cockpit.duty is not None
    cockpit.duty.start()
    qtbot.waitUntil(lambda: desk.queue.model.rowCount() == len(TITLES))
    yield Cockpit1(window, desk, console)
    console.stop()
    cockpit.duty.stop()
    wall.close()
    worker.close()
    qapp.setStyleSheet("")


def sign_in_from_the_keyboard(qtbot: QtBot, cockpit: Cockpit1) -> None:
    form = cockpit.console.session.overlay.form
    assert cockpit.focus() is form.login
    QTest.keyClicks(form.login, "li")
    cockpit.press(Qt.Key.Key_Return)
    assert cockpit.focus() is form.password
    QTest.keyClicks(form.password, PASSWORD)
    with qtbot.waitSignal(cockpit.console.session.lock_changed, timeout=10_000) as unlocked:
        cockpit.press(Qt.Key.Key_Return)
    assert unlocked.args == [False]


def test_after_sign_in_the_queue_has_the_keyboard(qtbot: QtBot, cockpit: Cockpit1) -> None:
    sign_in_from_the_keyboard(qtbot, cockpit)
    assert cockpit.focus() is cockpit.desk.queue.table


def test_f1_esc_and_j_k_work_right_after_sign_in_without_a_click(qtbot: QtBot, cockpit: Cockpit1) -> None:
    sign_in_from_the_keyboard(qtbot, cockpit)
    desk = cockpit.desk

    cockpit.press(Qt.Key.Key_F1)
    assert desk.keys is not None
    keys = desk.keys
    qtbot.waitUntil(keys.isVisible)
    cockpit.press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not keys.isVisible())
    # What a desktop's window manager does when a dialog closes (the offscreen platform has none).
    with qtbot.waitActive(cockpit.window):
        cockpit.window.activateWindow()

    # The queue lists the newest first and opens it; J walks down, K back up, and the panel follows.
    qtbot.waitUntil(lambda: cockpit.selected_title() == TITLES[2])
    cockpit.press(Qt.Key.Key_J)
    qtbot.waitUntil(lambda: cockpit.selected_title() == TITLES[1])
    cockpit.press(Qt.Key.Key_J)
    qtbot.waitUntil(lambda: cockpit.selected_title() == TITLES[0])
    cockpit.press(Qt.Key.Key_K)
    qtbot.waitUntil(lambda: cockpit.selected_title() == TITLES[1])


def test_esc_brings_the_keys_back_from_the_search_to_the_queue(qtbot: QtBot, cockpit: Cockpit1) -> None:
    sign_in_from_the_keyboard(qtbot, cockpit)
    cockpit.press(Qt.Key.Key_Slash)
    assert cockpit.focus() is not cockpit.desk.queue.table
    cockpit.press(Qt.Key.Key_Escape)
    assert cockpit.focus() is cockpit.desk.queue.table


def test_f9_switches_to_the_wall_and_back_right_after_sign_in(qtbot: QtBot, cockpit: Cockpit1) -> None:
    sign_in_from_the_keyboard(qtbot, cockpit)
    assert cockpit.in_front() == ["dutyDock"]
    cockpit.press(Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: cockpit.in_front() == ["videoWallDock"])
    cockpit.press(Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: cockpit.in_front() == ["dutyDock"])
    assert cockpit.focus() is cockpit.desk.queue.table
