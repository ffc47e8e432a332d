"""Painting the map's marks and furniture: incidents, clusters, units, cones, scale bar, north, position."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from core.mercator import metres_per_pixel
from widgets.situation.map_ages import Phase, Phases, pulse_step
from widgets.situation.map_clusters import Clusters, cluster
from widgets.situation.map_hits import CLUSTER_CELL_PX, cone_radius_px
from widgets.situation.map_marks import Floats
from widgets.situation.map_sprites import (
    CELL,
    FADE_STEPS,
    HEADING_STEPS,
    SpriteSheet,
    draw_sprites,
    incident_looks,
)

if TYPE_CHECKING:
    from widgets.situation.map_view import SituationMap

AGE_LABELS_MAX = 300  # more old units than this and their age labels would only hide the map
TEXT_PX = 13  # the map's words at a desk
CLUSTER_SPRITES_MAX = 2_000
_LEVEL_TOKENS = {1: "sev1", 2: "sev2", 3: "sev3", 4: "sev4"}


def _on_screen(x: Floats, y: Floats, width: int, height: int) -> np.ndarray:
    pad = CELL
    return (x > -pad) & (x < width + pad) & (y > -pad) & (y < height + pad)


def paint_pins(painter: QPainter, sheet: SpriteSheet, x: Floats, y: Floats, key: tuple[object, ...]) -> None:
    device = painter.device()
    keep = _on_screen(x, y, device.width(), device.height())
    left, top = sheet.corner(key)
    n = int(keep.sum())
    draw_sprites(painter, sheet, x[keep], y[keep], np.full(n, left), np.full(n, top))


def _look_table(sheet: SpriteSheet) -> np.ndarray:
    """Corners of incident sprites indexed [level - 1, look]."""
    looks = incident_looks()
    table = np.zeros((4, len(looks), 2), dtype=np.float64)
    for level in range(1, 5):
        for i, look in enumerate(looks):
            table[level - 1, i] = sheet.corner(("incident", level, look))
    return table


def paint_incidents(painter: QPainter, view: SituationMap, x: Floats, y: Floats, phases: Phases) -> None:
    marks, now, policy = view.incidents, view._now, view.policy
    shown = (phases != Phase.GONE) & _on_screen(x, y, view.width(), view.height())
    idx = np.flatnonzero(shown)
    singles = idx
    if view._clustering() and len(idx):
        groups = cluster(x[idx], y[idx], CLUSTER_CELL_PX)
        alone = groups.count == 1
        singles = (
            idx[np.concatenate([groups.members[i] for i in np.flatnonzero(alone)])]
            if alone.any()
            else idx[:0]
        )
        _paint_clusters(painter, view, groups, idx, alone)
    # Least severe first, so level I lands on top.
    singles = singles[np.argsort(-marks.level[singles], kind="stable")]
    look = np.full(len(singles), 0, dtype=np.intp)  # live
    p = phases[singles]
    look[p == Phase.STALE] = 1
    fading = p == Phase.FADING
    if fading.any():
        gone_part = np.clip((now - marks.closed_at[singles][fading]) / policy.fade_s, 0.0, 0.999)
        look[fading] = 2 + (gone_part * FADE_STEPS).astype(np.intp)
    new = p == Phase.NEW
    if new.any():
        step = pulse_step(now, policy)
        look[new] = 0 if step == 0 else 1 + FADE_STEPS + step
    corners = _look_table(view._sheet)[marks.level[singles] - 1, look]
    draw_sprites(painter, view._sheet, x[singles], y[singles], corners[:, 0], corners[:, 1])
    if view._highlight is not None and view._highlight in marks.ids:
        i = marks.ids.index(view._highlight)
        if phases[i] != Phase.GONE:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(view.palette_.color("accent"), 3.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(x[i], y[i]), 16.0, 16.0)


def _paint_clusters(
    painter: QPainter, view: SituationMap, groups: Clusters, idx: np.ndarray, alone: np.ndarray
) -> None:
    """Each cluster as a disc ringed in its worst level's colour with its count: one cached picture per
    (level, count) drawn with a single call (drawing 300 discs and their numbers afresh was a sixth of a
    frame with 5,000 cases on the map)."""
    levels = view.incidents.level
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    for i in np.flatnonzero(~alone):
        worst = int(levels[idx[groups.members[i]]].min())
        sprite = _cluster_sprite(view, worst, int(groups.count[i]), ratio)
        half = sprite.width() / ratio / 2.0
        painter.drawPixmap(QPointF(groups.x[i] - half, groups.y[i] - half), sprite)


def _cluster_sprite(view: SituationMap, level: int, count: int, ratio: float) -> QPixmap:
    key = (level, count, ratio)
    sprite = view._cluster_sprites.get(key)
    if sprite is not None:
        return sprite
    radius = 13.0 + 4.0 * math.log10(count)
    side = math.ceil(2 * radius + 4)
    sprite = QPixmap(math.ceil(side * ratio), math.ceil(side * ratio))
    sprite.setDevicePixelRatio(ratio)
    sprite.fill(QColor("transparent"))
    painter = QPainter(sprite)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(painter.font())
    font.setPixelSize(13)
    font.setBold(True)
    painter.setFont(font)
    centre = QPointF(side / 2.0, side / 2.0)
    painter.setPen(QPen(view.palette_.color(_LEVEL_TOKENS.get(level, "sev4")), 3.0))
    painter.setBrush(view.palette_.color("map_cluster"))
    painter.drawEllipse(centre, radius, radius)
    painter.setPen(view.palette_.color("fg"))
    painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, str(count))
    painter.end()
    if len(view._cluster_sprites) > CLUSTER_SPRITES_MAX:
        view._cluster_sprites.clear()  # a storm of odd counts: start the cache again rather than grow
    view._cluster_sprites[key] = sprite
    return sprite


def paint_units(painter: QPainter, view: SituationMap, x: Floats, y: Floats, phases: Phases) -> None:
    units, sheet = view.units, view._sheet
    shown = (phases != Phase.GONE) & _on_screen(x, y, view.width(), view.height())
    idx = np.flatnonzero(shown)
    if not len(idx):
        return
    stale = phases[idx] == Phase.STALE
    # Corner of each (kind, status) sprite, and of the greyed one per kind.
    statuses = 5
    table = np.zeros((len(units.kinds), statuses, 2), dtype=np.float64)
    for k, kind in enumerate(units.kinds):
        for s in range(4):
            table[k, s] = sheet.corner(("unit", kind, s))
        table[k, 4] = sheet.corner(("unit", kind, "stale"))
    status = np.where(stale, 4, np.clip(units.status[idx], 0, 3))
    corners = table[units.kind[idx], status]
    heading = units.heading[idx]
    known = ~np.isnan(heading)
    if known.any():
        steps = np.round(heading[known] / (360.0 / HEADING_STEPS)).astype(np.intp) % HEADING_STEPS
        arrows = np.zeros((HEADING_STEPS, 2, 2), dtype=np.float64)
        for step in range(HEADING_STEPS):
            for grey in (0, 1):
                arrows[step, grey] = sheet.corner(("heading", step, bool(grey)))
        arrow = arrows[steps, stale[known].astype(np.intp)]
        draw_sprites(painter, sheet, x[idx][known], y[idx][known], arrow[:, 0], arrow[:, 1])
    draw_sprites(painter, sheet, x[idx], y[idx], corners[:, 0], corners[:, 1])
    old = idx[phases[idx] != Phase.LIVE]
    # Ages are for a desk's eyes; on a wall they would only crowd the units.
    if 0 < len(old) <= AGE_LABELS_MAX and view.text_px <= TEXT_PX:
        painter.save()
        font = QFont(painter.font())
        font.setPixelSize(11)
        painter.setFont(font)
        painter.setPen(view.palette_.color("map_label"))
        for i in old:
            painter.drawText(
                QPointF(x[i] + 12, y[i] + 16), view.words.age(view._now - float(units.fix_at[i]))
            )
        painter.restore()


def paint_cones(painter: QPainter, view: SituationMap, x: Floats, y: Floats) -> None:
    """Each camera's field of view as a translucent wedge, once the map is close enough to read them."""
    radius = cone_radius_px(view)
    if radius is None:
        return
    device = painter.device()
    keep = np.flatnonzero(
        (x > -radius) & (x < device.width() + radius) & (y > -radius) & (y < device.height() + radius)
    )
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(view.palette_.color("map_camera_cone"))
    box = QRectF(-radius, -radius, 2 * radius, 2 * radius)
    cams = view.cameras
    for i in keep:
        wedge = QPainterPath(QPointF(0, 0))
        # Qt counts angles anticlockwise from three o'clock; a heading clockwise from north.
        start = 90.0 - float(cams.heading[i]) - float(cams.fov[i]) / 2.0
        wedge.arcTo(box, start, float(cams.fov[i]))
        wedge.closeSubpath()
        painter.drawPath(wedge.translated(float(x[i]), float(y[i])))
    painter.restore()


