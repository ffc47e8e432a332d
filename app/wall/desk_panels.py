"""The wall's panels at a duty desk: vital signs with their rules' states, the case board and the CAP
warnings in force, as docks beside the queue, read from the store the desk works on."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType

from PySide6.QtCore import QCoreApplication, QObject, Signal, SignalInstance
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QVBoxLayout, QWidget

from app.shell.cockpit import Cockpit
from app.shell.main_window import MainWindow
from app.situation.vital_state import VitalStates
from app.wall.pages import Viewing
from app.wall.readings import ReadingBook
from app.wall.source import StoreReader, WallReading
from app.wall.theme import wall_stylesheet, wall_type
from core.clock import Clock
from dispatch.atlas import Atlas
from dispatch.vitals.rules import AlertRule
from widgets.common.palette import Palette
from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary
from widgets.situation.vital_signs import trend_of
from widgets.wall.case_board import WallCaseBoard
from widgets.wall.vitals_panel import WallVitals
from widgets.wall.warnings_panel import WallWarnings

log = logging.getLogger(__name__)
# A desk is read from arm's length on a 24-inch monitor: the wall's type scale for that seat.
DESK_VIEWING = Viewing(distance_m=0.7, panel_diagonal_in=24.0, panel_px=(1920, 1080), arc_minutes=20.0)
HISTORY_S = 3600.0
VITAL_METRICS = ("water_level_max", "congestion_index", "aqi", "power_load")


class WallDeskPanels(QObject):
    """Three docks holding the wall's own panels. They are read when something changed (the change bus:
    cases; the frame clock's summary: readings), one read at a time on a thread of their own, through
    the wall's read-only store reader; a change during a read asks for one more read after it."""

    reading_arrived = Signal(object)
    """A store read finished (carries a WallReading, or None if it failed); delivered on the GUI thread."""

    def __init__(
        self,
        db_path: Path,
        clock: Clock,
        words: Vocabulary,
        rules: Sequence[AlertRule] = (),
        district_names: Mapping[str, str] = MappingProxyType({}),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._districts = district_names
        self.vitals = WallVitals(words, VITAL_METRICS, 2)
        self.board = WallCaseBoard(words)
        self.warnings = WallWarnings()
        self.book = ReadingBook(HISTORY_S)
        self.states = VitalStates(rules, clock)
        self._reader = StoreReader(db_path, HISTORY_S)
        self._io: ThreadPoolExecutor | None = ThreadPoolExecutor(1, thread_name_prefix="tianshu-desk-wall")
        self._pending = False
        self._again = False
        self.reading_arrived.connect(self._on_self_reading_arrived)

    def follow(self, *signals: SignalInstance) -> None:
        """Read again whenever one of `signals` fires (each carries one value, ignored)."""
        for signal in signals:
            signal.connect(self.refresh)

    def refresh(self, _: object = None) -> None:
        if self._io is None:
            return
        if self._pending:
            self._again = True
            return
        self._pending = True
        self._io.submit(self._reader.read, self._clock.now()).add_done_callback(self._on_read_done)

    def close(self) -> None:
        """Stop reading; the reader is closed on the thread that used it."""
        if self._io is not None:
            io, self._io = self._io, None
            io.submit(self._reader.close)
            io.shutdown(wait=True)

    def apply(self, reading: WallReading) -> None:
        now = self._clock.now()
        changed = self.book.add(reading.metrics)
        self.states.record(reading.metrics)
        for name in changed:
            history = self.book.history(name)
            city_wide, count = self.book.series_count(name)
            scope = self.tr("city-wide") if city_wide else fill(self.tr("highest of %1"), count)
            self.vitals.show_reading(name, history[-1][1], self.book.unit(name), trend_of(history), scope)
        alarms = self.states.evaluate()
        for name in self.vitals.tiles:
            self.vitals.show_alert(name, alarms.of(name), now)
        named = tuple((self._districts.get(code, code), n) for code, n in reading.cases.by_district)
        self.board.show_figures(dataclasses.replace(reading.cases, by_district=named))
        self.warnings.show_warnings(reading.warnings)

    def _on_read_done(self, future: Future[WallReading]) -> None:
        # On the reading thread: hand over through a queued signal, touch no widget here.
        try:
            reading: WallReading | None = future.result()
        except Exception:
            log.exception("the desk's wall panels could not read the store")
            reading = None
        self.reading_arrived.emit(reading)

    def _on_self_reading_arrived(self, reading: WallReading | None) -> None:
        self._pending = False
        if reading is not None:
            try:
                self.apply(reading)
            except Exception:
                log.exception("the desk's wall panels could not show a reading")
        if self._again:
            self._again = False
            self.refresh()


def install_wall_panels(
    window: QMainWindow,
    beside: QDockWidget,
    palette: Palette,
    panels: WallDeskPanels,
) -> list[QDockWidget]:
    """The three panels as docks tabbed with `beside` (the map at the head of the queue's neighbour
    column), which stays in front; styled by the wall's theme at a desk's type sizes. Call before the
    layout is restored, so a desk that moved them finds them where it left them."""
    family = QApplication.font().family()
    sheet = wall_stylesheet(palette, wall_type(DESK_VIEWING, family))
    docks = []
    for name, title, panel in (
        ("wallVitalsDock", QCoreApplication.translate("WallDeskPanels", "Vital signs (wall)"), panels.vitals),
        ("wallCasesDock", QCoreApplication.translate("WallDeskPanels", "Case board (wall)"), panels.board),
        (
            "wallWarningsDock",
            QCoreApplication.translate("WallDeskPanels", "Warnings in force"),
            panels.warnings,
        ),
    ):
        # The wall's stylesheet names its window: the panel's holder takes that name at the desk.
        holder = QWidget()
        holder.setObjectName("wallWindow")
        holder.setStyleSheet(sheet)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(panel)
        dock = QDockWidget(title, window)
        dock.setObjectName(name)
        dock.setWidget(holder)
        window.tabifyDockWidget(beside, dock)
        docks.append(dock)
    beside.raise_()
    return docks


def install_desk_wall(window: MainWindow, cockpit: Cockpit, atlas: Atlas) -> WallDeskPanels | None:
    """The wall's panels beside the duty console's map (None without a map or a loop): read again when
    the loop changes cases and when the frame clock's summary brings readings."""
    if window.map_dock is None or cockpit.bus is None:
        return None
    from app.wall.launch import wall_rules

    names = {d.code: d.name for d in atlas.districts}
    # Owned by the window: it lives as long as the docks it feeds.
    panels = WallDeskPanels(cockpit.db_path, cockpit.clock, window.vocabulary, wall_rules(), names, window)
    panels.follow(cockpit.bus.changed, cockpit.frame_clock.summary_flushed)
    install_wall_panels(window, window.map_dock, window.theme_palette, panels)
    return panels
