"""Merge on the desk asks first, with both cases side by side (Esc cancels, Enter merges), and Shift+M splits
the merge again from the master's panel while neither case has moved on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dispatch.casework.model import Action, CaseState, Command
from dispatch.casework.records import audit
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.timers import Timers
from tests.app.desk import test_duty
from tests.app.desk.test_duty import Duty
from tests.dispatch.casework.policies import LAT, LEAD, LON, MONDAY_9, POLICY, put_event
from tests.widgets.duty_values import text_at

# The desk fixture is test_duty's: a duty desk on a fresh store, beaten by hand.
duty = test_duty.duty

S = CaseState


def two_reports_of_one_thing(qtbot: QtBot, duty: Duty) -> None:
    """Case 1 (a grid report) and, two minutes later 30 m away, case 2 (a sensor), proposed as its duplicate;
    case 2 is open on the desk."""
    put_event(duty.db.conn, "e1", at=MONDAY_9, title="人民路井盖缺失", address="人民路18号")
    duty.controller.start()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1)
    duty.clock.advance(120)
    put_event(duty.db.conn, "e2", at=duty.clock.now(), source="iot", title="井盖倾斜告警",
              address="人民路20号", lon=LON + 0.0003, lat=LAT)  # fmt: skip
    duty.controller.poll()
    qtbot.waitUntil(lambda: duty.desk.queue.newer_count() == 1)
    duty.desk.queue.show_newer()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 2)
    duty.desk.queue.select_case(2)
    qtbot.waitUntil(lambda: bool(duty.desk.panel.case_file and duty.desk.panel.case_file.proposals))
    duty.desk.queue.focus_table()


def test_m_shows_both_cases_and_escape_merges_nothing(qtbot: QtBot, duty: Duty) -> None:
    two_reports_of_one_thing(qtbot, duty)
    rows = duty.actions()
    duty.press(Qt.Key.Key_M)
    dialog = duty.controller.merge_dialog
    # Keys reach the dialog once it has the keyboard: shown but not yet activated, Esc is still the desk's.
    qtbot.waitUntil(dialog.confirm.hasFocus)
    shown = {key: (pair[0].text(), pair[1].text()) for key, pair in dialog.cells.items()}
    assert shown["code"][0].startswith("20260105-2")
    assert shown["code"][1].startswith("20260105-1")
    assert shown["title"] == ("井盖倾斜告警", "人民路井盖缺失")
    assert shown["place"][0].startswith("人民路20号")
    assert shown["place"][1].startswith("人民路18号")
    assert shown["source"] == ("IoT sensing", "Grid report")
    assert shown["state"] == ("Discovered", "Discovered")
    assert shown["time"][0] != shown["time"][1]
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    duty.controller.refresh()
    qtbot.waitUntil(lambda: duty.desk.panel.case_file is not None)
    assert duty.actions() == rows
    assert duty.state() is S.DISCOVERED


def test_enter_merges_and_shift_m_on_the_master_splits_them_again(qtbot: QtBot, duty: Duty) -> None:
    two_reports_of_one_thing(qtbot, duty)
    duty.press(Qt.Key.Key_M)
    dialog = duty.controller.merge_dialog
    qtbot.waitUntil(dialog.isVisible)
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1)
    assert duty.actions()[-2:] == [("merge", "li"), ("merge", "li")]

    # The master's panel offers the split; the same dialog, worded for a split, asks first.
    duty.desk.queue.select_case(1)
    panel = duty.desk.panel
    qtbot.waitUntil(lambda: bool(panel.case_file and panel.case_file.case.id == 1 and panel.case_file.splits))
    assert panel.buttons[Action.SPLIT].isVisible()
    assert len(panel.case_file.events) == 2  # type: ignore[union-attr]
    duty.press(Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.confirm.text() == "Split (Enter)"
    assert dialog.cells["state"][0].text() == "Merged"
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 2)
    qtbot.waitUntil(lambda: len(panel.case_file.events) == 1)  # type: ignore[union-attr]
    assert "split off" in duty.desk.notice.text()
    assert duty.actions()[-2:] == [("split", "li"), ("split", "li")]
    assert not panel.buttons[Action.SPLIT].isVisible()
    assert (text_at(panel.timeline, 0, 1), text_at(panel.timeline, 0, 4)) == (
        "Split merged case",
        "gave back 20260105-2",
    )
    states = dict(duty.db.execute("SELECT id, state FROM cases").fetchall())
    assert states == {1: "discovered", 2: "discovered"}
    assert audit.verify(duty.db.conn).ok


def test_a_split_after_the_master_moved_on_says_why(qtbot: QtBot, duty: Duty) -> None:
    two_reports_of_one_thing(qtbot, duty)
    duty.press(Qt.Key.Key_M)
    dialog = duty.controller.merge_dialog
    qtbot.waitUntil(dialog.isVisible)
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1)
    duty.desk.queue.select_case(1)
    panel = duty.desk.panel
    qtbot.waitUntil(lambda: bool(panel.case_file and panel.case_file.splits))
    duty.press(Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(dialog.isVisible)
    # Meanwhile another console registers the master: the split the officer saw is no longer possible.
    version = duty.db.execute("SELECT version FROM cases WHERE id = 1").fetchone()[0]
    CaseDesk(duty.db.conn, Timers(POLICY), duty.clock).act(Command(1, version, Action.REGISTER, LEAD))
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.desk.notice.property("tone") == "error")
    assert "worked on since the merge" in duty.desk.notice.text()
    assert duty.actions()[-1] == ("register", "li")
