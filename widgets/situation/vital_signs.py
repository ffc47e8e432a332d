"""The city vital signs strip: a KPI tile per metric name, feeding a trend chart for a chosen few."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping, Sequence
from itertools import islice

import numpy as np
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from dispatch.feed.values import MetricSample
from widgets.common.style import fill, set_style_property
from widgets.common.vocabulary import Vocabulary
from widgets.situation.kpi_tile import KpiTile, Trend
from widgets.situation.trend_chart import TrendChart
from widgets.situation.vital_alerts import VitalAlert, VitalLine, alert_words

HISTORY_POINTS = 4000
# Readings that count things: shown as whole numbers (在办事件 is the store's count of open cases).
WHOLE_NUMBERS = frozenset({"open_incidents"})
TREND_WINDOW_S = 60.0
TREND_DEAD_BAND = 0.01

Labels = tuple[tuple[str, str], ...]


def trend_of(history: Sequence[tuple[float, float]], window_s: float = TREND_WINDOW_S) -> Trend:
    """The latest value against the mean of the samples in the `window_s` before it (at least one)."""
    if len(history) < 2:
        return Trend.FLAT
    t_last, v_last = history[-1]
    total, count = 0.0, 0
    for t, v in islice(reversed(history), 1, None):
        if count and t < t_last - window_s:
            break
        total += v
        count += 1
    baseline = total / count
    band = max(abs(baseline) * TREND_DEAD_BAND, 1e-9)
    if v_last > baseline + band:
        return Trend.UP
    if v_last < baseline - band:
        return Trend.DOWN
    return Trend.FLAT


class VitalSignsPanel(QWidget):
    """One tile and one history per metric name; tiles repaint only while shown.

    A name reported both city-wide (no labels) and per area shows the city-wide series; a name reported
    only per area shows the highest area, and the tile says so.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        chart: TrendChart,
        *,
        charted: Sequence[str] = (),
        tile_order: Sequence[str] = (),
        max_charts: int = 4,
        history_s: float = 1800.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("vitalSignsPanel")
        # A strip: as tall as its tiles, so the docks below get the rest of the height.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._words = vocabulary
        self.chart = chart
        self._charted = tuple(charted)
        self._order = {name: i for i, name in enumerate(tile_order)}
        self._max_charts = max_charts
        self._history_s = history_s
        self._readings: dict[str, dict[Labels, float]] = {}
        # The time of the readings not yet turned into a history point, per name.
        self._pending_at: dict[str, float] = {}
        self._history: dict[str, deque[tuple[float, float]]] = {}
        self._units: dict[str, str | None] = {}
        self._dirty: set[str] = set()
        self.tiles: dict[str, KpiTile] = {}
        # When the feed was lost, while it is: no tile may show its last value as if it were live.
        self._no_data_since: float | None = None
        # One row, however narrow: a second row would take the height the duty desk needs.
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(10, 10, 10, 10)
        self._row.setSpacing(10)
        # Until the first reading the strip says why it is empty instead of being a blank band.
        self.placeholder = QLabel(self.tr("Waiting for the first readings"), self)
        self.placeholder.setObjectName("vitalsPlaceholder")
        self._row.addWidget(self.placeholder, 1)
        for name in self._charted[:max_charts]:
            chart.add_series(name, vocabulary.metric(name))

    def apply(self, metrics: Sequence[MetricSample]) -> None:
        """New readings, in time order per (name, labels); one history point per name and reading time."""
        for sample in metrics:
            name = sample.name
            readings = self._readings.get(name)
            if readings is None:
                readings = self._readings[name] = {}
                self._history[name] = deque(maxlen=HISTORY_POINTS)
                self._add_tile(name)
            pending = self._pending_at.get(name)
            if pending is not None and sample.at != pending:
                self._record(name, pending)
            self._pending_at[name] = sample.at
            readings[sample.labels] = sample.value
            self._units[name] = sample.unit
        for name, at in self._pending_at.items():
            self._record(name, at)
        self._pending_at.clear()
        charted = set(self.chart.series_names())
        for name in self._dirty & charted:
            points = np.asarray(self._history[name], dtype=np.float64)
            self.chart.show_series(name, points[:, 0], points[:, 1])
        if self.isVisible():
            self._repaint_tiles()

    def show_alerts(self, alerts: Mapping[str, VitalAlert], lines: Mapping[str, Sequence[VitalLine]]) -> None:
        """Where the alert rules stand: each tile's colour and its line in words ("预计 35 分钟后超警"), and
        each charted metric's thresholds across its plot. A metric no rule judges keeps a plain tile."""
        for name, tile in self.tiles.items():
            alert = alerts.get(name, VitalAlert())
            tile.show_alert(alert.state, alert_words(alert, self._words))
        # A tile with a line of words is taller: the whole row takes its height, so the tiles stay even.
        tallest = max((tile.sizeHint().height() for tile in self.tiles.values()), default=0)
        for tile in self.tiles.values():
            if tile.minimumHeight() != tallest:
                tile.setMinimumHeight(tallest)
        for name in self.chart.series_names():
            self.chart.show_levels(name, [(line.value, line.state) for line in lines.get(name, ())])

    def show_no_data(self, since: float | None) -> None:
        """The feed has been lost since `since` (every tile says so, none shows a value), or None: it is
        back, and the tiles show their readings again."""
        if since == self._no_data_since:
            return
        self._no_data_since = since
        self._dirty.update(self.tiles)
        self._show_placeholder()
        self._repaint_tiles()

    @property
    def no_data_since(self) -> float | None:
        return self._no_data_since

    @property
    def history_s(self) -> float:
        """How far back the trends reach (a restart refills them from the store)."""
        return self._history_s

    def history(self, name: str) -> list[float]:
        """The values the trend of `name` shows, oldest first."""
        return [value for _, value in self._history.get(name, ())]

    def latest(self, name: str) -> float | None:
        history = self._history.get(name)
        return history[-1][1] if history else None

    def _record(self, name: str, at: float) -> None:
        readings = self._readings[name]
        city_wide = readings.get(())
        history = self._history[name]
        history.append((at, city_wide if city_wide is not None else max(readings.values())))
        while history[0][0] < at - self._history_s:
            history.popleft()
        self._dirty.add(name)

    def _scope(self, name: str) -> str:
        readings = self._readings[name]
        if () in readings:
            return self.tr("city-wide")
        count = len(readings)
        if all(any(key == "district" for key, _ in labels) for labels in readings):
            return fill(self.tr("highest of %1 districts"), count)
        return fill(self.tr("highest of %1 series"), count)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._repaint_tiles()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_values()

    def _no_data_words(self, since: float) -> str:
        return fill(self.tr("No data · since %1"), time.strftime("%H:%M", time.localtime(since)))

    def _show_placeholder(self) -> None:
        since = self._no_data_since
        text = self.tr("Waiting for the first readings") if since is None else self._no_data_words(since)
        if self.placeholder.text() != text:
            self.placeholder.setText(text)
        self.placeholder.setVisible(not self.tiles)

    def _add_tile(self, name: str) -> None:
        tile = KpiTile(self._words.metric(name), self)
        self.tiles[name] = tile
        self.placeholder.hide()
        # Known names keep their planned place; newcomers follow in order of appearance.
        names = sorted(self.tiles, key=lambda n: self._order.get(n, len(self._order)))
        self._row.insertWidget(names.index(name), tile, 1)
        self._fit_values()
        if not self._charted and len(self.chart.series_names()) < self._max_charts:
            self.chart.add_series(name, self._words.metric(name))

    def _fit_values(self) -> None:
        """Every number of the strip at one size: the largest at which the widest of them fits its tile."""
        if not self.tiles:
            return
        margins = self._row.contentsMargins()
        count = len(self.tiles)
        room = self.width() - margins.left() - margins.right() - self._row.spacing() * (count - 1)
        scale = min(tile.fit_scale(room // count) for tile in self.tiles.values())
        for tile in self.tiles.values():
            tile.set_value_scale(scale)

    def _repaint_tiles(self) -> None:
        since = self._no_data_since
        stale = None if since is None else self._no_data_words(since)
        for name in self._dirty:
            history = self._history[name]
            tile = self.tiles[name]
            unit = self._words.unit(self._units.get(name))
            tile.show_value(history[-1][1], unit, trend_of(history), whole=name in WHOLE_NUMBERS)
            tile.show_scope(self._scope(name))
            if stale is not None:
                tile.value.setText(stale)
                tile.arrow.setText("")
            set_style_property(tile.value, "stale", "true" if stale is not None else "false")
        if self._dirty:
            self._fit_values()
        self._dirty.clear()
