"""自动消警 on the desk: a case whose sensor alarm cleared by itself is voided with V, then Enter, or kept
open with Z (both the shift lead's, on the record); the queue marks such cases until then."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dispatch.casework.model import Action, CaseState
from dispatch.casework.records.episodes import CLEARED_REASON, pending_clearing
from tests.app.desk.test_duty import Duty, duty  # noqa: F401  (the duty desk fixture)
from tests.dispatch.casework.policies import DISPATCHER, MONDAY_9, put_event
from widgets.desk.case_words import CaseWords
from widgets.desk.incident_model import QueueColumn, QueueRole


def sensor(desk: Duty, event_id: str, at: float, *, cleared: bool) -> None:
    row = put_event(desk.db.conn, event_id, at=at, source="iot")
    desk.db.conn.execute(
        "UPDATE events SET payload = ? WHERE id = ?",
        (json.dumps({"device": "JG-1", "cleared": cleared}), row),
    )


def test_v_then_enter_voids_a_case_whose_alarm_cleared(qtbot: QtBot, duty: Duty) -> None:  # noqa: F811
    sensor(duty, "a1", MONDAY_9, cleared=False)
    sensor(duty, "a2", MONDAY_9 + 60, cleared=True)
    duty.controller.start()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1 and duty.state() is CaseState.DISCOVERED)
    qtbot.waitUntil(lambda: bool(duty.desk.panel.case_file and duty.desk.panel.case_file.clearing_proposed))
    duty.desk.queue.focus_table()

    duty.press(Qt.Key.Key_V)
    form = duty.desk.form
    qtbot.waitUntil(form.isVisible)
    assert form.reason.text() == CLEARED_REASON
    QTest.keyClick(form.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.state() is CaseState.VOID)
    reason = duty.db.execute("SELECT actor, reason FROM audit WHERE action = 'void'").fetchone()
    assert reason == ("li", CLEARED_REASON)
    assert pending_clearing(duty.db.conn) == []


def test_z_keeps_the_case_open_on_the_record_and_its_mark_leaves_the_queue(
    qtbot: QtBot,
    duty: Duty,  # noqa: F811
) -> None:
    sensor(duty, "a1", MONDAY_9, cleared=False)
    sensor(duty, "a2", MONDAY_9 + 60, cleared=True)
    duty.controller.start()
    model = duty.desk.queue.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.rows[0].clearing)
    assert model.data(model.index(0, QueueColumn.TITLE), QueueRole.TAG) is not None
    qtbot.waitUntil(lambda: bool(duty.desk.panel.case_file and duty.desk.panel.case_file.clearing_proposed))
    assert ("Z", CaseWords().action(Action.DISMISS_CLEARING)) in duty.desk.key_rows()
    duty.desk.queue.focus_table()

    duty.press(Qt.Key.Key_Z)
    qtbot.waitUntil(lambda: ("dismiss_clearing", "li") in duty.actions())
    qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.rows[0].clearing)
    assert model.data(model.index(0, QueueColumn.TITLE), QueueRole.TAG) is None
    assert duty.state() is CaseState.DISCOVERED
    assert pending_clearing(duty.db.conn) == []
    qtbot.waitUntil(lambda: not duty.desk.panel.buttons[Action.DISMISS_CLEARING].isVisibleTo(duty.desk.panel))


def test_z_does_nothing_for_a_role_that_may_not_dismiss(qtbot: QtBot, duty: Duty) -> None:  # noqa: F811
    sensor(duty, "a1", MONDAY_9, cleared=False)
    sensor(duty, "a2", MONDAY_9 + 60, cleared=True)
    duty.controller.set_actor(DISPATCHER)
    duty.controller.start()
    qtbot.waitUntil(lambda: bool(duty.desk.panel.case_file and duty.desk.panel.case_file.clearing_proposed))
    assert not duty.desk.panel.buttons[Action.DISMISS_CLEARING].isVisibleTo(duty.desk.panel)
    duty.desk.queue.focus_table()
    duty.press(Qt.Key.Key_Z)
    duty.controller.refresh()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1)
    assert "dismiss_clearing" not in [action for action, _ in duty.actions()]
    assert pending_clearing(duty.db.conn) != []
