"""The map's words: layer names, unit kinds and statuses, ages and distances, in the UI language."""

from __future__ import annotations

import enum

from PySide6.QtCore import QObject

from widgets.common.style import fill
from widgets.situation.map_marks import UnitStatus


class MapLayer(enum.StrEnum):
    """Every layer the operator can switch on and off, bottom to top."""

    BASEMAP = "basemap"
    DISTRICTS = "districts"
    GRID = "grid"
    ROADS = "roads"
    PLACES = "places"
    GRID_LOAD = "grid_load"
    HEAT = "heat"
    CAMERAS = "cameras"
    UNITS = "units"
    INCIDENTS = "incidents"


class MapWords(QObject):
    """Built once after the translator is installed, so painting looks words up in dicts."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.layers = {
            MapLayer.BASEMAP: self.tr("Basemap"),
            MapLayer.DISTRICTS: self.tr("Districts"),
            MapLayer.GRID: self.tr("Grid cells"),
            MapLayer.ROADS: self.tr("Roads"),
            MapLayer.PLACES: self.tr("Key sites"),
            MapLayer.GRID_LOAD: self.tr("Open cases per cell"),
            MapLayer.HEAT: self.tr("Heat (last hours)"),
            MapLayer.CAMERAS: self.tr("Cameras"),
            MapLayer.UNITS: self.tr("Units"),
            MapLayer.INCIDENTS: self.tr("Incidents"),
        }
        self.levels = {
            1: self.tr("Level I"),
            2: self.tr("Level II"),
            3: self.tr("Level III"),
            4: self.tr("Level IV"),
        }
        self.statuses = {
            UnitStatus.AVAILABLE: self.tr("Available"),
            UnitStatus.EN_ROUTE: self.tr("En route"),
            UnitStatus.ON_SCENE: self.tr("On scene"),
            UnitStatus.OFF_DUTY: self.tr("Off duty"),
        }
        # One character inside a unit's disc; the kinds of the demo city and the usual others.
        self.kind_glyphs = {
            "urban_management": self.tr("U", "unit kind glyph: urban management"),
            "water": self.tr("W", "unit kind glyph: water"),
            "fire": self.tr("F", "unit kind glyph: fire"),
            "police_traffic": self.tr("P", "unit kind glyph: traffic police"),
            "environment": self.tr("E", "unit kind glyph: environment"),
            "emergency": self.tr("R", "unit kind glyph: emergency rescue"),
            "sanitation": self.tr("S", "unit kind glyph: sanitation"),
            "construction": self.tr("C", "unit kind glyph: construction"),
        }
        self.stale = self.tr("No word for a while")
        self.closed = self.tr("Closed")
        self.new = self.tr("New")
        self.north = self.tr("N", "north arrow")
        self._metres = self.tr("%1 m")
        self._kilometres = self.tr("%1 km")
        self._age_minutes = self.tr("%1 min ago")
        self._age_hours = self.tr("%1 h ago")

    def glyph(self, kind: str) -> str:
        return self.kind_glyphs.get(kind, kind[:1].upper() or "?")

    def distance(self, metres: float) -> str:
        if metres >= 1000.0:
            km = metres / 1000.0
            return fill(self._kilometres, f"{km:g}")
        return fill(self._metres, f"{metres:g}")

    def age(self, seconds: float) -> str:
        minutes = int(seconds // 60)
        if minutes < 60:
            return fill(self._age_minutes, max(1, minutes))
        return fill(self._age_hours, minutes // 60)
