"""The 综合评价 panel as a shift lead reads it: every rate with the counts behind it, a dash when there is
nothing to rate, a period switch that never shows the old period's numbers, units best first by name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from importlib import resources
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispatch.casework.evaluation import Ratio, Span, Tally
from dispatch.casework.model import Action, Role
from widgets.common.palette import Palette
from widgets.shift.metric_tile import MetricTile, Tone
from widgets.shift.metrics_panel import MetricsPanel, percent
from widgets.shift.metrics_values import (
    DepartmentRow,
    LiveFigures,
    MetricsView,
    OperatorRow,
    Period,
    StageTimes,
)
from widgets.shift.shift_words import ShiftWords

MONDAY = 1_767_571_200.0  # 2026-01-05 00:00 UTC
DAY = 86_400.0
NAMES = {"U-339901-CG": "钟楼区城管执法队", "U-339902-HW": "望江区环卫所"}


def view(period: Period = Period.TODAY, **changes: Any) -> MetricsView:
    base = MetricsView(
        period=period, start=MONDAY, end=MONDAY + DAY, zone="UTC", exercise=False, as_of=MONDAY + 9 * 3600,
        computed_at=MONDAY + 9 * 3600,
        counts=Tally(due=60, closed=52, closed_on_time=48, reworked=3, handled_on_time=50, extended=6),
        stages=(StageTimes(Span.REGISTRATION, 58, 240.0, 900.0), StageTimes(Span.SIGN, 55, 45.0, 4000.0)),
        departments=(
            DepartmentRow("U-339902-HW", Tally(due=20, closed=20, handled_on_time=19), 93.5, "A"),
            DepartmentRow(
                "U-339901-CG", Tally(due=40, closed=32, reworked=3, handled_on_time=31), 68.2, "C"
            ),
        ),
        operators=(
            OperatorRow("lead", "李明", (Role.SHIFT_LEAD,), ((Action.REGISTER, 12), (Action.CLOSE, 8))),
            OperatorRow("disp2", "", (Role.DISPATCHER,), ((Action.DISPATCH, 5),)),
        ),
        live=LiveFigures(open=120, overdue=4, carded=2, parked=1, closed_today=7),
    )  # fmt: skip
    return replace(base, **changes)


@pytest.fixture
def panel(qtbot: QtBot, qapp: QApplication, palette: Palette) -> MetricsPanel:
    made = MetricsPanel(ShiftWords(), palette, names=NAMES)
    qtbot.addWidget(made)
    made.resize(460, 900)
    made.show()
    return made


def shown(tile: MetricTile) -> tuple[str, str]:
    return tile.value_text, tile.detail_text


def test_every_rate_shows_the_counts_behind_it(panel: MetricsPanel) -> None:
    panel.show_metrics(view())

    assert shown(panel.closure) == ("87%", "52 / 60")
    assert shown(panel.on_time_closure) == ("80%", "48 / 60")
    assert shown(panel.on_time_handling) == ("83%", "50 / 60")
    assert shown(panel.rework) == ("5%", "3 / 60")
    assert shown(panel.extension) == ("10%", "6 / 60")
    assert [t.value_text for t in panel.live.tiles] == ["120", "4", "2", "1", "7"]
    assert panel.span.text() == "2026-01-05 · 60 cases due"
    assert panel.as_of.text() == "As of 09:00:00"


def test_nothing_to_rate_is_a_dash_never_a_zero_percent(panel: MetricsPanel) -> None:
    panel.show_metrics(view(counts=Tally(), live=LiveFigures(3, 0, 0, 0), departments=(), stages=()))

    for tile in panel.rates.tiles:
        assert shown(tile) == ("—", "Nothing due in this period")
    # Live counters are counts: nobody overdue is a real 0.
    assert [t.value_text for t in panel.live.tiles] == ["3", "0", "0", "0", "0"]
    assert panel.departments.rowCount() == 0
    stage_cells = [panel.stages.item(row, 2).text() for row in range(panel.stages.rowCount())]
    assert stage_cells == ["—"] * 5


def test_percentages_never_round_a_miss_to_100_or_a_few_cases_to_0() -> None:
    assert percent(Ratio(599, 600)) == "99.8%"
    assert percent(Ratio(1, 1000)) == "0.1%"
    assert percent(Ratio(1, 3)) == "33%"
    assert percent(Ratio(5, 5)) == "100%"
    assert percent(Ratio(0, 7)) == "0%"
    assert percent(Ratio(0, 0)) == "—"


def test_overdue_is_red_and_carded_amber_only_when_there_are_some(panel: MetricsPanel) -> None:
    panel.show_metrics(view())
    assert (panel.overdue.tone, panel.carded.tone, panel.open.tone) == (Tone.BAD, Tone.WARN, Tone.NORMAL)

    panel.show_metrics(view(live=LiveFigures(120, 0, 0, 0)))
    assert (panel.overdue.tone, panel.carded.tone) == (Tone.NORMAL, Tone.NORMAL)


def test_a_period_switch_blanks_the_old_numbers_until_its_own_reading(
    qtbot: QtBot, panel: MetricsPanel
) -> None:
    panel.show_metrics(view())
    week = panel.periods.tabRect(2).center()
    with qtbot.waitSignal(panel.period_changed) as changed:
        qtbot.mouseClick(panel.periods, Qt.MouseButton.LeftButton, pos=week)
    assert changed.args == [Period.WEEK]
    assert panel.closure.value_text == "…"
    assert panel.departments.rowCount() == 0

    # Today's reading, still on its way when the week was chosen, is dropped.
    panel.show_metrics(view())
    assert panel.closure.value_text == "…"

    panel.show_metrics(view(Period.WEEK, end=MONDAY + 7 * DAY, counts=Tally(due=300, closed=150)))
    assert shown(panel.closure) == ("50%", "150 / 300")
    assert panel.span.text() == "2026-01-05 – 01-11 · 300 cases due"


def test_units_are_named_graded_and_best_first(panel: MetricsPanel) -> None:
    panel.show_metrics(view())
    table = panel.departments
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert rows == [
        ["A", "望江区环卫所", "93.5", "20", "20", "19", "0"],
        ["C", "钟楼区城管执法队", "68.2", "40", "32", "31", "3"],
    ]
    assert "U-339901-CG" in table.item(1, 1).toolTip()
    assert "80%" in table.item(1, 1).toolTip()  # its closure rate: 32 / 40


def test_operators_show_who_did_what_most(panel: MetricsPanel) -> None:
    panel.show_metrics(view())
    table = panel.operators
    assert [table.item(0, c).text() for c in range(3)] == ["李明", "Shift lead", "20"]
    assert table.item(0, 3).text() == "Register 12 · Close 8"
    # An account the store does not know by name shows its login.
    assert table.item(1, 0).text() == "disp2"


def test_stage_times_read_in_seconds_minutes_and_hours(panel: MetricsPanel) -> None:
    panel.show_metrics(view())
    table = panel.stages
    assert [table.item(0, c).text() for c in range(1, 4)] == ["58", "4 min", "15 min"]
    assert [table.item(2, c).text() for c in range(1, 4)] == ["55", "45 s", "1 h 06 min"]


def test_exercise_readings_say_so(panel: MetricsPanel) -> None:
    panel.show_metrics(view())
    assert panel.exercise.isHidden()
    panel.show_metrics(view(exercise=True))
    assert not panel.exercise.isHidden()


def test_tiles_reflow_from_a_laptop_column_to_a_wide_console(qtbot: QtBot, panel: MetricsPanel) -> None:
    panel.show_metrics(view())
    qtbot.waitUntil(lambda: panel.rates.columns == 3)
    assert panel.live.columns == 3
    panel.resize(800, 900)
    qtbot.waitUntil(lambda: panel.rates.columns == 5)
    assert panel.live.columns == 5
    assert panel.rates.height() < panel.closure.height() * 2


@pytest.fixture
def metrics_chinese(qapp: QApplication) -> Iterator[None]:
    translator = QTranslator()
    assert translator.load("metrics_zh_CN", str(resources.files("resources") / "i18n"))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_the_panel_speaks_chinese(
    qtbot: QtBot, qapp: QApplication, palette: Palette, metrics_chinese: None
) -> None:
    panel = MetricsPanel(ShiftWords(), palette)
    qtbot.addWidget(panel)
    panel.show_metrics(view())
    assert panel.windowTitle() == "综合评价"
    assert [panel.periods.tabText(n) for n in range(4)] == ["本班", "今日", "本周", "本月"]
    rates = ["结案率", "按期结案率", "按期处置率", "返工率", "延期率"]
    assert [t.caption for t in panel.rates.tiles] == rates
    assert [t.caption for t in panel.live.tiles] == ["在办", "处置超期", "亮牌", "挂账", "今日结案"]
    assert panel.span.text() == "2026-01-05 · 应结案 60 件"
    assert "仅演练数据" in panel.exercise.text()