def _nice_distance(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above `max_m`."""
    power = 10.0 ** math.floor(math.log10(max(max_m, 1e-3)))
    for factor in (5.0, 2.0, 1.0):
        if factor * power <= max_m:
            return factor * power
    return power


def scale_bar(lat: float, zoom: float, max_px: float) -> tuple[float, float]:
    """(metres, pixels) of a scale bar at most `max_px` long, on a round distance."""
    per_px = metres_per_pixel(lat, zoom)
    metres = _nice_distance(per_px * max_px)
    return metres, metres / per_px


def paint_overlay(painter: QPainter, view: SituationMap, pointer: QPointF | None) -> None:
    """Scale bar bottom left, north arrow top right, the position under the pointer bottom right."""
    palette, words, v = view.palette_, view.words, view.view
    k = view.text_px / TEXT_PX  # furniture grows with the words (a wall's map is read across a room)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(painter.font())
    font.setPixelSize(view.text_px - 1)
    painter.setFont(font)
    backdrop = palette.color("map_overlay")
    fg = palette.color("fg")
    # Scale bar, measured at the latitude of the map's centre.
    metres, px = scale_bar(v.lat, v.zoom, 120.0 * k)
    label = words.distance(metres)
    left, bottom = 12.0 * k, view.height() - 12.0 * k
    text_w = painter.fontMetrics().horizontalAdvance(label)
    painter.fillRect(QRectF(left - 6 * k, bottom - 26 * k, px + text_w + 18 * k, 32 * k), backdrop)
    painter.setPen(QPen(fg, 2.0 * k))
    ends = (QPointF(left, bottom - 14 * k), QPointF(left, bottom - 8 * k))
    far = (QPointF(left + px, bottom - 8 * k), QPointF(left + px, bottom - 14 * k))
    painter.drawPolyline(QPolygonF([*ends, *far]))
    painter.drawText(QPointF(left + px + 6 * k, bottom - 6 * k), label)
    # North arrow: Web-Mercator keeps north up.
    cx, cy, r = view.width() - 28.0 * k, 34.0 * k, 20.0 * k
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(backdrop)
    painter.drawEllipse(QPointF(cx, cy), r, r)
    painter.setBrush(fg)
    arrow = ((0, -15), (-7, 5), (0, 0), (7, 5))
    painter.drawPolygon(QPolygonF([QPointF(cx + dx * k, cy + dy * k) for dx, dy in arrow]))
    painter.setPen(fg)
    painter.drawText(QRectF(cx - r, cy + 2 * k, 2 * r, 18 * k), Qt.AlignmentFlag.AlignCenter, words.north)
    if pointer is not None:
        lon, lat = v.to_lonlat(pointer.x(), pointer.y())
        east_west, north_south = ("E" if lon >= 0 else "W"), ("N" if lat >= 0 else "S")
        text = f"{abs(lon):.5f}°{east_west}  {abs(lat):.5f}°{north_south}  {view.datum.value.upper()}"
        width = painter.fontMetrics().horizontalAdvance(text) + 16
        rect = QRectF(view.width() - width - 8, view.height() - 32, width, 24)
        painter.fillRect(rect, backdrop)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
