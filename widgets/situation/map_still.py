"""The map's still layers: the base drawn for a view (with cameras and key sites) and the heat, cached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPixmap

from widgets.situation.map_layers import heat_cell_px, heat_image
from widgets.situation.map_overlay import paint_cones, paint_pins
from widgets.situation.map_words import MapLayer

if TYPE_CHECKING:
    from widgets.situation.map_view import SituationMap

BASE_MARGIN = 256  # pixels of base rendered beyond each edge, so a drag shows them at once
HEAT_EVERY_S = 1.0


def still_layers(view: SituationMap) -> QPixmap:
    """Everything that moves only with the view, in one window-sized pixmap: the base (with cameras,
    their cones and key sites) and the heat. Each frame is then one opaque copy plus the moving marks;
    this is redrawn on pan and zoom, and when the heat is due (at most once a second). During a
    gesture (drag, wheel, keys) the last base is moved and scaled instead and the heat left out; the
    first frame after the gesture settles draws them afresh."""
    assert view._base is not None
    shown = view._view
    gesturing = view._gesturing()
    heat_due = MapLayer.HEAT in view.visible and view._now - view._heat_at >= HEAT_EVERY_S
    settled = view._still_rough and not gesturing
    if view._still is not None and view._still_view == shown and not heat_due and not settled:
        return view._still
    still = QPixmap(shown.width, shown.height)
    painter = QPainter(still)
    view._still_rough = paint_base(view, painter, rough=gesturing)
    if MapLayer.HEAT in view.visible and not view._still_rough:
        sx, sy, drawn = view._incident_screen()
        heat = heat_image(sx[drawn], sy[drawn], shown.width, shown.height, view.palette_.color("map_heat"))
        view._heat_at = view._now
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        cell = heat_cell_px(shown.width)
        painter.scale(cell, cell)
        painter.drawImage(QPointF(0, 0), heat)
        painter.restore()
    painter.end()
    view._still, view._still_view = still, shown
    return still


def paint_base(view: SituationMap, painter: QPainter, *, rough: bool = False) -> bool:
    """The base for the view; with `rough` the last one moved and scaled if it is not the view's
    own. Returns whether what was drawn is such a stand-in."""
    assert view._base is not None
    shown = view._view
    painter.fillRect(0, 0, shown.width, shown.height, view.palette_.color("map_bg"))
    stale = view._base_pixmap is None or view._base_view is None or needs_render(view)
    if stale and rough and view._base_pixmap is not None and view._base_view is not None:
        old = view._base_view
        scale = 2.0 ** (shown.zoom - old.zoom)
        (bx, by), (ox, oy) = old.origin(), shown.origin()
        size = view._base_pixmap.size()
        target = QRectF(
            (bx - BASE_MARGIN) * scale - ox, (by - BASE_MARGIN) * scale - oy,
            size.width() * scale, size.height() * scale,
        )  # fmt: skip
        painter.drawPixmap(target, view._base_pixmap, QRectF(view._base_pixmap.rect()))
        return True
    if stale:
        view._base_pixmap = view._base.render(
            shown, BASE_MARGIN, view.visible, view._tiles, view._basemap, view._grid_load
        )
        view._base_view = shown
        pin_still_marks(view, view._base_pixmap)
        view._ask_for_tiles()
    assert view._base_pixmap is not None
    assert view._base_view is not None
    # A drag moves the pixmap rendered for the view before it; the release renders anew.
    bx, by = view._base_view.origin()
    ox, oy = shown.origin()
    painter.drawPixmap(QPointF(bx - ox - BASE_MARGIN, by - oy - BASE_MARGIN), view._base_pixmap)
    return False


def pin_still_marks(view: SituationMap, base: QPixmap) -> None:
    """Camera cones and marks and key sites go into the base: they move only with the view."""
    assert view._base is not None
    painter = QPainter(base)
    shift = float(BASE_MARGIN)
    if MapLayer.CAMERAS in view.visible and len(view.cameras):
        cx, cy = view._screen(view._camera_xy)
        paint_cones(painter, view, cx + shift, cy + shift)
    if MapLayer.PLACES in view.visible:
        px, py = view._screen((view._base.place_x, view._base.place_y))
        paint_pins(painter, view._sheet, px + shift, py + shift, ("place",))
    if MapLayer.CAMERAS in view.visible and len(view.cameras):
        cx, cy = view._screen(view._camera_xy)
        paint_pins(painter, view._sheet, cx + shift, cy + shift, ("camera",))
    painter.end()


def needs_render(view: SituationMap) -> bool:
    """Whether the base must be drawn again for the view: a new zoom or size, a drag past the margin."""
    assert view._base_view is not None
    old, new = view._base_view, view._view
    if (old.zoom, old.width, old.height) != (new.zoom, new.width, new.height):
        return True
    if view._press is not None:
        (bx, by), (ox, oy) = old.origin(), new.origin()
        return abs(bx - ox) > BASE_MARGIN or abs(by - oy) > BASE_MARGIN
    return old != new
