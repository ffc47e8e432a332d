"""The dispatch dialog: the routed unit comes first and is chosen by Enter; Up/Down pick a recommended unit,
templates fill the instructions, Esc sends nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispatch.casework.readouts import DispatchChoice, DispatchOptions, UnitChoice
from tests.widgets.duty_values import text_at
from widgets.common.vocabulary import Vocabulary
from widgets.desk.dispatch_dialog import DispatchDialog

OPTIONS = DispatchOptions(
    case_id=7,
    version=4,
    code="20260105-7",
    title="居民楼火情报警",
    category="fire_alarm",
    address="人民路18号",
    routed_unit="U-339901-XF",
    choices=(
        UnitChoice(
            "U-339901-XF", "钟楼区消防救援站", available=True, routed=True, travel_s=412.0, straight_m=2100.0
        ),
        UnitChoice(
            "U-339903-XF", "明湖区消防救援站", available=True, routed=False, travel_s=540.0, straight_m=3300.0
        ),
        UnitChoice(
            "U-339902-XF", "北辰区消防救援站", available=False, routed=False, travel_s=300.0, straight_m=900.0
        ),
        UnitChoice("U-CITY-YJ", "市城市运行应急保障中心", available=True, routed=False),
    ),
)


def open_dialog(qtbot: QtBot, vocabulary: Vocabulary) -> DispatchDialog:
    dialog = DispatchDialog(vocabulary)
    qtbot.addWidget(dialog)
    dialog.ask(OPTIONS)
    qtbot.waitExposed(dialog)
    return dialog


def test_the_routed_unit_is_first_and_enter_sends_it(
    qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary
) -> None:
    dialog = open_dialog(qtbot, vocabulary)
    units = dialog.units
    assert units.rowCount() == 4
    assert text_at(units, 0, 0) == "钟楼区消防救援站 (routing rule)"
    assert [text_at(units, r, 1) for r in range(4)] == ["7 min", "9 min", "5 min", "—"]
    assert text_at(units, 2, 3) == "Busy"
    assert text_at(units, 1, 2) == "3.3 km"
    assert units.currentRow() == 0
    assert dialog.instructions.text() == dialog.templates("fire_alarm")[0]
    assert dialog.templates("fire_alarm")[1:] == dialog.templates("unknown"), (
        "own templates, then general ones"
    )
    with qtbot.waitSignal(dialog.dispatch_confirmed) as sent:
        QTest.keyClick(units, Qt.Key.Key_Return)
    assert sent.args == [DispatchChoice("U-339901-XF", dialog.templates("fire_alarm")[0], False, 412.0)]
    assert not dialog.isVisible()


def test_down_picks_a_recommended_unit_and_the_officer_can_edit_the_instructions(
    qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary
) -> None:
    dialog = open_dialog(qtbot, vocabulary)
    QTest.keyClick(dialog.units, Qt.Key.Key_Down)
    dialog.template.setCurrentIndex(1)
    dialog.template.activated.emit(1)
    assert dialog.instructions.text() == dialog.templates("fire_alarm")[1]
    dialog.instructions.setFocus()
    QTest.keyClicks(dialog.instructions, " Go.")
    with qtbot.waitSignal(dialog.dispatch_confirmed) as sent:
        QTest.keyClick(dialog.instructions, Qt.Key.Key_Return)
    choice = sent.args[0]
    assert (choice.unit, choice.recommended, choice.travel_s) == ("U-339903-XF", True, 540.0)
    assert choice.instructions == dialog.templates("fire_alarm")[1] + " Go."


def test_escape_sends_nothing(qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary) -> None:
    dialog = open_dialog(qtbot, vocabulary)
    with qtbot.assertNotEmitted(dialog.dispatch_confirmed), qtbot.waitSignal(dialog.rejected):
        QTest.keyClick(dialog.units, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
