"""Pre-rendered marker sprites on one sheet, and drawing thousands of them in one QPainter call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from widgets.common.palette import Palette
from widgets.situation.map_marks import Floats, UnitStatus
from widgets.situation.map_words import MapWords

CELL = 32  # every sprite sits centred in a square cell of this many pixels
INCIDENT_D = 18.0
UNIT_D = 20.0
_LEVEL_TOKENS = {1: "sev1", 2: "sev2", 3: "sev3", 4: "sev4"}
_STATUS_TOKENS = {
    UnitStatus.AVAILABLE: "ok",
    UnitStatus.EN_ROUTE: "accent",
    UnitStatus.ON_SCENE: "warn",
    UnitStatus.OFF_DUTY: "idle",
}
# PixmapFragment's fields in Qt's memory order: x, y, sourceLeft, sourceTop, width, height, scaleX,
# scaleY, rotation, opacity — all qreal, so a float64 array of 10 columns is an array of fragments.
_FIELDS = 10


HEADING_STEPS = 24  # arrows pre-rotated every 15°: per-fragment rotation costs ten times the drawing
FADE_STEPS = 3  # closed incidents fade through these pre-rendered opacities (per-fragment opacity is slow)
PULSE_STEPS = 3
_COLUMNS = 32


@dataclass(frozen=True, slots=True)
class SpriteSheet:
    """One pixmap holding every sprite; `cell_of` maps a sprite key to its cell's top-left corner."""

    pixmap: QPixmap
    cell_of: dict[tuple[object, ...], tuple[float, float]]

    def corner(self, key: tuple[object, ...]) -> tuple[float, float]:
        return self.cell_of[key]


def incident_looks() -> tuple[str, ...]:
    return ("live", "stale", *(f"fade{i}" for i in range(1, FADE_STEPS + 1)),
            *(f"pulse{i}" for i in range(1, PULSE_STEPS + 1)))  # fmt: skip


def build_sheet(palette: Palette, words: MapWords, kinds: tuple[str, ...]) -> SpriteSheet:
    """Incidents by level and look (live, greyed, fading, pulsing), units by kind and status (and
    greyed), heading arrows at every step, cameras and key sites, drawn once for the palette."""
    keys: list[tuple[object, ...]] = []
    keys += [("incident", level, look) for level in (1, 2, 3, 4) for look in incident_looks()]
    keys += [("unit", kind, status) for kind in kinds for status in (*UnitStatus, "stale")]
    keys += [("heading", step, stale) for step in range(HEADING_STEPS) for stale in (False, True)]
    keys += [("camera",), ("place",)]
    rows = (len(keys) + _COLUMNS - 1) // _COLUMNS
    image = QImage(CELL * _COLUMNS, CELL * rows, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("transparent"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(painter.font())
    font.setPixelSize(12)
    font.setBold(True)
    painter.setFont(font)
    cells: dict[tuple[object, ...], tuple[float, float]] = {}
    for index, key in enumerate(keys):
        left, top = float(index % _COLUMNS * CELL), float(index // _COLUMNS * CELL)
        cells[key] = (left, top)
        painter.save()
        painter.translate(left + CELL / 2, top + CELL / 2)
        _draw(painter, palette, words, key)
        painter.restore()
    painter.end()
    return SpriteSheet(QPixmap.fromImage(image), cells)


def _draw(painter: QPainter, palette: Palette, words: MapWords, key: tuple[object, ...]) -> None:
    """One sprite centred on the origin."""
    outline = palette.color("map_bg")
    grey = palette.color("map_stale")
    if key[0] == "incident":
        look = str(key[2])
        colour = grey if look == "stale" else palette.color(_LEVEL_TOKENS[int(str(key[1]))])
        radius = INCIDENT_D / 2
        if look.startswith("fade"):
            painter.setOpacity(1.0 - int(look[4:]) / (FADE_STEPS + 1))
        if look.startswith("pulse"):
            radius *= 1.0 + 0.15 * int(look[5:])
        painter.setPen(QPen(palette.color("fg"), 2.0))
        painter.setBrush(colour)
        painter.drawEllipse(QPointF(0, 0), radius, radius)
        painter.setPen(QPen(outline, 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(0, 0), radius + 1.5, radius + 1.5)
    elif key[0] == "unit":
        status = key[2]
        colour = grey if status == "stale" else palette.color(_STATUS_TOKENS[UnitStatus(int(str(status)))])
        rect = QRectF(-UNIT_D / 2, -UNIT_D / 2, UNIT_D, UNIT_D)
        painter.setPen(QPen(outline, 1.5))
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, 5, 5)
        painter.setPen(outline)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, words.glyph(str(key[1])))
    elif key[0] == "heading":
        # A wedge just beyond the unit's disc, pointing the way the unit moves.
        painter.rotate(int(str(key[1])) * 360.0 / HEADING_STEPS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(grey if key[2] else palette.color("fg"))
        painter.drawPolygon(
            QPolygonF(
                [QPointF(0, -CELL / 2 + 0.5), QPointF(-5, -UNIT_D / 2 + 1), QPointF(5, -UNIT_D / 2 + 1)]
            )
        )
    elif key[0] == "camera":
        body = QPainterPath()
        body.addRoundedRect(QRectF(-6, -5, 12, 10), 2, 2)
        painter.setPen(QPen(outline, 1.5))
        painter.setBrush(palette.color("map_camera"))
        painter.drawPath(body)
    else:
        painter.setPen(QPen(outline, 1.5))
        painter.setBrush(palette.color("map_place"))
        painter.drawPolygon(QPolygonF([QPointF(0, -7), QPointF(7, 0), QPointF(0, 7), QPointF(-7, 0)]))


def draw_sprites(
    painter: QPainter, sheet: SpriteSheet, x: Floats, y: Floats, left: Floats, top: Floats
) -> None:
    """Every sprite in one drawPixmapFragments call: the fragments are written straight into a numpy
    array laid out as Qt's PixmapFragment structs, so no Python object is made per marker. Scale,
    rotation and opacity stay 1, 0 and 1: Qt draws those fragments an order of magnitude slower, so
    the sheet holds pre-rotated and pre-faded variants instead."""
    count = len(x)
    if count == 0:
        return
    fragments = np.empty((count, _FIELDS), dtype=np.float64)
    fragments[:, 0] = x
    fragments[:, 1] = y
    fragments[:, 2] = left
    fragments[:, 3] = top
    fragments[:, 4:6] = CELL
    fragments[:, 6:8] = 1.0
    fragments[:, 8] = 0.0
    fragments[:, 9] = 1.0
    first = cast(
        QPainter.PixmapFragment, shiboken6.wrapInstance(fragments.ctypes.data, QPainter.PixmapFragment)
    )
    painter.drawPixmapFragments(first, count, sheet.pixmap)


def colour_with_alpha(colour: QColor, alpha: float) -> QColor:
    out = QColor(colour)
    out.setAlphaF(max(0.0, min(1.0, alpha * colour.alphaF())))
    return out
