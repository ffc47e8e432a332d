"""The wall's controller: reads the store once a beat, feeds every window's panels, rotates the pages."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import MappingProxyType
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.shell.theme import load_palette
from app.situation.vital_state import VitalStates
from app.wall.build import WallParts
from app.wall.burn_in import burn_in_offset
from app.wall.carousel import Carousel
from app.wall.pages import WallPages
from app.wall.readings import ReadingBook
from app.wall.sign_in import ANONYMOUS_WALL
from app.wall.source import WallReading
from app.wall.takeovers import takeovers_of
from app.wall.window import WallWindow
from core.clock import Clock
from dispatch.casework.model import Actor
from dispatch.vitals.rules import AlertRule
from video.registry import CameraRegistry
from widgets.common.style import fill, set_style_property
from widgets.common.vocabulary import Vocabulary
from widgets.drill.watermark import DrillWatermark
from widgets.situation.map_marks import IncidentMarks
from widgets.situation.vital_signs import trend_of
from widgets.wall.takeover import Takeover

log = logging.getLogger(__name__)
BEAT_MS = 1000
# No new reading for this long: the feed counts as lost and the wall says how old its values are.
STALE_AFTER_S = 120.0
# Close enough to see the streets around a takeover's place.
TAKEOVER_ZOOM = 15.0
# The next page's cameras are opened this long before it shows (a stream takes a second or two to open).
PREROLL_S = 5.0


class WallSource(Protocol):
    """Where the wall's readings come from (app.wall.source.StoreReader); used on one thread only."""

    def read(self, now: float) -> WallReading: ...

    def close(self) -> None: ...


