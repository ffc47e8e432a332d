"""One city vital sign as a wall-readable tile: name, big number, unit and a trend arrow."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets.style import set_style_property


class Trend(enum.StrEnum):
    """Direction against the recent average; the value is also the stylesheet's property value."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"


_ARROWS = {Trend.UP: "▲", Trend.DOWN: "▼", Trend.FLAT: "▬"}


def format_value(value: float) -> str:
    """Few significant digits: a wall shows levels, not noise."""
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


class KpiTile(QFrame):
    """Shows the latest value of one metric; colours come from the theme via the `trend` property."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("kpiCaption")
        self.scope = QLabel("", self)
        self.scope.setObjectName("kpiScope")
        self.scope.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.value = QLabel("—", self)
        self.value.setObjectName("kpiValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.unit = QLabel("", self)
        self.unit.setObjectName("kpiUnit")
        self.unit.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.arrow = QLabel(_ARROWS[Trend.FLAT], self)
        self.arrow.setObjectName("kpiTrend")
        self.arrow.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        set_style_property(self.arrow, "trend", Trend.FLAT.value)
        self.trend = Trend.FLAT
        numbers = QHBoxLayout()
        numbers.setSpacing(6)
        numbers.addWidget(self.value)
        numbers.addWidget(self.unit)
        numbers.addStretch(1)
        numbers.addWidget(self.arrow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(0)
        titles = QHBoxLayout()
        titles.setSpacing(6)
        titles.addWidget(self.caption)
        titles.addStretch(1)
        titles.addWidget(self.scope)
        layout.addLayout(titles)
        layout.addLayout(numbers)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_scope(self, text: str) -> None:
        """What the number covers (city-wide, highest of N districts…)."""
        if self.scope.text() != text:
            self.scope.setText(text)

    def show_value(self, value: float, unit: str | None, trend: Trend) -> None:
        text = format_value(value)
        if self.value.text() != text:
            self.value.setText(text)
        unit_text = unit or ""
        if self.unit.text() != unit_text:
            self.unit.setText(unit_text)
        self.trend = trend
        self.arrow.setText(_ARROWS[trend])
        set_style_property(self.arrow, "trend", trend.value)
