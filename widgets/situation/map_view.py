"""The situation map (一张图): the city's base, incidents, units and cameras, painted with QPainter."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from core.mercator import View, fit, project
from dispatch.atlas.datum import Datum, wgs84_to_gcj02_arrays
from dispatch.atlas.model import Atlas
from widgets.common.palette import Palette
from widgets.situation import map_input
from widgets.situation.map_ages import AgePolicy, Phase, incident_phases, pulse_step, unit_phases
from widgets.situation.map_clusters import Clusters, cluster
from widgets.situation.map_hits import CLUSTER_CELL_PX, hover_text, mark_at
from widgets.situation.map_layers import (
    BaseLayer,
    BasemapInfo,
    TileKey,
    missing_tiles,
)
from widgets.situation.map_legend import MapLegend
from widgets.situation.map_marks import (
    CameraMarks,
    Floats,
    IncidentMarks,
    UnitMarks,
    no_cameras,
    no_incidents,
    no_units,
)
from widgets.situation.map_overlay import (
    paint_incidents,
    paint_overlay,
    paint_units,
)
from widgets.situation.map_shapes import RouteLine, ShapeLayer, WarningArea
from widgets.situation.map_sprites import SpriteSheet, build_sheet
from widgets.situation.map_still import StillDraft, advance_heat, frame_due, paint_still
from widgets.situation.map_tools import paint_sketch
from widgets.situation.map_words import MapLayer, MapWords
from widgets.situation.map_work import MapWork

CLUSTER_BELOW_ZOOM = 14.0  # zoomed out further, nearby incidents gather into counted discs
MAX_TILES = 512
# A gesture's frames move the last base; this long after its last step the base is drawn afresh.
GESTURE_SETTLE_S = 0.15
LEGEND_OPEN_FROM_HEIGHT = 560  # a smaller map shows its legend closed until the operator opens it


class SituationMap(QWidget):
    """Renders plain values handed to it (an Atlas, marks as numpy columns, tiles as images); owns no
    file, socket or timer. `tick(now)` follows the FrameClock and the domain clock."""

    case_clicked = Signal(object)
    """The id of the incident under a click."""

    camera_clicked = Signal(object)
    """The id of the camera whose mark was clicked."""

    tiles_wanted = Signal(object)
    """A tuple of basemap tile keys (zoom, column, row) the view needs and the map does not hold."""

    view_changed = Signal(object)
    """The core.mercator.View now shown, after a pan or zoom."""

    search_changed = Signal(object)
    """The text typed in the map's search field (str): the app answers with `show_found`."""

    bookmark_saved = Signal(object)
    """(number, Bookmark) after Ctrl+number kept the view shown under that number."""

    area_selected = Signal(object)
    """The ids of the cases inside a rectangle or polygon the operator drew (a tuple of str)."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("situationMap")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(200, 100)
        self.palette_ = palette
        self.words = MapWords(self)
        self.policy = AgePolicy()
        self.text_px = 13
        self.visible: set[MapLayer] = set(MapLayer)
        self.datum = Datum.WGS84
        self._view = View(120.15, 30.27, 12.0, max(1, self.width()), max(1, self.height()))
        self._base: BaseLayer | None = None
        self._base_image: QImage | None = None
        self._base_view: View | None = None
        self._base_generation = 0
        self._sheet: SpriteSheet = build_sheet(palette, self.words, ())
        self._kinds: tuple[str, ...] = ()
        self._basemap: BasemapInfo | None = None
        self._tiles: OrderedDict[TileKey, QImage] = OrderedDict()
        self._asked: set[TileKey] = set()
        self._grid_load: dict[str, int] = {}
        self._cluster_sprites: dict[tuple[int, int, float], QPixmap] = {}
        self._now = 0.0
        self.incidents = no_incidents()
        self.units = no_units()
        self.cameras = no_cameras()
        self._incident_xy = (np.zeros(0), np.zeros(0))
        self._unit_xy = (np.zeros(0), np.zeros(0))
        self._camera_xy = (np.zeros(0), np.zeros(0))
        self._heat_at = -math.inf
        self._gesture_at = -math.inf
        self.gesture_settle_s = GESTURE_SETTLE_S
        self._still_rough = False
        self._still: QImage | None = None
        self._still_view: View | None = None
        self._draft: StillDraft | None = None
        self.painted_at = (-math.inf, -1)  # the clock and the pulse step of the last frame painted
        self._highlight: str | None = None
        self._pointer: QPointF | None = None
        self._press: QPoint | None = None
        self._press_view: View | None = None
        self._dragged = False
        self._fitted = False
        self.legend = MapLegend(palette, self.words, self)
        self.legend.move(10, 10)
        self.legend.layer_toggled.connect(self._on_legend_layer_toggled)
        self._legend_chosen = False  # the operator opened or closed the legend: leave it so
        self.legend.toggle.clicked.connect(self._on_legend_toggle_clicked)
        self.shapes = ShapeLayer(palette)
        self.work = MapWork(self)
        self.toolbar = self.work.toolbar
        self.sketch = self.work.sketch

    def _on_legend_toggle_clicked(self) -> None:
        self._legend_chosen = True

    def _on_legend_layer_toggled(self, change: tuple[MapLayer, bool]) -> None:
        self.set_layer_visible(*change)

    # -- what to show -------------------------------------------------------------------------------

    def set_atlas(self, atlas: Atlas) -> None:
        """The city's base layers, drawn in the atlas's datum; the view fits the city."""
        self._base = BaseLayer(atlas, self.palette_)
        self.datum = atlas.datum
        self._fit_city()

    def _fit_city(self) -> None:
        assert self._base is not None
        west, south, east, north = self._base.extent
        self._set_view(fit(west, south, east, north, max(1, self.width()), max(1, self.height())))
        # Until the operator moves the map, a new window size fits the city again (the first layout
        # sizes the dock after the atlas is set).
        self._fitted = True

    def set_basemap(self, basemap: BasemapInfo | None) -> None:
        """A raster basemap's zoom range (its tiles come through `show_tiles`), or None for none."""
        self._basemap = basemap
        self._tiles.clear()
        self._asked.clear()
        self._invalidate_base()

    def show_tiles(self, tiles: Mapping[TileKey, QImage | None]) -> None:
        """Tiles read for `tiles_wanted`; None for a tile the file lacks (it is not asked for again)."""
        for key, image in tiles.items():
            if image is not None and not image.isNull():
                self._tiles[key] = image
                self._tiles.move_to_end(key)
        while len(self._tiles) > MAX_TILES:
            self._tiles.popitem(last=False)
        self._invalidate_base()

    def show_incidents(self, marks: IncidentMarks) -> None:
        """Every case to draw (positions WGS-84, as the feed reports them)."""
        self.incidents = marks
        self._incident_xy = self._project(marks.lon, marks.lat)
        self.update()  # the heat follows on its own once-a-second beat

    def show_units(self, marks: UnitMarks) -> None:
        self.units = marks
        self._unit_xy = self._project(marks.lon, marks.lat)
        if set(marks.kinds) - set(self._kinds):
            self._kinds = tuple(sorted(set(self._kinds) | set(marks.kinds)))
            self._sheet = build_sheet(self.palette_, self.words, self._kinds)
        self.update()

    def show_cameras(self, marks: CameraMarks) -> None:
        self.cameras = marks
        self._camera_xy = self._project(marks.lon, marks.lat)
        self._invalidate_base()

    def show_grid_load(self, open_cases: Mapping[str, int]) -> None:
        """Open cases per grid cell code; the cells are shaded by it."""
        if dict(open_cases) != self._grid_load:
            self._grid_load = dict(open_cases)
            self._invalidate_base()

    def show_warning_areas(self, areas: tuple[WarningArea, ...]) -> None:
        """CAP warnings in force with their areas (WGS-84); drawn under the marks in level colours."""
        if areas != self.shapes.areas:
            self.shapes.set_areas(areas, self._project)
            self.update()

    def show_route(self, route: RouteLine | None, *, bring_into_view: bool = True) -> None:
        """The road route of the unit being sent (None: none); brought into view unless it is in it."""
        self.shapes.set_route(route, self._project)
        extent = self.shapes.route_extent()
        if extent is not None and bring_into_view:
            self.work.bring_into_view(*extent)
        self.update()

    def fit_city(self) -> None:
        map_input.fit_city(self)

    def set_text_px(self, px: int) -> None:
        """The size of the map's words (district names, the scale, warnings, routes): a desk's 13 px, or a
        wall's size for the room, where the units' ages are left out."""
        self.text_px = max(8, int(px))
        self._invalidate_base()

    def set_layer_visible(self, layer: MapLayer, visible: bool) -> None:
        if (layer in self.visible) == visible:
            return
        box = self.legend.boxes[layer]
        if box.isChecked() != visible:
            box.setChecked(visible)  # its signal comes back here and finds nothing to do
            return
        if visible:
            self.visible.add(layer)
        else:
            self.visible.discard(layer)
        self._invalidate_base()

    def highlight_case(self, case_id: str | None, *, centre: bool = False) -> None:
        """Ring the case open on the desk; `centre` brings it to the middle of the map."""
        self._highlight = case_id
        if centre and case_id is not None and case_id in self.incidents.ids:
            i = self.incidents.ids.index(case_id)
            self.centre_on(float(self.incidents.lon[i]), float(self.incidents.lat[i]), wgs84=True)
        self.update()

    def centre_on(self, lon: float, lat: float, zoom: float | None = None, *, wgs84: bool = False) -> None:
        if wgs84 and self.datum is Datum.GCJ02:
            glon, glat = wgs84_to_gcj02_arrays(np.array([lon]), np.array([lat]))
            lon, lat = float(glon[0]), float(glat[0])
        view = self._view
        self._set_view(View(lon, lat, view.zoom if zoom is None else zoom, view.width, view.height))

    def set_view(self, view: View) -> None:
        self._set_view(view.resized(max(1, self.width()), max(1, self.height())))

    @property
    def view(self) -> View:
        return self._view

    @property
    def highlighted(self) -> str | None:
        """The case ringed on the map (the one open on the desk)."""
        return self._highlight

    def tick(self, now: float) -> None:
        """The clock moved (FrameClock tick): ages, pulses and fades follow it, and a settled gesture
        gets its base drawn afresh."""
        self._now = now
        if self.isVisible() and (advance_heat(self) or frame_due(self, now)):
            self.update()

    # -- hit-testing --------------------------------------------------------------------------------

    def mark_at(self, x: float, y: float) -> tuple[str, str] | None:
        """("case", id) or ("camera", id) of the mark drawn under a screen point, incidents first; a
        cluster answers ("cluster", "") as it stands for several cases."""
        return mark_at(self, x, y)

    # -- painting -----------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        self.painted_at = (self._now, pulse_step(self._now, self.policy))
        painter = QPainter(self)
        if self._base is None:
            painter.fillRect(self.rect(), self.palette_.color("map_bg"))
        else:
            paint_still(self, painter)
        self.shapes.paint_areas(painter, self._view)
        if self.shapes.route is not None:
            label = self.work.route_label(self.shapes.route)
            self.shapes.paint_route(painter, self._view, label, self.text_px)
        if MapLayer.UNITS in self.visible and len(self.units):
            ux, uy = self._screen(self._unit_xy)
            paint_units(painter, self, ux, uy, unit_phases(self._now, self.units.fix_at, self.policy))
        if MapLayer.INCIDENTS in self.visible and len(self.incidents):
            paint_incidents(painter, self, *self._incident_screen_with_phase())
        pointer = (
            None if self._pointer is None else self._view.to_lonlat(self._pointer.x(), self._pointer.y())
        )
        self.shapes.paint_area_labels(painter, self._view, self.text_px)
        paint_sketch(painter, self._view, self.sketch, pointer, self.palette_, self.words)
        paint_overlay(painter, self, self._pointer)
        painter.end()

    def _gesturing(self) -> bool:
        return self._press is not None or time.monotonic() - self._gesture_at < self.gesture_settle_s

    def gesture(self, view: View) -> None:
        """Show `view` as part of an operator's gesture (drag, wheel, keys): frames stay quick by moving
        the last base until the gesture settles."""
        self._gesture_at = time.monotonic()
        self._set_view(view)

    # -- geometry -----------------------------------------------------------------------------------

    def _project(self, lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
        """Feed positions (WGS-84) into world pixels at zoom 0 in the map's datum."""
        if self.datum is Datum.GCJ02 and len(lon):
            lon, lat = wgs84_to_gcj02_arrays(lon, lat)
        return project(lon, lat, 0)

    def _screen(self, world: tuple[Floats, Floats]) -> tuple[Floats, Floats]:
        scale = 2.0**self._view.zoom
        ox, oy = self._view.origin()
        return world[0] * scale - ox, world[1] * scale - oy

    def _incident_screen(self) -> tuple[Floats, Floats, np.ndarray]:
        sx, sy, phases = self._incident_screen_with_phase()
        return sx, sy, phases != Phase.GONE

    def _incident_screen_with_phase(self) -> tuple[Floats, Floats, np.ndarray]:
        sx, sy = self._screen(self._incident_xy)
        marks = self.incidents
        phases = incident_phases(self._now, marks.opened_at, marks.closed_at, marks.seen_at, self.policy)
        return sx, sy, phases

    def _clustering(self) -> bool:
        return self._view.zoom < CLUSTER_BELOW_ZOOM

    def clusters(self) -> Clusters:
        """The clusters drawn now (for the overlay and tests)."""
        sx, sy, shown = self._incident_screen()
        return cluster(sx[shown], sy[shown], CLUSTER_CELL_PX)

    def _set_view(self, view: View) -> None:
        self._fitted = False
        if view == self._view:
            return
        self._view = view
        self.view_changed.emit(view)
        self.update()

    def _invalidate_base(self) -> None:
        self._base_image = None
        self._still = None
        self._draft = None
        self.update()

    def _ask_for_tiles(self) -> None:
        if self._basemap is not None and MapLayer.BASEMAP in self.visible:
            missing = missing_tiles(self._view, self._basemap, self._tiles, self._asked)
            if missing:
                self._asked.update(missing)
                self.tiles_wanted.emit(missing)

    # -- input --------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        # The legend is a panel of switches: a map that takes no pointer (the wall's) has no use for it,
        # and its small print would be unreadable across a room.
        working = not self.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.legend.setVisible(working)
        self.toolbar.setVisible(working)
        self._place_toolbar()
        super().showEvent(event)

    def _place_toolbar(self) -> None:
        # Top right, clear of the north arrow (which sits in the corner).
        self.toolbar.move(max(0, self.width() - self.toolbar.width() - 56), 10)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if not self._legend_chosen:
            # In a dock beside the queue the open legend would cover half the map: only its button shows.
            self.legend.toggle.setChecked(event.size().height() >= LEGEND_OPEN_FROM_HEIGHT)
        self._view = self._view.resized(event.size().width(), event.size().height())
        self._place_toolbar()
        if self._fitted and self._base is not None:
            self._fit_city()
        self._invalidate_base()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        map_input.wheel(self, event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        map_input.press(self, event)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        map_input.move(self, event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        map_input.release(self, event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        map_input.double_click(self, event)

    def leaveEvent(self, event: object) -> None:
        self._pointer = None
        self.update()

    def event(self, event: QEvent) -> bool:
        if map_input.is_shortcut_override(event):
            assert isinstance(event, QKeyEvent)
            if map_input.takes_shortcut(self, event):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not map_input.key_press(self, event):
            super().keyPressEvent(event)

    def _hover(self, event: QMouseEvent) -> None:
        at = event.position()
        text = hover_text(self, at.x(), at.y())
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
