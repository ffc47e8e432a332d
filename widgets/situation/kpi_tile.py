"""One city vital sign as a wall-readable tile: name and unit, big number, scope and a trend arrow."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from widgets.common.style import set_style_property
from widgets.common.tight_fit import ElidedLabel, FittedLabel


class Trend(enum.StrEnum):
    """Direction against the recent average; the value is also the stylesheet's property value."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"


_ARROWS = {Trend.UP: "▲", Trend.DOWN: "▼", Trend.FLAT: "▬"}


def format_value(value: float, *, whole: bool = False) -> str:
    """Few significant digits: a wall shows levels, not noise. `whole`: a count, never "6.00"."""
    if whole:
        return f"{value:,.0f}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


class KpiTile(QFrame):
    """Shows the latest value of one metric; colours come from the theme via the `trend` property.

    The unit sits beside the name, so the number's row holds only the number and the arrow: on a narrow
    tile the number can then stay large. The strip decides how large (`fit_scale`, `set_value_scale`), so
    every tile of a row shows its number at the same size.
    """

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.caption = ElidedLabel(caption, self)
        self.caption.setObjectName("kpiCaption")
        self.caption.setToolTip(caption)
        self.unit = QLabel("", self)
        self.unit.setObjectName("kpiUnit")
        self.scope = ElidedLabel("", self, whole=True)
        self.scope.setObjectName("kpiScope")
        self.scope.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # The scope is the first thing to go on a narrow tile; its tooltip still says it.
        self.scope.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.value = FittedLabel("—", self)
        self.value.setObjectName("kpiValue")
        self.value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        self.arrow = QLabel(_ARROWS[Trend.FLAT], self)
        self.arrow.setObjectName("kpiTrend")
        self.arrow.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        set_style_property(self.arrow, "trend", Trend.FLAT.value)
        # The number sets the row's height; the arrow sits at its foot however small the number is drawn.
        self.arrow.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.trend = Trend.FLAT
        # What the alert rules say of this vital sign ("预计 35 分钟后超警"); hidden while they say nothing.
        self.note = ElidedLabel("", self, tip=True)
        self.note.setObjectName("kpiNote")
        self.note.hide()
        set_style_property(self, "alert", "ok")
        titles = QHBoxLayout()
        titles.setSpacing(6)
        titles.addWidget(self.caption)
        titles.addWidget(self.unit)
        titles.addWidget(self.scope, 1)
        self._numbers = QHBoxLayout()
        self._numbers.setSpacing(6)
        self._numbers.addWidget(self.value)
        self._numbers.addStretch(1)
        self._numbers.addWidget(self.arrow)
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(0)
        layout.addLayout(titles)
        layout.addLayout(self._numbers)
        layout.addWidget(self.note)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def fit_scale(self, width: int) -> float:
        """How large the number may be drawn (1 = the theme's size) for it to fit a tile `width` wide."""
        # A tile added while the strip is shown is not styled yet; the theme's sizes decide the fit.
        self.ensurePolished()
        natural = self.value.natural_width()
        if natural <= 0:
            return 1.0
        margins = self.contentsMargins()
        outer = self._layout.contentsMargins()
        room = (
            width
            - margins.left()
            - margins.right()
            - outer.left()
            - outer.right()
            - self.arrow.sizeHint().width()
            - self._numbers.spacing()
        )
        return room / natural

    def set_value_scale(self, scale: float) -> None:
        self.value.set_scale(scale)

    def show_scope(self, text: str) -> None:
        """What the number covers (city-wide, highest of N districts…)."""
        if self.scope.text() != text:
            self.scope.setText(text)
            self.scope.setToolTip(text)

    def show_value(self, value: float, unit: str | None, trend: Trend, *, whole: bool = False) -> None:
        text = format_value(value, whole=whole)
        if self.value.text() != text:
            self.value.setText(text)
        unit_text = unit or ""
        if self.unit.text() != unit_text:
            self.unit.setText(unit_text)
        self.trend = trend
        self.arrow.setText(_ARROWS[trend])
        set_style_property(self.arrow, "trend", trend.value)

    def show_alert(self, state: str, note: str) -> None:
        """The rules' standing: `state` (ok, pending, firing, nodata) colours the tile through the theme,
        `note` says it in words, so colour is never the only cue."""
        set_style_property(self, "alert", state)
        set_style_property(self.note, "alert", state)
        if self.note.text() != note:
            self.note.setText(note)
        self.note.setVisible(bool(note))
