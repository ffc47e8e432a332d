"""自动消警 on the desk: a case whose sensor alarm cleared by itself is voided with V, then Enter."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dispatch.casework.episodes import CLEARED_REASON, pending_clearing
from dispatch.casework.model import CaseState
from tests.app.test_duty import Duty, duty  # noqa: F401  (the duty desk fixture)
from tests.dispatch.casework.policies import MONDAY_9, put_event


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
