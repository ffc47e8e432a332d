"""The handover panel renders shifts and handovers passed in and asks for writing, receipt and export."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dispatch.casework.model import Actor, Card, CaseState, Role
from dispatch.casework.shifts import Handover, HandoverCase, Shift
from widgets.shift.handover_panel import HandoverPanel, HandoverReport
from widgets.shift.shift_words import ShiftWords

START = time.mktime((2026, 1, 5, 8, 0, 0, 0, 0, -1))
DAY = Shift(START, START + 12 * 3600, 0)
LEAD = Actor("li", Role.SHIFT_LEAD, "李明")
NIGHT = Actor("zhou", Role.SHIFT_LEAD, "周强")
CASES = (
    HandoverCase(7, "20260105-7", CaseState.DISPATCHED, Card.RED_CARD, START + 3600, "U-FIRE-1", "仓库火警",
                 "fire_alarm", False),
    HandoverCase(9, "20260105-9", CaseState.IN_PROGRESS, Card.NONE, START + 7200, "U-ROAD", "井盖缺失",
                 "manhole_cover", True),
)  # fmt: skip
WAITING = Handover(2, DAY.start, DAY.end, "li", "李明", "火警仍在处置", CASES, DAY.end - 600)
EARLIER = Handover(
    1, DAY.start - 43200, DAY.start, "zhou", "周强", "夜间平稳", (), DAY.start, "li", "李明", DAY.start + 300
)


@pytest.fixture
def panel(qtbot: QtBot) -> HandoverPanel:
    made = HandoverPanel(ShiftWords(), names={"U-FIRE-1": "江汉消防站"})
    qtbot.addWidget(made)
    made.resize(900, 800)
    made.show()
    made.show_shift(DAY, 12)
    made.show_handovers([WAITING, EARLIER])
    return made


def test_the_shift_history_and_the_selected_handover_are_shown(panel: HandoverPanel) -> None:
    assert panel.shift.text() == "Handing over: 2026-01-05 08:00–20:00"
    assert panel.capture.text() == "12 open cases will be listed with the note."
    assert [panel.history.item(n).text() for n in range(2)] == [
        "2026-01-05 08:00–20:00 · 李明 · awaiting receipt",
        "2026-01-04 20:00–01-05 08:00 · 周强 · received by 李明",
    ]
    assert panel.pending.isVisible()
    assert "李明" in panel.pending.text()
    assert panel.detail_note.text() == "火警仍在处置"
    table = [[panel.cases.item(r, c).text() for c in range(6)] for r in range(panel.cases.rowCount())]
    assert table == [
        ["20260105-7", "Dispatched", "Red card", "01-05 09:00", "江汉消防站", "仓库火警"],
        ["20260105-9", "In progress", "—", "01-05 10:00 (parked)", "U-ROAD", "井盖缺失"],
    ]


def test_only_another_shift_lead_may_acknowledge(qtbot: QtBot, panel: HandoverPanel) -> None:
    panel.set_actor(None)
    assert not panel.acknowledge.isEnabled()
    panel.set_actor(LEAD)
    assert not panel.acknowledge.isEnabled()
    panel.set_actor(Actor("wall", Role.VIEWER))
    assert not panel.acknowledge.isEnabled()
    assert panel.note.isReadOnly()
    assert not panel.submit.isEnabled()
    panel.set_actor(NIGHT)
    with qtbot.waitSignal(panel.receipt_confirmed) as receipt:
        qtbot.mouseClick(panel.acknowledge, Qt.MouseButton.LeftButton)
    assert receipt.args == [2]
    panel.history.setCurrentRow(1)
    assert not panel.acknowledge.isEnabled()  # already received
    assert panel.detail_note.text() == "夜间平稳"


def test_the_lead_hands_over_with_a_click_or_ctrl_return(qtbot: QtBot, panel: HandoverPanel) -> None:
    panel.set_actor(LEAD)
    with qtbot.assertNotEmitted(panel.handover_submitted):
        qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    assert panel.message.text() == "Write the handover note first."
    panel.note.setPlainText("  夜班注意仓库复燃  ")
    with qtbot.waitSignal(panel.handover_submitted) as submitted:
        qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    assert submitted.args == ["夜班注意仓库复燃"]
    with qtbot.waitSignal(panel.handover_submitted):
        qtbot.keyClick(panel.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_export_asks_for_the_selected_handover(qtbot: QtBot, panel: HandoverPanel) -> None:
    panel.history.setCurrentRow(1)
    with qtbot.waitSignal(panel.export_requested) as export:
        qtbot.mouseClick(panel.export, Qt.MouseButton.LeftButton)
    assert export.args == [1]


def test_a_refreshed_list_keeps_the_selection_and_an_empty_one_says_so(panel: HandoverPanel) -> None:
    panel.history.setCurrentRow(1)
    panel.show_handovers([WAITING, EARLIER])
    current = panel.current()
    assert current is not None
    assert current.id == 1
    panel.show_handovers([])
    assert panel.current() is None
    assert panel.detail_note.text() == "No handover yet."
    assert not panel.export.isEnabled()
    assert not panel.pending.isVisible()


def test_the_printable_page_escapes_text_and_lists_every_case() -> None:
    page = HandoverReport(ShiftWords()).html(
        Handover(3, DAY.start, DAY.end, "li", "李明", "a < b & c\n下一行", CASES, DAY.end)
    )
    assert "a &lt; b &amp; c<br>下一行" in page
    assert "Open cases (2)" in page
    assert page.count("<tr>") == 3
    assert "01-05 10:00 (parked)" in page
    assert "Handed over by 李明 (li)" in page


def test_the_printable_page_carries_the_audit_checkpoint_signed_with_the_handover() -> None:
    from dispatch.casework.checkpoint_stamp import Checkpoint

    signed = Checkpoint("f0" * 16, 4711, "ab" * 32, DAY.end, "handover", "", "cd" * 64)
    page = HandoverReport(ShiftWords()).html(
        Handover(3, DAY.start, DAY.end, "li", "李明", "交班", CASES, DAY.end, checkpoint=signed)
    )
    assert "4711 audit rows" in page
    assert f"<tt>{'ab' * 32}</tt>" in page
    assert f"<tt>{'cd' * 64}</tt>" in page
    unsigned = HandoverReport(ShiftWords()).html(
        Handover(3, DAY.start, DAY.end, "li", "李明", "交班", (), DAY.end)
    )
    assert "None: the cockpit has no audit signing key." in unsigned
