"""Which mark is under a screen point (a click, the pointer), and what its tooltip says."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.mercator import metres_per_pixel
from widgets.situation.map_clusters import cluster
from widgets.situation.map_marks import Floats
from widgets.situation.map_words import MapLayer

if TYPE_CHECKING:
    from widgets.situation.map_view import SituationMap

HIT_RADIUS_PX = 14.0
CLUSTER_CELL_PX = 56.0
CONE_MIN_ZOOM = 14.0
CONE_RANGE_M = 200.0  # how far a cone reaches on the ground: a street camera's useful range


def mark_at(view: SituationMap, x: float, y: float) -> tuple[str, str] | None:
    """("case", id) or ("camera", id) of the mark drawn under (x, y), incidents first; a cluster of
    several cases answers ("cluster", "")."""
    if MapLayer.INCIDENTS in view.visible and len(view.incidents):
        sx, sy, shown = view._incident_screen()
        idx = np.flatnonzero(shown)
        if view._clustering():
            groups = cluster(sx[idx], sy[idx], CLUSTER_CELL_PX)
            hit = nearest(groups.x, groups.y, x, y, HIT_RADIUS_PX + 6)
            if hit is not None:
                members = idx[groups.members[hit]]
                if len(members) == 1:
                    return "case", view.incidents.ids[int(members[0])]
                return "cluster", ""
        else:
            hit = nearest(sx[idx], sy[idx], x, y, HIT_RADIUS_PX)
            if hit is not None:
                return "case", view.incidents.ids[int(idx[hit])]
    if MapLayer.CAMERAS in view.visible and len(view.cameras):
        cx, cy = view._screen(view._camera_xy)
        hit = nearest(cx, cy, x, y, HIT_RADIUS_PX)
        if hit is None:
            hit = cone_at(view, cx, cy, x, y)
        if hit is not None:
            return "camera", view.cameras.ids[hit]
    return None


def cone_radius_px(view: SituationMap) -> float | None:
    """How far the cameras' wedges reach on screen, or None while the map is too far out to draw them."""
    v = view.view
    if v.zoom < CONE_MIN_ZOOM:
        return None
    return min(240.0, max(40.0, CONE_RANGE_M / metres_per_pixel(v.lat, v.zoom)))


def cone_at(view: SituationMap, cx: Floats, cy: Floats, x: float, y: float) -> int | None:
    """The camera whose field of view (the wedge drawn) holds the point, the nearest if several do."""
    radius = cone_radius_px(view)
    if radius is None:
        return None
    dx, dy = x - cx, y - cy
    distance = np.hypot(dx, dy)
    bearing = np.degrees(np.arctan2(dx, -dy)) % 360.0  # clockwise from north, as headings are
    off = np.abs((bearing - view.cameras.heading + 180.0) % 360.0 - 180.0)
    inside = np.flatnonzero((distance <= radius) & (off <= view.cameras.fov / 2.0))
    if len(inside) == 0:
        return None
    return int(inside[np.argmin(distance[inside])])


def hover_text(view: SituationMap, x: float, y: float) -> str:
    """The summary of the mark under the pointer: a case's level and title, a camera's name."""
    hit = mark_at(view, x, y)
    if hit is None or hit[0] == "cluster":
        return ""
    if hit[0] == "case":
        marks = view.incidents
        i = marks.ids.index(hit[1])
        title = marks.titles[i] if i < len(marks.titles) else hit[1]
        return f"{view.words.levels[int(marks.level[i])]} · {title}"
    i = view.cameras.ids.index(hit[1])
    return view.cameras.names[i] if i < len(view.cameras.names) else hit[1]


def nearest(xs: Floats, ys: Floats, x: float, y: float, radius: float) -> int | None:
    """Index of the point nearest (x, y) within `radius` pixels, the last drawn (topmost) on a tie."""
    if len(xs) == 0:
        return None
    d2 = (xs - x) ** 2 + (ys - y) ** 2
    best = len(d2) - 1 - int(np.argmin(d2[::-1]))
    return best if d2[best] <= radius * radius else None
