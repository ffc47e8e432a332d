"""The map's answers to the operator: search hits, bookmarks kept across restarts, and the route of the
unit the dispatcher is about to send."""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QObject, QSettings

from app.desk.controller import DutyController
from app.desk.jobs import UnitDirectory
from app.shell.gui_call import GuiCall
from app.situation.live import LiveLayers
from app.situation.search import SearchIndex, case_hits
from core.mercator import fit
from dispatch.atlas import Atlas
from dispatch.casework.readouts import LIVE_FRESH_S
from dispatch.casework.records.map_cases import FoundCase, find_cases
from dispatch.casework.records.unit_positions import unit_fix
from dispatch.service import ClosedLoop, LoopContext
from widgets.situation.map_shapes import RouteLine
from widgets.situation.map_view import SituationMap
from widgets.situation.map_work import Bookmark

log = logging.getLogger(__name__)

BOOKMARK_KEYS = range(1, 10)


def search_cases(text: str, exercise: bool, ctx: LoopContext) -> tuple[FoundCase, ...]:
    return find_cases(ctx.desk.conn, text, exercise=exercise)


class MapSearch(QObject):
    """Each edit of the map's search field: the city's names at once, the store's cases by code, title or
    address in one query; the newest edit wins (an answer to an older one is dropped)."""

    def __init__(
        self, view: SituationMap, loop: ClosedLoop, index: SearchIndex, live: LiveLayers, exercise: bool
    ) -> None:
        super().__init__(view)
        self.view, self.loop, self.index, self.live, self.exercise = view, loop, index, live, exercise
        self.gui = GuiCall(self)
        self._asked = 0
        self._stopped = False
        view.search_changed.connect(self._on_view_search_changed)

    def stop(self) -> None:
        self._stopped = True

    def _on_view_search_changed(self, text: str) -> None:
        self._asked += 1
        asked = self._asked
        if not text.strip():
            self.view.work.show_found(())
            return
        job = partial(search_cases, text, self.exercise)
        self.gui.when_done(
            self.loop.query(job), partial(self._on_cases_found, asked, text), self._on_search_failed
        )

    def _on_cases_found(self, asked: int, text: str, cases: tuple[FoundCase, ...]) -> None:
        if self._stopped or asked != self._asked:
            return
        self.view.work.show_found(case_hits(cases) + self.index.find(text, self.live.unit_places()))

    def _on_search_failed(self, error: BaseException) -> None:
        log.error("the map's search could not read the cases: %s", error, exc_info=error)


def route_of(case_id: int, unit_id: str, directory: UnitDirectory, ctx: LoopContext) -> RouteLine | None:
    """The road route from where the unit is (a fresh live position, else its base) to the case."""
    network = directory.network
    case = ctx.desk.get(case_id)
    unit = next((u for u in directory.roster if u.unit_id == unit_id), None)
    if network is None or unit is None or case.lon is None or case.lat is None:
        return None
    fix = unit_fix(ctx.desk.conn, unit_id)
    live = fix is not None and ctx.clock.now() - fix.at <= LIVE_FRESH_S
    if live and fix is not None:
        start = (fix.lon, fix.lat)
    elif unit.lon is not None and unit.lat is not None:
        start = (unit.lon, unit.lat)
    else:
        return None
    road = network.route(*start, case.lon, case.lat)
    if road is None:
        return None
    return RouteLine(unit.name, road.points, road.travel_s, live)


class RouteShower(QObject):
    """While the dispatch dialog is open, the route of the unit the dispatcher is on is drawn on the map."""

    def __init__(self, view: SituationMap, loop: ClosedLoop, duty: DutyController) -> None:
        super().__init__(view)
        self.view, self.loop, self.duty = view, loop, duty
        self.gui = GuiCall(self)
        self._asked = 0
        self._stopped = False
        duty.dispatch_dialog.unit_highlighted.connect(self._on_dispatch_dialog_unit_highlighted)

    def stop(self) -> None:
        self._stopped = True

    def _on_dispatch_dialog_unit_highlighted(self, unit_id: str | None) -> None:
        self._asked += 1
        options = self.duty.dispatch_dialog.options
        directory = self.duty.directory
        if unit_id is None or options is None or directory is None:
            self.view.show_route(None)
            return
        asked = self._asked
        job = partial(route_of, options.case_id, unit_id, directory)
        self.gui.when_done(self.loop.query(job), partial(self._on_route, asked), self._on_route_failed)

    def _on_route(self, asked: int, route: RouteLine | None) -> None:
        if not self._stopped and asked == self._asked:
            self.view.show_route(route)

    def _on_route_failed(self, error: BaseException) -> None:
        log.error("the map could not find the unit's route: %s", error, exc_info=error)


def keep_bookmarks(view: SituationMap, atlas: Atlas, settings: QSettings) -> None:
    """Bookmarks 1–9: the districts in the atlas's order until the operator keeps views of their own
    (Ctrl+number), which are kept per city across restarts."""
    marks: dict[int, Bookmark] = {}
    for number, district in zip(BOOKMARK_KEYS, atlas.districts, strict=False):
        points = [p for ring in district.outline for p in ring]
        if points:
            west, south = min(p[0] for p in points), min(p[1] for p in points)
            east, north = max(p[0] for p in points), max(p[1] for p in points)
            zoom = fit(west, south, east, north, 900, 600).zoom
            marks[number] = (district.name, (west + east) / 2, (south + north) / 2, zoom)
    group = f"map/bookmarks/{atlas.code or atlas.name}"
    for number in BOOKMARK_KEYS:
        kept = settings.value(f"{group}/{number}")
        if isinstance(kept, list) and len(kept) == 4:
            try:
                marks[number] = (str(kept[0]), float(kept[1]), float(kept[2]), float(kept[3]))
            except (TypeError, ValueError):
                log.warning("bookmark %s of %s is not readable and was left out", number, group)

    def keep(saved: tuple[int, Bookmark]) -> None:
        number, mark = saved
        settings.setValue(f"{group}/{number}", list(mark))

    view.work.set_bookmarks(marks)
    view.bookmark_saved.connect(keep)
