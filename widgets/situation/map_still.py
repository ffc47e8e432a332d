"""The map's still layers: the base drawn for a view (with cameras and key sites) and the heat, cached;
the heat's once-a-second redraw is spread over several frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QColor, QImage, QPainter

from core.mercator import View
from widgets.situation.map_ages import pulse_step
from widgets.situation.map_layers import heat_cell_px, heat_image
from widgets.situation.map_marks import Floats
from widgets.situation.map_overlay import paint_cones, paint_pins
from widgets.situation.map_words import MapLayer

if TYPE_CHECKING:
    from widgets.situation.map_view import SituationMap

BASE_MARGIN = 256  # pixels of base rendered beyond each edge, so a drag shows them at once
HEAT_EVERY_S = 1.0
STILL_FORMAT = QImage.Format.Format_RGB32  # opaque: a frame copies it without blending
STILL_FRAMES = 8  # frames over which a new still with fresh heat is composed


@dataclass(frozen=True, slots=True, eq=False)
class StillJob:
    """What one still is made of, fixed when it is begun: the view, its base, and the heat's marks."""

    view: View
    base: QImage
    base_view: View
    generation: int  # the base's: a still begun on an older base is dropped
    background: QColor
    heat_colour: QColor
    heat_x: Floats | None  # screen positions of the marks that make the heat; None without the heat
    heat_y: Floats | None


@dataclass(slots=True, eq=False)
class StillDraft:
    """A still being composed a band of rows at a time."""

    job: StillJob
    image: QImage
    heat: QImage | None
    covered: bool  # the base covers the whole window (no background to fill)
    done_rows: int = 0

    @property
    def complete(self) -> bool:
        return self.done_rows >= self.job.view.height


def begin_still(job: StillJob) -> StillDraft:
    shown = job.view
    heat = None
    if job.heat_x is not None and job.heat_y is not None:
        heat = heat_image(job.heat_x, job.heat_y, shown.width, shown.height, job.heat_colour)
    at = _base_at(job)
    covered = QRectF(at, QSizeF(job.base.size())).contains(QRectF(0, 0, shown.width, shown.height))
    return StillDraft(job, QImage(shown.width, shown.height, STILL_FORMAT), heat, covered)


