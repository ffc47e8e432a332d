"""Working with the map: search hits, bookmarks on the number keys, and the tools that measure and select."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt

from core.mercator import View, fit
from widgets.common.style import fill
from widgets.situation.map_shapes import RouteLine
from widgets.situation.map_toolbar import Found, MapToolbar
from widgets.situation.map_tools import Sketch, Tool, cases_inside

if TYPE_CHECKING:
    from widgets.situation.map_view import SituationMap

Bookmark = tuple[str, float, float, float]  # name, lon, lat (the map's datum), zoom


class MapWork(QObject):
    """Owns the map's toolbar, the sketch of the tool in hand and the bookmarks; speaks through the map's
    signals (`search_changed`, `bookmark_saved`, `area_selected`, `case_clicked`)."""

    def __init__(self, view: SituationMap) -> None:
        super().__init__(view)
        self.view = view
        self.sketch = Sketch()
        self.bookmarks: dict[int, Bookmark] = {}
        self.toolbar = MapToolbar(view.palette_, view)
        self.toolbar.search_changed.connect(view.search_changed)
        self.toolbar.found_picked.connect(self.go_to_found)
        self.toolbar.case_picked.connect(view.case_clicked)
        self.toolbar.tool_picked.connect(self.use_tool)
        self.bookmark_words = self.tr("Bookmark %1 · %2")
        self.no_bookmark = self.tr("No bookmark on %1 yet: Ctrl+%1 keeps the view shown")
        self.bookmark_kept = self.tr("Bookmark %1 kept: press %1 to come back")
        self.bookmark_name = self.tr("View %1")
        self.inside = self.tr("%1 cases inside")
        self.route_words = self.tr("%1 · about %2 min")
        self.route_from_base = self.tr("%1 · about %2 min from its base")

    # -- search -------------------------------------------------------------------------------------

    def show_found(self, found: tuple[Found, ...]) -> None:
        self.toolbar.show_found(found)

    def go_to_found(self, found: Found) -> None:
        """Centre on a search hit at its zoom; a case is also ringed and opened on the desk."""
        view = self.view
        self.toolbar.clear_list()  # the list has done its work: the map shows where
        view.centre_on(found.lon, found.lat, max(found.zoom, view.view.zoom), wgs84=True)
        if found.case_id is not None:
            view.highlight_case(found.case_id)
            view.case_clicked.emit(found.case_id)
        view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- bookmarks ----------------------------------------------------------------------------------

    def set_bookmarks(self, bookmarks: Mapping[int, Bookmark]) -> None:
        """Views on the number keys 1–9 (0 is the whole city)."""
        self.bookmarks = dict(bookmarks)

    def go_to_bookmark(self, number: int) -> None:
        mark = self.bookmarks.get(number)
        if mark is None:
            self.toolbar.show_cases(fill(self.no_bookmark, number), ())
            return
        name, lon, lat, zoom = mark
        self.view.centre_on(lon, lat, zoom)
        self.toolbar.show_cases(fill(self.bookmark_words, number, name), ())

    def save_bookmark(self, number: int) -> None:
        shown = self.view.view
        mark = (fill(self.bookmark_name, number), shown.lon, shown.lat, shown.zoom)
        self.bookmarks[number] = mark
        self.view.bookmark_saved.emit((number, mark))
        self.toolbar.show_cases(fill(self.bookmark_kept, number), ())

    # -- tools --------------------------------------------------------------------------------------

    def use_tool(self, tool: Tool) -> None:
        """Take up a tool (Tool.NONE puts it down and clears what it drew)."""
        self.sketch.begin(tool)
        self.toolbar.set_tool(tool)
        if tool is Tool.NONE:
            self.toolbar.clear_list()
        cursor = Qt.CursorShape.ArrowCursor if tool is Tool.NONE else Qt.CursorShape.CrossCursor
        self.view.setCursor(cursor)
        self.view.update()

    def close_polygon(self) -> None:
        if len(self.sketch.points) >= 3:
            self.select_area(list(self.sketch.points))

    def select_area(self, ring: list[tuple[float, float]]) -> None:
        """List the cases on the map inside a drawn ring (the map's datum), most severe first."""
        view = self.view
        _, _, shown = view._incident_screen()
        picked = [int(i) for i in cases_inside(ring, *view._incident_xy) if shown[i]]
        marks = view.incidents
        picked.sort(key=lambda i: (int(marks.level[i]), marks.ids[i]))
        ids = tuple(marks.ids[i] for i in picked)
        titles = marks.titles or ("",) * len(marks)
        levels = view.words.levels
        rows = [(marks.ids[i], f"{levels.get(int(marks.level[i]), '')}  {titles[i]}") for i in picked]
        self.toolbar.show_cases(fill(self.inside, len(ids)), rows)
        view.area_selected.emit(ids)
        view.update()

    def bring_into_view(self, west: float, south: float, east: float, north: float) -> None:
        """Zoom out (never in) and move just enough that a box of WGS-84 positions is on the map."""
        view, margin = self.view, 60.0
        xs, ys = view._screen(view._project(np.array([west, east]), np.array([north, south])))
        inside = xs.min() >= margin and ys.min() >= margin
        if inside and xs.max() <= view.width() - margin and ys.max() <= view.height() - margin:
            return
        (lon0, lat0), (lon1, lat1) = (
            view.view.to_lonlat(float(x), float(y)) for x, y in zip(xs, ys, strict=True)
        )
        width, height = max(1, view.width() - 2 * int(margin)), max(1, view.height() - 2 * int(margin))
        box = fit(min(lon0, lon1), min(lat0, lat1), max(lon0, lon1), max(lat0, lat1), width, height)
        shown = view.view
        view._set_view(View(box.lon, box.lat, min(shown.zoom, box.zoom), shown.width, shown.height))

    # -- words --------------------------------------------------------------------------------------

    def route_label(self, route: RouteLine) -> str:
        if route.travel_s is None:
            return route.unit_name
        minutes = max(1, round(route.travel_s / 60.0))
        return fill(self.route_words if route.live else self.route_from_base, route.unit_name, minutes)
