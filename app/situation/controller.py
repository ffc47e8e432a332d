"""The situation map on the duty desk: the store's cases and the atlas's cameras; a click opens a case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, SignalInstance
from PySide6.QtWidgets import QDockWidget

from app.desk.controller import DutyController
from app.shell.change_bus import ChangeBus
from app.shell.gui_call import GuiCall
from app.shell.main_window import MainWindow
from app.situation.live import LiveLayers
from app.situation.lookup import MapSearch, RouteShower, keep_bookmarks
from app.situation.search import SearchIndex, Wgs84
from app.situation.tiles import TileLoader
from core.clock import Clock, SystemClock
from dispatch.atlas import Atlas, Datum, gcj02_to_wgs84, load_atlas
from dispatch.casework.readouts import CaseFile
from dispatch.casework.records.map_cases import MapCases, map_cases
from dispatch.changes import CasesChanged
from dispatch.service import ClosedLoop, LoopContext
from widgets.situation.map_marks import CameraMarks, IncidentMarks
from widgets.situation.map_view import SituationMap

log = logging.getLogger(__name__)


def read_map_cases(exercise: bool, ctx: LoopContext) -> MapCases:
    return map_cases(ctx.desk.conn, ctx.clock.now(), exercise=exercise)


def incident_marks(read: MapCases) -> IncidentMarks:
    """The store's cases as the map's columns (case ids as text, titles with their codes)."""
    cases = read.cases
    return IncidentMarks(
        ids=tuple(str(c.id) for c in cases),
        lon=np.array([c.lon for c in cases], dtype=np.float64),
        lat=np.array([c.lat for c in cases], dtype=np.float64),
        level=np.array([c.severity for c in cases], dtype=np.int16),
        opened_at=np.array([c.discovered_at for c in cases], dtype=np.float64),
        closed_at=np.array([np.nan if c.closed_at is None else c.closed_at for c in cases], dtype=np.float64),
        seen_at=np.array([c.updated_at for c in cases], dtype=np.float64),
        titles=tuple(f"{c.code} {c.title}" for c in cases),
    )


def wgs84_of(atlas: Atlas) -> Wgs84:
    """The conversion of the atlas's positions into WGS-84, the datum the map takes every position in."""

    def wgs84(lon: float, lat: float) -> tuple[float, float]:
        return gcj02_to_wgs84(lon, lat) if atlas.datum is Datum.GCJ02 else (lon, lat)

    return wgs84


def camera_marks(atlas: Atlas) -> CameraMarks:
    """The atlas's cameras as the map takes every position: in WGS-84, as the feed reports them."""
    wgs84 = wgs84_of(atlas)
    return CameraMarks.of(
        [(c.id, *wgs84(c.lon, c.lat), c.heading_deg, c.fov_deg) for c in atlas.cameras],
        [c.name for c in atlas.cameras],
    )


def atlas_for_map(atlas: Atlas) -> Atlas:
    """The atlas in its basemap's datum, so that streets drawn from it lie on the basemap's streets (a
    GCJ-02 basemap under a WGS-84 atlas would put them 300–700 m off); the atlas itself when it has none."""
    basemap = atlas.basemap
    if basemap is None or basemap.datum is atlas.datum or atlas.directory is None:
        return atlas
    return load_atlas(atlas.directory, basemap.datum)


class SituationController(QObject):
    """Reads the map's cases whenever the change bus says cases changed (never on a timer of its own),
    follows the FrameClock for ages and pulses, and links the map with the desk both ways."""

    def __init__(
        self, view: SituationMap, loop: ClosedLoop, bus: ChangeBus, duty: DutyController, atlas: Atlas,
        *, clock: Clock | None = None, exercise: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(view)
        self.view, self.loop, self.duty = view, loop, duty
        self.clock = clock or SystemClock()
        self._exercise = exercise
        self.gui = GuiCall(self)
        self._reading = False
        self._read_again = False
        self._stopped = False
        self.tiles: TileLoader | None = None
        view.set_atlas(atlas)
        view.show_cameras(camera_marks(atlas))
        self.live = LiveLayers(view, loop, atlas, wgs84_of(atlas), exercise=exercise)
        self.search = MapSearch(view, loop, SearchIndex.of_atlas(atlas, wgs84_of(atlas)), self.live, exercise)
        self.routes = RouteShower(view, loop, duty)
        bus.changed.connect(self._on_bus_changed)
        view.case_clicked.connect(self._on_view_case_clicked)
        duty.case_shown.connect(self._on_duty_case_shown)

    def open_cameras_with(self, open_camera: Callable[[str], object]) -> None:
        """A click on a camera's mark or cone opens its picture (the video wall's pop-up, in the cockpit)."""
        self.view.camera_clicked.connect(open_camera)

    @property
    def exercise(self) -> bool:
        """Whether the map shows a drill's cases, units and warnings (else the real ones)."""
        return self._exercise

    @exercise.setter
    def exercise(self, exercise: bool) -> None:
        self._exercise = self.live.exercise = self.search.exercise = exercise

    def start(self) -> None:
        """Begin following the store's unit positions and warnings (cases follow the change bus)."""
        self.live.start()

    def stop(self) -> None:
        self._stopped = True
        self.live.stop()
        self.search.stop()
        self.routes.stop()
        if self.tiles is not None:
            self.tiles.close()

    def tick(self, _: object = None) -> None:
        """A FrameClock tick: the map's ages follow the clock (a hidden map skips the paint)."""
        self.view.tick(self.clock.now())

    def read(self) -> None:
        if self._stopped:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        job = partial(read_map_cases, self.exercise)
        self.gui.when_done(self.loop.query(job), self._on_read, self._on_read_failed)

    def _on_bus_changed(self, changes: CasesChanged) -> None:
        self.read()

    def _on_read(self, read: MapCases) -> None:
        self._reading = False
        if self._stopped:
            return
        self.view.show_incidents(incident_marks(read))
        self.view.show_grid_load(read.open_per_grid)
        self.view.tick(self.clock.now())
        if self._read_again:
            self._read_again = False
            self.read()

    def _on_read_failed(self, error: BaseException) -> None:
        self._reading = False
        log.error("the map could not read the cases: %s", error, exc_info=error)

    def _on_view_case_clicked(self, case_id: str) -> None:
        self.duty.open_case(int(case_id))

    def _on_duty_case_shown(self, case_file: CaseFile | None) -> None:
        self.view.highlight_case(str(case_file.case.id) if case_file is not None else None)


def install_situation_map(
    window: MainWindow,
    loop: ClosedLoop,
    bus: ChangeBus,
    duty: DutyController,
    atlas: Atlas,
    ticked: SignalInstance,
) -> SituationController:
    """The map as a dock at the head of the right column, beside the queue; call before the layout is
    restored. `ticked` is the FrameClock's ticked signal."""
    view = SituationMap(window.theme_palette)
    dock = QDockWidget(QCoreApplication.translate("SituationMap", "City map"), window)
    dock.setObjectName("situationMapDock")
    dock.setWidget(view)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    window.add_map_dock(dock)
    shown = atlas_for_map(atlas)
    controller = SituationController(view, loop, bus, duty, shown)
    if shown.basemap is not None:
        controller.tiles = TileLoader(view, shown.basemap)
    ticked.connect(controller.tick)
    keep_bookmarks(view, shown, window.layout_settings)
    controller.start()
    return controller
