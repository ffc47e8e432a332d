"""The map's working tools: measure a distance, and draw a rectangle or polygon to list the cases inside."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF

from core.geo import distance_m
from core.mercator import View, project
from widgets.common.palette import Palette
from widgets.situation.map_marks import Floats
from widgets.situation.map_sprites import colour_with_alpha
from widgets.situation.map_words import MapWords

LonLat = tuple[float, float]  # in the map's datum


class Tool(enum.StrEnum):
    NONE = "none"
    MEASURE = "measure"  # click point after point; the lengths add up
    RECTANGLE = "rectangle"  # press, drag, release
    POLYGON = "polygon"  # click the corners; double-click or Enter closes it


@dataclass
class Sketch:
    """What the operator has drawn with the tool in hand, in the map's datum."""

    tool: Tool = Tool.NONE
    points: list[LonLat] = field(default_factory=list)
    drag_from: LonLat | None = None  # a rectangle's first corner while the button is down

    def active(self) -> bool:
        return self.tool is not Tool.NONE

    def begin(self, tool: Tool) -> None:
        self.tool, self.points, self.drag_from = tool, [], None

    def cancel(self) -> None:
        self.begin(Tool.NONE)

    def lengths_m(self, pointer: LonLat | None = None) -> list[float]:
        """Running totals along the measured line (and on to the pointer, when given)."""
        points = self.points + ([pointer] if pointer is not None and self.points else [])
        totals, total = [], 0.0
        for (lon0, lat0), (lon1, lat1) in itertools.pairwise(points):
            total += distance_m(lon0, lat0, lon1, lat1)
            totals.append(total)
        return totals

    def rectangle(self, corner: LonLat) -> list[LonLat]:
        assert self.drag_from is not None
        (lon0, lat0), (lon1, lat1) = self.drag_from, corner
        return [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1)]


def inside(x: Floats, y: Floats, ring_x: Floats, ring_y: Floats) -> np.ndarray:
    """Which points lie inside a closed ring (even-odd rule), all at once: one pass per ring edge."""
    result = np.zeros(len(x), dtype=bool)
    n = len(ring_x)
    if n < 3:
        return result
    for i in range(n):
        x0, y0, x1, y1 = ring_x[i - 1], ring_y[i - 1], ring_x[i], ring_y[i]
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            at_x = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        result ^= crosses & (x < at_x)
    return result


def cases_inside(ring: list[LonLat], world_x: Floats, world_y: Floats) -> np.ndarray:
    """Indices of the marks (world pixels at zoom 0, the map's datum) inside a ring drawn on the map."""
    rx, ry = project(np.array([p[0] for p in ring]), np.array([p[1] for p in ring]), 0)
    return np.flatnonzero(inside(world_x, world_y, rx, ry))


def paint_sketch(
    painter: QPainter, view: View, sketch: Sketch, pointer: LonLat | None, palette: Palette, words: MapWords
) -> None:
    """The line being measured with its running lengths, or the shape being drawn."""
    if not sketch.active():
        return
    colour = palette.color("accent")
    points = list(sketch.points)
    if sketch.tool is Tool.RECTANGLE and sketch.drag_from is not None and pointer is not None:
        points = sketch.rectangle(pointer)
    elif pointer is not None and sketch.tool is not Tool.RECTANGLE:
        points = [*points, pointer]
    screen = [QPointF(*view.to_screen(lon, lat)) for lon, lat in points]
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(
        colour, 2.0, Qt.PenStyle.DashLine if sketch.tool is not Tool.MEASURE else Qt.PenStyle.SolidLine
    )
    painter.setPen(pen)
    if sketch.tool is Tool.MEASURE:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF(screen))
    elif len(screen) >= 2:
        painter.setBrush(colour_with_alpha(colour, 0.12))
        painter.drawPolygon(QPolygonF(screen))
    painter.setBrush(colour)
    for at in screen[: len(sketch.points)]:
        painter.drawEllipse(at, 3.5, 3.5)
    if sketch.tool is Tool.MEASURE:
        font = QFont(painter.font())
        font.setPixelSize(13)
        font.setBold(True)
        painter.setFont(font)
        for at, total in zip(screen[1:], sketch.lengths_m(pointer), strict=False):
            _plate(painter, at, words.distance(round(total, 0 if total < 1000 else -1)), colour, palette)
    painter.restore()


def _plate(painter: QPainter, at: QPointF, text: str, colour: QColor, palette: Palette) -> None:
    metrics = painter.fontMetrics()
    box = QRectF(at.x() + 8, at.y() - metrics.height() - 6, metrics.horizontalAdvance(text) + 12,
                 metrics.height() + 4)  # fmt: skip
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color("map_overlay"))
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(colour)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.setBrush(colour)
