"""The trend chart with a wall's type: figures sized for the room, few enough not to overlap, at least
one on the axis; the rules' levels drawn across the plot in their state."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from widgets.common.palette import Palette
from widgets.situation.trend_chart import TrendChart

T0 = 1_767_225_600.0


@pytest.fixture
def chart(qtbot: QtBot, palette: Palette) -> TrendChart:
    chart = TrendChart(palette, columns=1)
    qtbot.addWidget(chart)
    chart.add_series("water", "水位")
    chart.set_text_px(80, 60)
    chart.resize(900, 400)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def figures(chart: TrendChart) -> list[float]:
    plot = chart.view.ci.getItem(0, 0)
    low, high = plot.getViewBox().viewRange()[1]
    axis = plot.getAxis("left")
    return [v for _, values in axis.tickValues(low, high, axis.height()) for v in values if low <= v <= high]


@pytest.mark.parametrize(
    ("values", "levels"),
    [([3.6, 3.7, 3.8, 3.9], [(4.0, "firing")]), ([2.0], []), ([5480.0, 5490.0], [(6500.0, "ok")])],
)
def test_wall_figures_are_few_and_never_none(
    chart: TrendChart, values: list[float], levels: list[tuple[float, str]]
) -> None:
    chart.show_levels("water", levels)
    chart.show_series("water", T0 + 60 * np.arange(len(values), dtype=np.float64), np.asarray(values))
    QApplication.processEvents()
    shown = figures(chart)
    plot_height = chart.view.ci.getItem(0, 0).getViewBox().height()
    assert 1 <= len(shown) <= max(1, plot_height // (60 * 1.5)) + 1
    axis = chart.view.ci.getItem(0, 0).getAxis("left")
    assert axis.style["tickFont"].pixelSize() == 60
    assert chart.levels("water") == tuple(levels)
