"""The map's live layers read from the store: units where they last reported, warnings in force."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, QTimer

from app.shell.gui_call import GuiCall
from app.situation.search import Wgs84
from dispatch.atlas import Atlas
from dispatch.casework.records.unit_positions import UnitFix, latest_positions, positions_mark
from dispatch.casework.records.warning_areas import WarningArea, warning_areas, warnings_mark
from dispatch.service import ClosedLoop, LoopContext
from widgets.situation.map_marks import UnitMarks, UnitStatus
from widgets.situation.map_shapes import WarningArea as AreaShape
from widgets.situation.map_view import SituationMap

log = logging.getLogger(__name__)

READ_EVERY_MS = 1000  # AVL fixes come every 5–10 s per unit; a second is as live as the map needs
STATUS = {
    "available": UnitStatus.AVAILABLE,
    "en_route": UnitStatus.EN_ROUTE,
    "on_scene": UnitStatus.ON_SCENE,
    "off_duty": UnitStatus.OFF_DUTY,
}


@dataclass(frozen=True, slots=True)
class LiveRead:
    """What moved since the last read: None for a layer whose mark did not move."""

    marks: tuple[int, int]
    fixes: tuple[UnitFix, ...] | None
    warnings: tuple[WarningArea, ...] | None


def read_live(known: tuple[int, int], exercise: bool, ctx: LoopContext) -> LiveRead:
    """Cheap marks first; the rows only of a layer whose mark moved (or whose warnings may have ended)."""
    conn = ctx.desk.conn
    marks = (positions_mark(conn), warnings_mark(conn))
    fixes = latest_positions(conn) if marks[0] != known[0] else None
    # Warnings also end by the clock, not only by new rows: read them every time (a few rows).
    warnings = warning_areas(conn, ctx.clock.now(), exercise=exercise)
    return LiveRead(marks, fixes, warnings)


class LiveLayers(QObject):
    """Reads the store's unit positions and warnings once a second while the map is shown, and hands the
    map what changed. Units are drawn with their kind and name from the atlas."""

    def __init__(
        self, view: SituationMap, loop: ClosedLoop, atlas: Atlas, wgs84: Wgs84, *, exercise: bool = False
    ) -> None:
        super().__init__(view)
        self.view, self.loop, self.wgs84, self.exercise = view, loop, wgs84, exercise
        self.gui = GuiCall(self)
        self._units = {u.id: u for u in atlas.units}
        self._marks = (-1, -1)
        self._reading = False
        self._stopped = False
        self._areas: tuple[WarningArea, ...] = ()
        self.fixes: tuple[UnitFix, ...] = ()
        self.timer = QTimer(self)
        self.timer.setInterval(READ_EVERY_MS)
        self.timer.timeout.connect(self.read)

    def start(self) -> None:
        self.timer.start()
        self.read()

    def stop(self) -> None:
        self._stopped = True
        self.timer.stop()

    def read(self) -> None:
        # A hidden map skips the work; it reads again the moment it is shown (its next beat).
        if self._stopped or self._reading or not self.view.isVisible():
            return
        self._reading = True
        job = partial(read_live, self._marks, self.exercise)
        self.gui.when_done(self.loop.query(job), self._on_read, self._on_read_failed)

    def unit_places(self) -> tuple[tuple[str, str, float, float], ...]:
        """(id, name, lon, lat) of every unit where it was last seen (or at its base), for the search."""
        seen = {fix.unit_id: (fix.lon, fix.lat) for fix in self.fixes}
        places = []
        for unit in self._units.values():
            where = seen.get(unit.id) or (self.wgs84(unit.base.lon, unit.base.lat) if unit.base else None)
            if where is not None:
                places.append((unit.id, unit.name, *where))
        return tuple(places)

    def _on_read(self, read: LiveRead) -> None:
        self._reading = False
        if self._stopped:
            return
        self._marks = read.marks
        if read.fixes is not None:
            self.fixes = read.fixes
            self.view.show_units(self._unit_marks(read.fixes))
        if read.warnings is not None and read.warnings != self._areas:
            self._areas = read.warnings
            self.view.show_warning_areas(
                tuple(AreaShape(w.event_id, w.title, w.severity, w.rings) for w in read.warnings if w.rings)
            )

    def _on_read_failed(self, error: BaseException) -> None:
        self._reading = False
        log.error("the map could not read unit positions or warnings: %s", error, exc_info=error)

    def _unit_marks(self, fixes: tuple[UnitFix, ...]) -> UnitMarks:
        rows = []
        names = []
        for fix in fixes:
            unit = self._units.get(fix.unit_id)
            kind = unit.kind if unit is not None else "unit"
            status = STATUS.get(fix.status, UnitStatus.OFF_DUTY)
            rows.append((fix.unit_id, fix.lon, fix.lat, fix.heading_deg, kind, status, fix.at))
            names.append(unit.name if unit is not None else fix.unit_id)
        return UnitMarks.of(rows, names)
