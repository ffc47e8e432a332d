"""The dispatch dialog says where each unit's travel time was measured from: its live position and how old
it is, or its base and why (no live position, or one too old)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispatch.casework.readouts import DispatchOptions, PositionSource, UnitChoice
from tests.widgets.duty_values import text_at
from widgets.common.vocabulary import Vocabulary
from widgets.desk.dispatch_dialog import DispatchDialog

LIVE, BASE = PositionSource.LIVE, PositionSource.BASE


def options(*choices: UnitChoice) -> DispatchOptions:
    return DispatchOptions(7, 1, "20261207-7", "人民路井盖缺失", "manhole_cover", "人民路88号", "", choices)


def test_each_row_says_whether_it_was_measured_from_a_live_position_or_the_base(
    qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary
) -> None:
    dialog = DispatchDialog(vocabulary)
    qtbot.addWidget(dialog)
    dialog.ask(
        options(
            UnitChoice("U-1", "一中队", True, False, 300.0, 2000.0, LIVE, 130.0),
            UnitChoice("U-2", "二中队", True, False, 420.0, 2500.0, LIVE, 12.0),
            UnitChoice("U-3", "三中队", True, False, 500.0, 3000.0, BASE, 1500.0),
            UnitChoice("U-4", "四中队", True, False, 600.0, 3500.0, BASE, None),
            UnitChoice("U-5", "市应急中心", True, False),
        )
    )
    qtbot.waitExposed(dialog)
    assert dialog.units.horizontalHeaderItem(4).text() == "From"
    assert [text_at(dialog.units, row, 4) for row in range(5)] == [
        "Live position · 2 min ago",
        "Live position · just now",
        "Base (live position 25 min old)",
        "Base (no live position)",
        "—",
    ]
