"""The trend chart with a wall's type: figures sized for the room, few enough not to overlap, at least
one on the axis; the rules' levels drawn across the plot in their state."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from widgets.common.palette import Palette
from widgets.situation.trend_chart import TICK_GAP_LINES, TrendChart, ValueAxis

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


@settings(max_examples=300, deadline=None)
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-3, 1e6, allow_nan=False),
    size=st.floats(60, 900),
    text_px=st.integers(10, 90),
)
def test_a_value_axis_never_stacks_its_figures_and_keeps_one(
    qapp: QApplication, low: float, span: float, size: float, text_px: int
) -> None:
    """A short wall plot with large figures (found on a wall: 4.2, 4.0 and 3.8 on top of each other)."""
    axis = ValueAxis()
    axis.text_px = text_px
    high = low + span
    shown = sorted(v for _, values in axis.tickValues(low, high, size) for v in values if low <= v <= high)
    assert shown, "at least one figure on the axis"
    gaps = [(b - a) / span * size for a, b in itertools.pairwise(shown)]
    assert all(gap >= text_px * TICK_GAP_LINES * 0.999 for gap in gaps)
