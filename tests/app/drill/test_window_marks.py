"""During a drill every window that opens — the dispatch dialog, a message box, any dialog — carries the
DRILL mark and the word in its title; menus do not; after the drill, nothing is marked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.drill.window_marks import DrillWindowMarks
from app.shell.theme import load_palette
from widgets.common.vocabulary import Vocabulary
from widgets.desk.dispatch_dialog import DispatchDialog
from widgets.drill.watermark import DrillWatermark


@pytest.fixture
def marks(qapp: QApplication, qtbot: QtBot) -> Iterator[tuple[DrillWindowMarks, QMainWindow]]:
    window = QMainWindow()
    window.setWindowTitle("【演练】天枢")
    qtbot.addWidget(window)
    marks = DrillWindowMarks(qapp, load_palette(), "演练", skip=window)
    try:
        yield marks, window
    finally:
        marks.close()


def _mark_of(widget: QWidget) -> DrillWatermark | None:
    found = widget.findChildren(DrillWatermark, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return found[0] if found else None


def test_dialogs_opened_during_a_drill_carry_the_mark(
    qtbot: QtBot, marks: tuple[DrillWindowMarks, QMainWindow]
) -> None:
    _, window = marks
    window.show()
    dispatch = DispatchDialog(Vocabulary(), window)
    box = QMessageBox(QMessageBox.Icon.Warning, "确认结案", "确认结案吗？", parent=window)
    plain = QDialog()  # no parent: a window of its own all the same
    qtbot.addWidget(plain)
    for dialog in (dispatch, box, plain):
        dialog.resize(480, 320)
        dialog.show()
        qtbot.waitExposed(dialog)
        mark = _mark_of(dialog)
        assert mark is not None, type(dialog).__name__
        assert mark.isVisible()
        assert mark.geometry() == dialog.rect()
        assert dialog.windowTitle().startswith("【演练】")
    dispatch.resize(640, 480)  # the mark follows the dialog's size
    qtbot.waitUntil(lambda: _mark_of(dispatch).geometry() == dispatch.rect())  # type: ignore[union-attr]
    # Shown again, a dialog is not marked twice.
    dispatch.hide()
    dispatch.show()
    assert len(dispatch.findChildren(DrillWatermark, options=Qt.FindChildOption.FindDirectChildrenOnly)) == 1
    assert dispatch.windowTitle().count("演练") == 1
    # The drill window keeps its own mark and title.
    assert _mark_of(window) is None
    assert window.windowTitle() == "【演练】天枢"
    for dialog in (dispatch, box, plain):
        dialog.close()


def test_menus_are_not_marked_and_nothing_is_after_the_drill(
    qtbot: QtBot, marks: tuple[DrillWindowMarks, QMainWindow]
) -> None:
    drill_marks, window = marks
    window.show()
    menu = QMenu(window)
    menu.addAction("立案")
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible)
    assert _mark_of(menu) is None
    menu.close()
    drill_marks.close()
    after = QDialog(window)
    after.show()
    qtbot.waitExposed(after)
    assert _mark_of(after) is None
    assert "演练" not in after.windowTitle()
