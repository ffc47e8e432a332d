"""Trend charts for the wall: the desk's TrendChart, one plot per metric, with type sized for the room."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QVBoxLayout, QWidget

from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.situation.trend_chart import TrendChart
from widgets.situation.vital_alerts import VitalLine


class WallTrends(QWidget):
    """Plots the named metrics side by side; `window_s` of history, however much the app holds."""

    def __init__(
        self,
        palette: Palette,
        vocabulary: Vocabulary,
        names: Sequence[str],
        window_s: float,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wallTrends")
        self.names = tuple(names)
        self.window_s = window_s
        self.chart = TrendChart(palette, columns=max(1, len(self.names)), parent=self)
        self.chart.min_span_s = window_s
        for name in self.names:
            self.chart.add_series(name, vocabulary.metric(name))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chart)

    def set_text_px(self, title_px: int, tick_px: int) -> None:
        self.chart.set_text_px(title_px, tick_px)

    def show_lines(self, name: str, lines: Sequence[VitalLine]) -> None:
        """The rules' levels across the plot of `name`, each in its rule's state."""
        if name in self.names:
            self.chart.show_levels(name, [(line.value, line.state) for line in lines])

    def show_series(self, name: str, t: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        if name not in self.names or not len(t):
            return
        keep = t >= t[-1] - self.window_s
        self.chart.show_series(name, t[keep], y[keep])
