"""Vital-sign tiles for the wall: the desk's KpiTile, one per metric, in a grid sized to the panel."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from widgets.common.vocabulary import Vocabulary
from widgets.situation.kpi_tile import KpiTile, Trend
from widgets.situation.vital_alerts import VitalAlert, alert_words

# A panel without a list of metrics shows the first ones that report, at most this many.
FIRST_SEEN_LIMIT = 4


class WallVitals(QWidget):
    """Named metrics get their tile at once (a dash until read); without names, the first few seen."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        names: Sequence[str],
        columns: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wallVitals")
        self._words = vocabulary
        self._fixed = bool(names)
        self._columns = max(1, columns)
        self.tiles: dict[str, KpiTile] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(12)
        self.placeholder = QLabel(self.tr("Waiting for the first readings"), self)
        self.placeholder.setObjectName("wallPlaceholder")
        self._grid.addWidget(self.placeholder, 0, 0)
        for name in names:
            self._add(name)

    def wants(self, name: str) -> bool:
        return name in self.tiles or (not self._fixed and len(self.tiles) < FIRST_SEEN_LIMIT)

    def show_reading(self, name: str, value: float, unit: str | None, trend: Trend, scope: str) -> None:
        """The latest value of `name` (ignored if this panel does not show it)."""
        if not self.wants(name):
            return
        tile = self.tiles.get(name) or self._add(name)
        tile.show_value(value, self._words.unit(unit), trend)
        tile.show_scope(scope)
        self._fit(tile)

    def show_alert(self, name: str, alert: VitalAlert, now: float) -> None:
        """The rules' standing on the tile: its colour and a line in words (colour is never the only cue)."""
        tile = self.tiles.get(name)
        if tile is not None:
            tile.show_alert(alert.state, alert_words(alert, self._words))

    def _add(self, name: str) -> KpiTile:
        tile = KpiTile(self._words.metric(name), self)
        index = len(self.tiles)
        self.tiles[name] = tile
        self.placeholder.hide()
        self._grid.addWidget(tile, index // self._columns, index % self._columns)
        return tile

    def _fit(self, tile: KpiTile) -> None:
        width = self.width() // self._columns if self.width() > 0 else 0
        if width > 0:
            # A number shrinks to fit rather than lose a digit: a clipped level would be misread. On the
            # panels the pages file names it stays legible (tests/app/wall/test_wall_legibility.py).
            tile.set_value_scale(tile.fit_scale(width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for tile in self.tiles.values():
            self._fit(tile)
