"""The map's layer switches and legend in one small panel over the map's top-left corner."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from widgets.common.palette import Palette
from widgets.situation.map_marks import UnitStatus
from widgets.situation.map_words import MapLayer, MapWords

_SWATCH = {
    MapLayer.BASEMAP: "map_water",
    MapLayer.DISTRICTS: "map_district_line",
    MapLayer.GRID: "map_grid_line",
    MapLayer.ROADS: "map_road_major",
    MapLayer.PLACES: "map_place",
    MapLayer.GRID_LOAD: "map_grid_load",
    MapLayer.HEAT: "map_heat",
    MapLayer.CAMERAS: "map_camera",
    MapLayer.UNITS: "ok",
    MapLayer.INCIDENTS: "sev1",
}
_LEVEL_SWATCH = {1: "sev1", 2: "sev2", 3: "sev3", 4: "sev4"}
_STATUS_SWATCH = {
    UnitStatus.AVAILABLE: "ok",
    UnitStatus.EN_ROUTE: "accent",
    UnitStatus.ON_SCENE: "warn",
    UnitStatus.OFF_DUTY: "idle",
}


def swatch(colour: QColor, round_: bool = False) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor("transparent"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if round_:
        painter.drawEllipse(1, 1, 12, 12)
    else:
        painter.drawRoundedRect(1, 1, 12, 12, 3, 3)
    painter.end()
    return QIcon(pixmap)


class MapLegend(QFrame):
    """A checkbox per layer (with its colour) and what the colours of incidents and units mean."""

    layer_toggled = Signal(object)
    """(MapLayer, visible) after the operator switched a layer."""

    def __init__(self, palette: Palette, words: MapWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapLegend")
        self.setStyleSheet(
            f"#mapLegend {{ background: {palette.hex('map_overlay')}; border-radius: 6px; }}"
            f" #mapLegend QLabel, #mapLegend QCheckBox {{ color: {palette.hex('fg')}; }}"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("mapLegendToggle")
        self.toggle.setText(self.tr("Layers"))
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout.addWidget(self.toggle)
        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(1)
        self.boxes: dict[MapLayer, QCheckBox] = {}
        for layer in reversed(MapLayer):  # top layer first, as they stack
            box = QCheckBox(words.layers[layer], self.body)
            box.setIcon(swatch(palette.color(_SWATCH[layer])))
            box.setIconSize(QSize(14, 14))
            box.setChecked(True)
            box.toggled.connect(lambda on, layer=layer: self.layer_toggled.emit((layer, on)))
            self.boxes[layer] = box
            body.addWidget(box)
        for level, token in _LEVEL_SWATCH.items():
            body.addWidget(self._key(palette.color(token), words.levels[level], True))
        for status, token in _STATUS_SWATCH.items():
            body.addWidget(self._key(palette.color(token), words.statuses[status], False))
        body.addWidget(self._key(palette.color("map_stale"), words.stale, True))
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self._on_toggle_toggled)

    def _key(self, colour: QColor, text: str, round_: bool) -> QWidget:
        row = QWidget(self.body)
        line = QHBoxLayout(row)
        line.setContentsMargins(22, 0, 0, 0)
        line.setSpacing(6)
        mark = QLabel(row)
        mark.setPixmap(swatch(colour, round_).pixmap(12, 12))
        line.addWidget(mark)
        line.addWidget(QLabel(text, row), 1)
        return row

    def _on_toggle_toggled(self, shown: bool) -> None:
        self.body.setVisible(shown)
        self.adjustSize()
