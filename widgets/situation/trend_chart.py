"""Small-multiple trend plots for a few metrics: plot items made once, then only `setData`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from widgets.common.palette import Palette

_SERIES_TOKENS = ("chart1", "chart2", "chart3", "chart4")
_LEVEL_TOKENS = {"ok": "fg_muted", "pending": "warn", "predicted": "warn", "firing": "bad", "nodata": "idle"}
MIN_SPAN_S = 300.0


# The narrowest a plot in a row of four may be (value axis, title, a few minutes of line).
ROW_PLOT_LEAST = 130
# Major value ticks at least this many figure heights apart: a wall's large figures never overlap.
TICK_GAP_LINES = 1.8


class ValueAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph has no annotations
    """The value axis: pyqtgraph picks at least two and a quarter intervals whatever the axis's length,
    which on a short plot with a wall's large figures stacks them on each other. Here the major ticks are
    spread out (1, 2, 5, 10 …) until they are TICK_GAP_LINES figure heights apart, and one stays on the
    axis at a round value inside the range however far apart they grew."""

    def __init__(self) -> None:
        super().__init__("left")
        self.text_px = 0

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        levels: list[tuple[float, float]] = super().tickSpacing(minVal, maxVal, size)
        low, high = min(minVal, maxVal), max(minVal, maxVal)
        span = high - low
        if not levels or self.text_px <= 0 or span == 0 or size <= 0:
            return levels
        spacing = nice = levels[0][0]
        for step in (2.0, 2.5, 2.0) * 20:  # 1 → 2 → 5 → 10 …, bounded
            if spacing / span * size >= self.text_px * TICK_GAP_LINES:
                break
            spacing *= step
        if math.ceil(low / spacing) * spacing <= high:
            return [(spacing, 0.0)]
        # No multiple inside: one figure at the round value nearest the middle, on the finer grid.
        middle = round((low + high) / 2 / nice) * nice
        return [(spacing, math.fmod(middle, spacing))]


class TrendChart(QWidget):
    """One plot per series, laid out in rows of `columns`, sharing the theme's chart palette."""

    def __init__(self, palette: Palette, columns: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self._palette = palette
        self._columns = columns
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._plots: dict[str, pg.PlotItem] = {}
        self._heads: dict[str, pg.PlotDataItem] = {}
        self._pending: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
        self._titles: dict[str, str] = {}
        self._tick_px = 0  # set on a wall: value ticks are then spaced for their size
        # The least time a plot spans; a wall shows its whole window, so the time axis stands still.
        self.min_span_s = MIN_SPAN_S
        self._title_size = "12pt"
        # Alert-rule levels across a plot, made once per (series, n) and then only moved.
        self._levels: dict[tuple[str, int], pg.InfiniteLine] = {}
        self._level_states: dict[tuple[str, int], tuple[float, str]] = {}
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setBackground(palette.hex("chart_bg"))
        self.view.ci.setContentsMargins(4, 4, 4, 4)
        self.view.ci.setSpacing(10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A short, wide chart reads better as one row of plots than as squashed rows, while each plot
        # keeps room for its axis and title.
        columns = 4 if self.width() > 3 * self.height() and self.width() >= 4 * ROW_PLOT_LEAST else 2
        if columns != self._columns:
            self._columns = columns
            for plot in self._plots.values():
                self.view.ci.removeItem(plot)
            for index, plot in enumerate(self._plots.values()):
                self.view.ci.addItem(plot, row=index // columns, col=index % columns)

    def series_names(self) -> tuple[str, ...]:
        return tuple(self._curves)

    def add_series(self, name: str, title: str) -> None:
        """Create the plot and curve for `name` once; later calls for the same name do nothing."""
        if name in self._curves:
            return
        index = len(self._curves)
        palette = self._palette
        plot = self.view.addPlot(
            row=index // self._columns,
            col=index % self._columns,
            axisItems={"bottom": pg.DateAxisItem(orientation="bottom"), "left": ValueAxis()},
        )
        plot.setTitle(title, color=palette.hex("fg_muted"), size=self._title_size)
        self._titles[name] = title
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        for axis_name in ("left", "bottom"):
            axis = plot.getAxis(axis_name)
            axis.setPen(pg.mkPen(palette.hex("chart_grid")))
            axis.setTextPen(pg.mkPen(palette.hex("chart_axis")))
        color = palette.hex(_SERIES_TOKENS[index % len(_SERIES_TOKENS)])
        fill = pg.mkColor(color)
        fill.setAlpha(40)
        curve = plot.plot(pen=pg.mkPen(color, width=2), fillLevel=None, brush=fill)
        # The newest reading as a dot: visible from the first sample, before there is a line to draw.
        head = plot.plot(pen=None, symbol="o", symbolSize=8, symbolPen=None, symbolBrush=color)
        self._plots[name] = plot
        self._curves[name] = curve
        self._heads[name] = head

    def set_text_px(self, title_px: int, tick_px: int) -> None:
        """Titles and axis figures at these pixel sizes (a wall read across the room), for every plot."""
        self._title_size = f"{title_px}px"
        self._tick_px = tick_px
        font = QFont(self.font())
        font.setPixelSize(tick_px)
        for name, plot in self._plots.items():
            plot.setTitle(self._titles[name], color=self._palette.hex("fg_muted"), size=self._title_size)
            for axis_name in ("left", "bottom"):
                axis = plot.getAxis(axis_name)
                # Only the major ticks: figures this large would otherwise overlap.
                axis.setStyle(tickFont=font, tickTextOffset=tick_px // 4, maxTickLevel=0)
            # Room for the figures: a few digits wide on the left, one line tall below.
            left = plot.getAxis("left")
            left.setWidth(int(tick_px * 3))
            if isinstance(left, ValueAxis):
                left.text_px = tick_px
            plot.getAxis("bottom").setHeight(int(tick_px * 1.6))
            # The title's row grows with its text, so it never covers the top of the plot.
            plot.layout.setRowFixedHeight(0, int(title_px * 1.5))

    def show_levels(self, name: str, levels: Sequence[tuple[float, str]]) -> None:
        """Horizontal lines at `levels` across the plot of `name`, each (value, state) with state ok,
        pending, firing or nodata: firing is drawn solid and thick, the others dashed, so the line's
        look says its state as well as its colour."""
        plot = self._plots.get(name)
        if plot is None:
            return
        for n, (value, state) in enumerate(levels):
            line = self._levels.get((name, n))
            if line is None:
                line = self._levels[(name, n)] = pg.InfiniteLine(angle=0, movable=False)
                plot.addItem(line, ignoreBounds=False)
            if self._level_states.get((name, n)) != (value, state) or not line.isVisible():
                self._level_states[(name, n)] = (value, state)
                colour = self._palette.hex(_LEVEL_TOKENS.get(state, "fg_muted"))
                style = Qt.PenStyle.SolidLine if state == "firing" else Qt.PenStyle.DashLine
                line.setPen(pg.mkPen(colour, width=4 if state == "firing" else 2, style=style))
                line.setPos(value)
                line.show()
        for (series, n), line in self._levels.items():
            if series == name and n >= len(levels):
                line.hide()
                self._level_states.pop((series, n), None)

    def levels(self, name: str) -> tuple[tuple[float, str], ...]:
        """The levels drawn across the plot of `name`, as (value, state)."""
        return tuple(shown for (series, _), shown in sorted(self._level_states.items()) if series == name)

    def show_series(self, name: str, t: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        """Latest points of a series; painted now if shown, else when the chart is next shown."""
        if name not in self._curves:
            return
        self._pending[name] = (t, y)
        if self.isVisible():
            self._paint_pending()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._paint_pending()

    def _paint_pending(self) -> None:
        for name, (t, y) in self._pending.items():
            curve = self._curves[name]
            curve.setData(t, y)
            if not len(y):
                continue
            # Shade down to the lowest value shown, so the fill reads as "level" without a fake zero.
            curve.setFillLevel(float(np.min(y)))
            self._heads[name].setData(t[-1:], y[-1:])
            # A young series still gets a readable time axis (minutes, not fractions of a second).
            end = float(t[-1])
            self._plots[name].setXRange(min(float(t[0]), end - self.min_span_s), end, padding=0.02)
            if self._tick_px:
                self._space_value_ticks(name, y)
        self._pending.clear()

    def _space_value_ticks(self, name: str, y: NDArray[np.float64]) -> None:
        """Figures as large as a wall's are few: a round step that leaves each a line and a half of room."""
        plot = self._plots[name]
        levels = [value for (series, _), (value, _) in self._level_states.items() if series == name]
        low, high = min([float(np.min(y)), *levels]), max([float(np.max(y)), *levels])
        if not (math.isfinite(low) and math.isfinite(high)):
            return
        if high - low < 1e-6 * max(1.0, abs(high)):
            # A flat line: pyqtgraph pads the view around it; so do the figures.
            low, high = low - max(0.5, abs(low) * 0.05), high + max(0.5, abs(high) * 0.05)
        room = max(1, int(plot.getViewBox().height() // (self._tick_px * 1.5)))
        raw = (high - low) / room
        magnitude = 10 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
        # At least one figure on the axis: a smaller step until a multiple of it lies well inside the
        # range (one at the very edge is not drawn); a few halvings always find one.
        inner_low, inner_high = low + (high - low) * 0.15, high - (high - low) * 0.15
        for _ in range(8):
            if math.floor(inner_high / step) * step >= inner_low:
                break
            step /= 2
        plot.getAxis("left").setTickSpacing(step, step)
