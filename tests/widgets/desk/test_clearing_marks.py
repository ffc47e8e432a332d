"""Machine alarms on the desk: the queue marks the cases waiting for 自动消警, the timeline words a device's
repeats (folded, ×N) and its cleared report, the case panel offers keeping such a case open."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from importlib import resources

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.theme import apply_theme
from dispatch.casework.model import Action, CaseState, Role
from tests.widgets.duty_values import NOW, audit, case, case_file, page, row, text_at
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_panel import ActionRequest, CasePanel
from widgets.desk.case_words import CaseWords
from widgets.desk.incident_model import QueueColumn, QueueRole
from widgets.desk.incident_queue import IncidentQueue

S = CaseState


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[Palette]:
    yield apply_theme(qapp)
    qapp.setStyleSheet("")


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The shipped catalogues these words live in, installed for one test."""
    folder = str(resources.files("resources") / "i18n")
    translators = [QTranslator(), QTranslator()]
    for translator, name in zip(translators, ("tianshu_zh_CN", "clearing_zh_CN"), strict=True):
        assert translator.load(name, folder)
        QCoreApplication.installTranslator(translator)
    yield
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


def make_queue(qtbot: QtBot, vocabulary: Vocabulary, palette: Palette) -> IncidentQueue:
    widget = IncidentQueue(CaseWords(), vocabulary, palette)
    qtbot.addWidget(widget)
    widget.resize(1500, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def accent_pixels(queue: IncidentQueue, palette: Palette, r: int) -> int:
    """How many pixels of the title cell of row `r` are painted in the tag's theme colour."""
    table = queue.table
    rect = table.visualRect(queue.model.index(r, QueueColumn.TITLE))
    image = table.viewport().grab(rect).toImage()
    accent = palette.color("accent").rgb()
    return sum(image.pixel(x, y) == accent for x in range(image.width()) for y in range(image.height()))


def test_the_queue_marks_the_cases_waiting_for_auto_clearing(
    qtbot: QtBot, vocabulary: Vocabulary, themed: Palette
) -> None:
    queue = make_queue(qtbot, vocabulary, themed)
    queue.tick(NOW)
    queue.show_page(
        page([row(1, source="iot", clearing=True), row(2, source="iot"), row(3, state=S.REGISTERED)])
    )
    model = queue.model
    tags = [model.data(model.index(r, QueueColumn.TITLE), QueueRole.TAG) for r in range(3)]
    assert tags == [("Auto-clear", "accent", "accent_text"), None, None]
    tip = str(model.data(model.index(0, QueueColumn.TITLE), Qt.ItemDataRole.ToolTipRole))
    assert "自动消警" in tip
    assert "V confirms" in tip
    assert "Z keeps it open" in tip
    assert "自动消警" not in str(model.data(model.index(1, QueueColumn.TITLE), Qt.ItemDataRole.ToolTipRole))
    # Painted as a pill in the theme's colour, in the marked row only; the row keeps its words.
    assert accent_pixels(queue, themed, 0) > 20
    assert accent_pixels(queue, themed, 1) == 0
    assert model.data(model.index(0, QueueColumn.STATE)) == "Discovered"
    assert tip.startswith("人民路井盖缺失1")


def test_the_queue_mark_reads_in_chinese(
    qtbot: QtBot, vocabulary: Vocabulary, themed: Palette, chinese: None
) -> None:
    queue = make_queue(qtbot, vocabulary, themed)
    queue.show_page(page([row(1, source="iot", clearing=True)]))
    model = queue.model
    assert model.data(model.index(0, QueueColumn.TITLE), QueueRole.TAG)[0] == "待消警"
    tip = str(model.data(model.index(0, QueueColumn.TITLE), Qt.ItemDataRole.ToolTipRole))
    assert "值班长按 V 确认" in tip
    assert "按 Z 驳回" in tip


def repeat(n: int, case_id: int = 7, **payload: object) -> object:
    words = {"source": "iot", "event_id": f"a{n}", "revision": 1, "severity": 3, "from_severity": 3,
             "title": "井盖位移报警", "repeat": True, **payload}  # fmt: skip
    return audit(n, case_id, Action.SOURCE_UPDATE, S.DISCOVERED, S.DISCOVERED, actor="system",
                 role=Role.SYSTEM, payload=words)  # fmt: skip


def timeline_panel(qtbot: QtBot, vocabulary: Vocabulary) -> CasePanel:
    panel = CasePanel(CaseWords(), vocabulary)
    qtbot.addWidget(panel)
    panel.resize(700, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    return panel


def sensor_history() -> tuple[object, ...]:
    discover = audit(1, 7, Action.DISCOVER, S.DISCOVERED, S.DISCOVERED, actor="system", role=Role.SYSTEM)
    raised = repeat(6, severity=2, from_severity=3)
    cleared = repeat(7, cleared=True, severity=2, from_severity=2)
    return (discover, repeat(2), repeat(3), repeat(4), repeat(5), raised, repeat(8), cleared)


def test_the_timeline_folds_repeats_and_says_when_the_sensor_cleared(
    qtbot: QtBot, vocabulary: Vocabulary
) -> None:
    panel = timeline_panel(qtbot, vocabulary)
    panel.show_file(dataclasses.replace(case_file(case(source="iot")), timeline=sensor_history()))  # type: ignore[arg-type]
    table = panel.timeline
    actions = [text_at(table, r, 1) for r in range(table.rowCount())]
    # Newest first: four plain repeats in a row are one line; the one that raised the level stands alone.
    assert actions == [
        "Sensor reports the alarm cleared",
        "Repeated alarm ×1",
        "Repeated alarm ×1",
        "Repeated alarm ×4",
        "Discovered",
    ]
    assert "raised from level III to II" in text_at(table, 2, 4)
    folded = text_at(table, 3, 4)
    assert folded.startswith("since ")
    assert "revision" not in folded
    assert "Source updated the report" not in actions


def test_the_timeline_words_read_in_chinese(qtbot: QtBot, vocabulary: Vocabulary, chinese: None) -> None:
    panel = timeline_panel(qtbot, vocabulary)
    panel.show_file(dataclasses.replace(case_file(case(source="iot")), timeline=sensor_history()))  # type: ignore[arg-type]
    table = panel.timeline
    assert text_at(table, 0, 1) == "传感器报告已恢复"
    assert text_at(table, 3, 1) == "重复报警 ×4"
    assert text_at(table, 3, 4).startswith("自 ")


def test_keeping_open_is_offered_only_while_a_proposal_waits_and_only_to_the_lead(
    qtbot: QtBot, vocabulary: Vocabulary
) -> None:
    panel = timeline_panel(qtbot, vocabulary)
    shown = case(source="iot")
    proposed = dataclasses.replace(case_file(shown), clearing_proposed=True)
    panel.set_role(Role.SHIFT_LEAD)
    panel.show_file(case_file(shown))
    assert not panel.buttons[Action.DISMISS_CLEARING].isVisibleTo(panel)
    panel.show_file(proposed)
    assert panel.buttons[Action.DISMISS_CLEARING].isVisibleTo(panel)
    assert panel.buttons[Action.DISMISS_CLEARING].text() == "Keep open (no 自动消警) (Z)"
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.action_requested) as asked:
        QTest.keyClick(panel.tabs, Qt.Key.Key_Z)
    assert asked.args == [ActionRequest(Action.DISMISS_CLEARING, shown.id, shown.version)]
    for role in (Role.DISPATCHER, Role.INTAKE, Role.SUPERVISOR, Role.VIEWER):
        panel.set_role(role)
        panel.show_file(proposed)
        assert not panel.buttons[Action.DISMISS_CLEARING].isVisibleTo(panel), role
        with qtbot.assertNotEmitted(panel.action_requested):
            QTest.keyClick(panel.tabs, Qt.Key.Key_Z)