class WallController(QObject):
    """Everything time-driven runs in `beat()` on the injected clock, so tests drive it by hand."""

    reading_arrived = Signal(object)
    """A store read finished on the store thread (carries a WallReading); delivered on the GUI thread."""
    takeover_shown = Signal(object)
    """What each window shows on top (carries {screen name: case code or None})."""

    def __init__(
        self,
        pages: WallPages,
        windows: Sequence[tuple[WallWindow, WallParts]],
        clock: Clock,
        vocabulary: Vocabulary,
        rules: Sequence[AlertRule] = (),
        source: WallSource | None = None,
        history_s: float = 3600.0,
        district_names: Mapping[str, str] = MappingProxyType({}),
        cameras: CameraRegistry | None = None,
        actor: Actor = ANONYMOUS_WALL,
    ) -> None:
        """`district_names`: district code → name, so boards and takeovers say 江汉区, not 339901;
        `cameras`: the registry a takeover names the nearest camera from; `actor`: who the wall is signed
        in as (always the wall role: it holds no service to act through, and the store refuses it)."""
        super().__init__()
        self.actor = actor
        self._districts = district_names
        self._cameras = cameras
        self.pages = pages
        self.windows = tuple(windows)
        self._clock = clock
        self._words = vocabulary
        self._source = source
        self.book = ReadingBook(history_s)
        self.vitals = VitalStates(rules, clock)
        self.carousel = Carousel([page.dwell_s for page in pages.pages], clock.now())
        self.newest_reading_at: float | None = None
        self._marks_shown: object = None
        self.alarm_up = False
        self.shown_takeovers: dict[str, str | None] = {w.screen_name: None for w, _ in self.windows}
        self._store_io: ThreadPoolExecutor | None = None
        self._pending: Future[WallReading] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(BEAT_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.reading_arrived.connect(self._on_self_reading_arrived)
        self.beat()

    def start(self) -> None:
        """Beat once a second and read the store on a thread of its own (never on the GUI thread)."""
        self._store_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-wall-read")
        self._timer.start()

    def stop(self) -> None:
        """Stop beating; the source is closed on the thread that used it."""
        self._timer.stop()
        if self._store_io is not None:
            if self._source is not None:
                self._store_io.submit(self._source.close)
            self._store_io.shutdown(wait=True)
            self._store_io = None

    def upcoming(self) -> int | None:
        """The page the carousel shows next, once that is at most PREROLL_S away; None while an alarm
        holds the page, or with a single page."""
        if self.carousel.held or len(self.pages.pages) < 2:
            return None
        if self.carousel.remaining(self._clock.now()) > PREROLL_S:
            return None
        return (self.carousel.index + 1) % len(self.pages.pages)

    def beat(self) -> None:
        """Clock, carousel, burn-in shift, rule states, staleness: what changes with time alone."""
        now = self._clock.now()
        alarms = self.vitals.evaluate()
        self.alarm_up = bool(alarms.firing) or any(w.takeover.shown is not None for w, _ in self.windows)
        self.carousel.hold(self.alarm_up, now)
        index = self.carousel.tick(now)
        offset = burn_in_offset(now, self.pages.burn_in_s, self.pages.burn_in_px)
        stale = self.newest_reading_at is not None and now - self.newest_reading_at > STALE_AFTER_S
        for window, parts in self.windows:
            window.show_page(index)
            window.shift(*offset)
            for roster in parts.rosters:
                roster.show_time(now)
            for widget in parts.maps:
                # Marks age on the clock (new ones pulse, silent ones grey); hidden pages skip the work.
                if widget.isVisible():
                    widget.tick(now)  # type: ignore[attr-defined]
            if stale and self.newest_reading_at is not None:
                window.banner.show_stale(self.newest_reading_at, now)
            else:
                window.banner.clear()
            for panel in parts.vitals:
                for name, tile in panel.tiles.items():
                    set_style_property(tile.value, "stale", "true" if stale else "false")
                    panel.show_alert(name, alarms.of(name), now)
            for trends in parts.trends:
                for name in trends.names:
                    trends.show_lines(name, alarms.lines(name))

    def apply(self, reading: WallReading) -> None:
        """One store read: readings into tiles, charts and the rules; cases, warnings, crew, takeovers."""
        changed = self.book.add(reading.metrics)
        self.vitals.record(reading.metrics)
        if reading.newest_reading_at is not None:
            self.newest_reading_at = reading.newest_reading_at
        places = {case_id: (lon, lat) for case_id, lon, lat in reading.places}
        takeovers = takeovers_of(
            reading.severe,
            self._words,
            self._districts,
            places,
            self._cameras,
            now=self._clock.now(),
            expires_s=self.pages.takeover_expires_s,
            exercise=reading.exercise,
        )
        if reading.exercise:
            self._mark_drill()
        named = tuple((self._districts.get(code, code), count) for code, count in reading.cases.by_district)
        figures = dataclasses.replace(reading.cases, by_district=named)
        on_duty = tuple((self.tr("On duty"), name) for name in reading.on_duty)
        columns = None
        if reading.marks is not self._marks_shown:
            # Once for every map of every screen (the reader usually made them on its thread already).
            columns = reading.mark_columns or IncidentMarks.of(reading.marks)
        for window, parts in self.windows:
            for name in changed:
                self._show_metric(name, parts)
            for board in parts.boards:
                board.show_figures(figures)
            if columns is not None:
                for widget in parts.maps:
                    _show_marks(widget, columns)
            for warnings in parts.warnings:
                warnings.show_warnings(reading.warnings)
            for roster in parts.rosters:
                roster.show_roster(on_duty)
            shown = window.takeover.shown
            window.takeover.show_takeovers(takeovers)
            first = takeovers[0] if takeovers else None
            if first is not None and first != shown:
                _show_place(window.takeover.map, first, self._clock.now())
            key = takeovers[0].key if takeovers else None
            if key != self.shown_takeovers.get(window.screen_name):
                # Each screen says what covers it, for whoever reads the log after a night on the wall.
                log.info("wall screen %s: takeover %s", window.screen_name, key or "ended")
            self.shown_takeovers[window.screen_name] = key
        # An unchanged store hands back the same marks: the maps keep what they have.
        self._marks_shown = reading.marks
        self.takeover_shown.emit(dict(self.shown_takeovers))

    def _mark_drill(self) -> None:
        """A drill's store on the wall: every screen says DRILL / 演练 across it, as a drill's windows do."""
        for window, _ in self.windows:
            if window.findChild(DrillWatermark) is None:
                # The diagonal words alone: the banner line is desk-sized print, unreadable across a room.
                DrillWatermark(load_palette(), window, banner=False)

    def _show_metric(self, name: str, parts: WallParts) -> None:
        history = self.book.history(name)
        if not history:
            return
        city_wide, count = self.book.series_count(name)
        scope = self.tr("city-wide") if city_wide else fill(self.tr("highest of %1"), count)
        for panel in parts.vitals:
            panel.show_reading(name, history[-1][1], self.book.unit(name), trend_of(history), scope)
        for trends in parts.trends:
            if name in trends.names:
                trends.show_series(name, *self.book.arrays(name))

    def _on_timer_timeout(self) -> None:
        self.beat()
        if self._source is None or self._store_io is None or self._pending is not None:
            return
        self._pending = self._store_io.submit(self._source.read, self._clock.now())
        self._pending.add_done_callback(self._on_read_done)

    def _on_read_done(self, future: Future[WallReading]) -> None:
        # On the store thread: hand the result over through a queued signal, touch no widget here.
        try:
            reading = future.result()
        except Exception:
            log.exception("the wall could not read the store")
            reading = None
        self.reading_arrived.emit(reading)

    def _on_self_reading_arrived(self, reading: WallReading | None) -> None:
        self._pending = None
        if reading is None:
            return
        started = time.perf_counter()
        try:
            self.apply(reading)
        except Exception:
            # One bad reading must not stop the wall: it is logged and the next beat goes on.
            log.exception("the wall could not show a reading")
        log.debug("wall applied a reading in %.1f ms", (time.perf_counter() - started) * 1000)


def _show_marks(widget: QWidget, marks: IncidentMarks) -> None:
    """The open cases on a map panel, once per store read that found something new."""
    show_incidents = getattr(widget, "show_incidents", None)
    if show_incidents is not None:
        show_incidents(marks)


def _show_place(widget: QWidget | None, takeover: Takeover, now: float) -> None:
    """The takeover's map on the case, its mark ringed (the situation map's verbs; positions as the feed
    gives them, WGS-84)."""
    if widget is None or takeover.lon is None or takeover.lat is None:
        return
    show_incidents = getattr(widget, "show_incidents", None)
    if show_incidents is not None:
        place = (takeover.key, takeover.lon, takeover.lat, takeover.level, takeover.opened_at, None, now)
        show_incidents(IncidentMarks.of([place], [takeover.what]))
        widget.highlight_case(takeover.key)  # type: ignore[attr-defined]
        widget.tick(now)  # type: ignore[attr-defined]
    centre_on = getattr(widget, "centre_on", None)
    if centre_on is not None:
        centre_on(takeover.lon, takeover.lat, TAKEOVER_ZOOM, wgs84=True)