def advance_still(draft: StillDraft, rows: int) -> None:
    """Compose the next `rows` rows: the base (moved to the view) and the heat smoothly scaled over it."""
    job, shown = draft.job, draft.job.view
    top = draft.done_rows
    bottom = min(shown.height, top + max(1, rows))
    strip = QRectF(0, top, shown.width, bottom - top)
    at = _base_at(job)
    painter = QPainter(draft.image)
    if not draft.covered:
        # A drag moves the base rendered for the view before it; what it leaves uncovered is background.
        painter.fillRect(strip, job.background)
    painter.drawImage(strip, job.base, strip.translated(-at.x(), -at.y()))
    if draft.heat is not None:
        painter.setClipRect(strip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        cell = heat_cell_px(shown.width)
        painter.scale(cell, cell)
        painter.drawImage(QPointF(0, 0), draft.heat)
    painter.end()
    draft.done_rows = bottom


def compose_still(job: StillJob) -> QImage:
    """The base for the job's view with the heat over it, as one window-sized opaque image."""
    draft = begin_still(job)
    advance_still(draft, job.view.height)
    return draft.image


def _base_at(job: StillJob) -> QPointF:
    (bx, by), (ox, oy) = job.base_view.origin(), job.view.origin()
    return QPointF(bx - ox - BASE_MARGIN, by - oy - BASE_MARGIN)


def paint_still(view: SituationMap, painter: QPainter) -> None:
    """The still layers into the frame: the cached still, or during a zoom gesture the scaled base."""
    still = still_layers(view)
    if still is None:
        paint_rough(view, painter)
    else:
        painter.drawImage(0, 0, still)


def still_layers(view: SituationMap) -> QImage | None:
    """Everything that moves only with the view, in one window-sized image: the base (with cameras,
    their cones and key sites) and the heat. Each frame is then one opaque copy plus the moving marks.

    It is drawn afresh on pan and zoom. When only the heat is due (at most once a second) the new still is
    composed on the next STILL_FRAMES clock ticks, a band of rows on each (`advance_heat`), while the map
    shows the last one: one frame making the whole still was the frame in 25 that broke the paint budget
    (62 ms of CPU at 5760×2160). (A worker thread did not help: PySide holds the GIL through each QPainter
    call, and the GUI thread waited for it as long.) During a gesture (drag, wheel, keys) the last base
    is moved and scaled instead and the heat left out; the first frame after the gesture settles draws
    them afresh."""
    assert view._base is not None
    shown = view._view
    gesturing = view._gesturing()
    settled = view._still_rough and not gesturing
    current = view._still is not None and view._still_view == shown and not settled
    if current:
        assert view._still is not None
        return view._still
    view._draft = None
    if gesturing:
        # Frames of a gesture stay quick: the base as it is (moved, or scaled when the zoom changed) and
        # no heat; the first frame after the gesture settles draws both afresh.
        view._still_rough = True
        if view._base_image is not None and view._base_view is not None and needs_render(view):
            view._still = None
            return None
        ensure_base(view)
        view._still, view._still_view = compose_still(still_job(view, heat=False)), shown
        return view._still
    ensure_base(view)
    view._still, view._still_view, view._still_rough = compose_still(still_job(view)), shown, False
    if MapLayer.HEAT in view.visible:
        view._heat_at = view._now
    return view._still


def advance_heat(view: SituationMap) -> bool:
    """On a clock tick: when the heat is due (or a still is being made) compose the next band of the
    next still; True once it is whole and swapped in (the map must then be painted). The bands are made on
    ticks, not in paints, so the frames in between paint nothing new."""
    if view._base is None or view._still is None or view._still_view != view._view or view._still_rough:
        return False
    heat_due = MapLayer.HEAT in view.visible and view._now - view._heat_at >= HEAT_EVERY_S
    if view._draft is None and not heat_due:
        return False
    draft = view._draft
    if draft is None or draft.job.view != view._view or draft.job.generation != view._base_generation:
        draft = view._draft = begin_still(still_job(view))
        view._heat_at = view._now
    advance_still(draft, -(-view._view.height // STILL_FRAMES))
    if not draft.complete:
        return False
    view._still, view._draft = draft.image, None
    return True


def still_job(view: SituationMap, *, heat: bool = True) -> StillJob:
    assert view._base_image is not None
    assert view._base_view is not None
    heat_x = heat_y = None
    if heat and MapLayer.HEAT in view.visible:
        sx, sy, drawn = view._incident_screen()
        heat_x, heat_y = sx[drawn], sy[drawn]
    return StillJob(
        view=view._view, base=view._base_image, base_view=view._base_view, generation=view._base_generation,
        background=view.palette_.color("map_bg"), heat_colour=view.palette_.color("map_heat"),
        heat_x=heat_x, heat_y=heat_y,
    )  # fmt: skip


def paint_rough(view: SituationMap, painter: QPainter) -> None:
    """A stand-in during a gesture, straight into the frame: the last base moved and scaled to the view,
    no heat (at 5760×2160 a scaled draw costs ~25 ms; through a still image it cost a copy more)."""
    assert view._base_image is not None
    assert view._base_view is not None
    shown, old = view._view, view._base_view
    scale = 2.0 ** (shown.zoom - old.zoom)
    (bx, by), (ox, oy) = old.origin(), shown.origin()
    size = view._base_image.size()
    target = QRectF(
        (bx - BASE_MARGIN) * scale - ox, (by - BASE_MARGIN) * scale - oy,
        size.width() * scale, size.height() * scale,
    )  # fmt: skip
    if not target.contains(QRectF(0, 0, shown.width, shown.height)):
        # Zooming out shows more than the base holds: background around it (on a wall canvas a whole
        # fill costs 17 ms, so only when it shows).
        painter.fillRect(0, 0, shown.width, shown.height, view.palette_.color("map_bg"))
    painter.drawImage(target, view._base_image, QRectF(view._base_image.rect()))


def ensure_base(view: SituationMap) -> None:
    """Render the base for the view if it has none or the one it has no longer covers the view."""
    assert view._base is not None
    if view._base_image is not None and view._base_view is not None and not needs_render(view):
        return
    shown = view._view
    base = view._base.render(
        shown, BASE_MARGIN, view.visible, view._tiles, view._basemap, view._grid_load, view.text_px
    )
    pin_still_marks(view, base)
    view._base_image, view._base_view = base, shown
    view._base_generation += 1
    view._ask_for_tiles()


def pin_still_marks(view: SituationMap, base: QImage) -> None:
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


def frame_due(view: SituationMap, now: float) -> bool:
    """Whether the clock moving to `now` changes what the map shows (besides a new still, which
    `advance_heat` says): a gesture settling, a pulse stepping, or a second gone by (ages, fades and
    greying move by the second at most). Otherwise a tick paints nothing: with 5,000 units a frame costs
    ~7 ms, and the FrameClock ticks 30 times a second."""
    if view._still_rough:
        return True
    painted_now, painted_pulse = view.painted_at
    if not 0.0 <= now - painted_now < 1.0:
        return True
    marks = view.incidents
    if MapLayer.INCIDENTS in view.visible and len(marks):
        pulsing = (now - marks.opened_at < view.policy.new_s) & np.isnan(marks.closed_at)
        return bool(pulsing.any()) and pulse_step(now, view.policy) != painted_pulse
    return False
