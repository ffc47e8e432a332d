"""Shapes over the map: CAP warning areas in their level colours and the route of the unit being sent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QTransform

from core.mercator import View
from widgets.common.palette import Palette
from widgets.situation.map_marks import Floats
from widgets.situation.map_sprites import colour_with_alpha

Ring = tuple[tuple[float, float], ...]  # (lon, lat) points, WGS-84
Project = Callable[[Floats, Floats], tuple[Floats, Floats]]  # WGS-84 → world pixels at zoom 0
_LEVEL_TOKENS = {1: "sev1", 2: "sev2", 3: "sev3", 4: "sev4"}
# A warning's fill is a wash: the streets and marks under it must stay readable.
AREA_FILL_ALPHA = 0.16
LABEL_PX = 13


@dataclass(frozen=True, slots=True)
class WarningArea:
    """A CAP warning in force: its headline, level (1 = I, red … 4 = IV, blue) and area as closed rings."""

    warning_id: str
    title: str
    level: int
    rings: tuple[Ring, ...]


@dataclass(frozen=True, slots=True)
class RouteLine:
    """The road route of a unit to a case: the unit's name, its points from the unit to the scene, the
    road travel time, and whether it starts at a live position (else at the unit's base)."""

    unit_name: str
    points: Ring
    travel_s: float | None
    live: bool


@dataclass(frozen=True, slots=True)
class _Shape:
    path: QPainterPath  # world pixels at zoom 0
    anchor: tuple[float, float]
    label: str
    level: int


class ShapeLayer:
    """The shapes as paths in world pixels at zoom 0, built when they change and drawn with one transform
    per frame (a few shapes: no cache needed)."""

    def __init__(self, palette: Palette) -> None:
        self.palette = palette
        self.areas: tuple[WarningArea, ...] = ()
        self.route: RouteLine | None = None
        self._areas: list[_Shape] = []
        self._route: QPainterPath | None = None
        self._route_ends: tuple[tuple[float, float], tuple[float, float]] | None = None

    def set_areas(self, areas: Sequence[WarningArea], project: Project) -> None:
        self.areas = tuple(areas)
        self._areas = []
        for area in sorted(self.areas, key=lambda a: -a.level):  # level I drawn last, on top
            path = QPainterPath()
            anchor = (0.0, 0.0)
            for n, ring in enumerate(area.rings):
                if len(ring) < 3:
                    continue
                x, y = project(np.array([p[0] for p in ring]), np.array([p[1] for p in ring]))
                path.moveTo(float(x[0]), float(y[0]))
                for px, py in zip(x[1:], y[1:], strict=True):
                    path.lineTo(float(px), float(py))
                path.closeSubpath()
                if n == 0:
                    anchor = (float(x.mean()), float(y.max()))  # the bottom edge: the top has the tools
            if not path.isEmpty():
                self._areas.append(_Shape(path, anchor, area.title, area.level))

    def set_route(self, route: RouteLine | None, project: Project) -> None:
        self.route = route
        self._route = None
        self._route_ends = None
        if route is None or len(route.points) < 2:
            return
        x, y = project(np.array([p[0] for p in route.points]), np.array([p[1] for p in route.points]))
        path = QPainterPath(QPointF(float(x[0]), float(y[0])))
        for px, py in zip(x[1:], y[1:], strict=True):
            path.lineTo(float(px), float(py))
        self._route = path
        self._route_ends = ((float(x[0]), float(y[0])), (float(x[-1]), float(y[-1])))

    def route_extent(self) -> tuple[float, float, float, float] | None:
        """West, south, east, north of the route (WGS-84), to bring it into view."""
        if self.route is None or len(self.route.points) < 2:
            return None
        lons = [p[0] for p in self.route.points]
        lats = [p[1] for p in self.route.points]
        return min(lons), min(lats), max(lons), max(lats)

    def paint_areas(self, painter: QPainter, view: View) -> None:
        """The areas washed in their level colours with a dashed edge, under the marks."""
        if not self._areas:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(_world_to_screen(view))
        for shape in self._areas:
            colour = self.palette.color(_LEVEL_TOKENS.get(shape.level, "sev4"))
            painter.fillPath(shape.path, colour_with_alpha(colour, AREA_FILL_ALPHA))
            # Dashed as well as coloured: the level is never told by colour alone.
            pen = QPen(colour, 2.0, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            painter.strokePath(shape.path, pen)
        painter.restore()

    def paint_area_labels(self, painter: QPainter, view: View, text_px: int = LABEL_PX) -> None:
        """Each area's headline inside its bottom edge, over the marks (drawn after them)."""
        if not self._areas:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(painter.font())
        font.setPixelSize(text_px)
        font.setBold(True)
        painter.setFont(font)
        for shape in self._areas:
            sx, sy = _screen(view, shape.anchor)
            colour = self.palette.color(_LEVEL_TOKENS.get(shape.level, "sev4"))
            _label(painter, QPointF(sx, sy - 6), shape.label, colour, self.palette.color("map_overlay"))
        painter.restore()

    def paint_route(self, painter: QPainter, view: View, label: str, text_px: int = LABEL_PX) -> None:
        if self._route is None or self._route_ends is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(_world_to_screen(view))
        casing = QPen(self.palette.color("map_bg"), 8.0)
        line = QPen(self.palette.color("accent"), 4.0)
        for pen in (casing, line):
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.strokePath(self._route, pen)
        painter.resetTransform()
        start, end = (_screen(view, p) for p in self._route_ends)
        painter.setPen(QPen(self.palette.color("map_bg"), 2.0))
        painter.setBrush(self.palette.color("accent"))
        painter.drawEllipse(QPointF(*start), 6.0, 6.0)
        painter.setBrush(self.palette.color("sev1"))
        painter.drawEllipse(QPointF(*end), 5.0, 5.0)
        font = QFont(painter.font())
        font.setPixelSize(text_px)
        font.setBold(True)
        painter.setFont(font)
        _label(painter, QPointF(start[0], start[1] - 12), label, self.palette.color("accent"),
               self.palette.color("map_overlay"))  # fmt: skip
        painter.restore()


def _world_to_screen(view: View) -> QTransform:
    scale = 2.0**view.zoom
    ox, oy = view.origin()
    return QTransform(scale, 0, 0, scale, -ox, -oy)


def _screen(view: View, world: tuple[float, float]) -> tuple[float, float]:
    scale = 2.0**view.zoom
    ox, oy = view.origin()
    return world[0] * scale - ox, world[1] * scale - oy


def _label(painter: QPainter, bottom_centre: QPointF, text: str, colour: QColor, back: QColor) -> None:
    """A line of text on a dark plate, its bottom centre at the point."""
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(text) + 12
    height = metrics.height() + 4
    # Kept whole inside the map: a route that starts at its edge still shows whose it is.
    device = painter.device()
    left = min(max(4.0, bottom_centre.x() - width / 2), max(4.0, device.width() - width - 4.0))
    top = min(max(4.0, bottom_centre.y() - height), max(4.0, device.height() - height - 4.0))
    box = QRectF(left, top, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(back)
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(colour)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
