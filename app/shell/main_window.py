"""The cockpit main window: header, the three dockable panels, the status bar, and layout persistence."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QCursor, QGuiApplication, QScreen, QShowEvent
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.desk.duty_desk import DutyDesk
from widgets.shell.event_stream import EventStreamPanel
from widgets.shell.feed_health import FeedHealthPanel
from widgets.shell.header import CockpitHeader
from widgets.shell.status_bar import CockpitStatusBar
from widgets.situation.trend_chart import TrendChart
from widgets.situation.vital_signs import VitalSignsPanel

# Bump whenever docks are added, removed, renamed or arranged differently by default: an old saved layout
# is then ignored, not misapplied.
LAYOUT_VERSION = 6
# From this height (a 1080p duty console) the right column shows trends, feed health and the supervision
# board one above the other; below it (a 720p laptop) they are tabs of one group.
ROOMY_HEIGHT = 900
# The duty desk's column takes what its queue and case panel can use (DutyDesk.roomy_width), at least
# DESK_SHARE percent of the width; the right column (board chips, F7/F8 buttons, charts) keeps RIGHT_SHARE
# percent, at least RIGHT_LEAST pixels.
DESK_SHARE = 58
RIGHT_LEAST = 440
RIGHT_SHARE = 33
# The demo city's vital signs (sim/vitals.py) in the order a duty officer reads them, and the
# ones worth a trend line; a real feed's other names follow in order of appearance.
METRIC_ORDER = (
    "open_incidents",
    "hotline_calls_per_hour",
    "congestion_index",
    "aqi",
    "water_level_max",
    "power_load",
    "metro_passenger_flow",
)
CHARTED_METRICS = ("congestion_index", "hotline_calls_per_hour", "water_level_max", "aqi")


def layout_keys(screen: QSize) -> tuple[str, str, str]:
    """Where the geometry, the dock state and the desk's split are saved for a screen of this size: a
    laptop and a console screen each keep their own layout."""
    group = f"main_window/{screen.width()}x{screen.height()}"
    return f"{group}/geometry", f"{group}/state", f"{group}/desk_split"


def start_screen() -> QScreen | None:
    """The screen a new window opens on: the one under the pointer, else the primary one."""
    return QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()


class MainWindow(QMainWindow):
    """Owns no data and no timers: the Cockpit feeds its panels."""

    window_closed = Signal(object)
    """The operator closed the window (carries None); the cockpit shuts down in response."""

    def __init__(
        self,
        *,
        palette: Palette,
        settings: QSettings,
        capacity: int = 2000,
        charted_metrics: Sequence[str] = CHARTED_METRICS,
        metric_order: Sequence[str] = METRIC_ORDER,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cockpitMainWindow")
        self.setWindowTitle(self.tr("Tianshu City Operations Cockpit"))
        self._settings = settings
        self.theme_palette = palette
        self.vocabulary = Vocabulary(self)
        self.header = CockpitHeader(self)
        self.setMenuWidget(self.header)
        self.events = EventStreamPanel(self.vocabulary, palette, capacity)
        self.health = FeedHealthPanel(self.vocabulary)
        self.trends = TrendChart(palette)
        self.vitals = VitalSignsPanel(
            self.vocabulary, self.trends, charted=charted_metrics, tile_order=metric_order
        )
        self.status = CockpitStatusBar(self)
        self.setStatusBar(self.status)
        self.event_dock = self._dock("eventStreamDock", self.tr("Live events"), self.events)
        self.vitals_dock = self._dock("vitalSignsDock", self.tr("City vital signs"), self.vitals)
        self.trends_dock = self._dock("vitalTrendsDock", self.tr("Vital sign trends"), self.trends)
        # Scrollable, so a small screen squeezes the health details instead of the live stream.
        health_scroll = QScrollArea()
        health_scroll.setObjectName("feedHealthScroll")
        health_scroll.setWidget(self.health)
        health_scroll.setWidgetResizable(True)
        health_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.health_dock = self._dock("feedHealthDock", self.tr("Feed health"), health_scroll)
        self.setDockNestingEnabled(True)
        self._needs_default_sizes = True
        self.duty_dock: QDockWidget | None = None
        self.map_dock: QDockWidget | None = None
        self._default_layout()

    def _dock(self, name: str, title: str, panel: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(panel)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        return dock

    def _default_layout(self) -> None:
        # Vital signs across the top, read from across the room; the stream on the left, where the eye
        # starts; trends over feed health on the right.
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.vitals_dock)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.event_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.trends_dock)
        self.splitDockWidget(self.trends_dock, self.health_dock, Qt.Orientation.Vertical)

    def add_duty_dock(self, desk: QWidget) -> QDockWidget:
        """The duty desk (queue and case panel) as a dock in front of the live events, which it needs
        more room than; call before restore_layout so a saved layout can place it."""
        dock = self._dock("dutyDock", desk.windowTitle(), desk)
        self.tabifyDockWidget(self.event_dock, dock)
        dock.raise_()
        self.duty_dock = dock
        return dock

    def add_desk_tab(self, dock: QDockWidget) -> None:
        """Another big panel (the video wall) as a tab beside the duty desk, which stays in front: the
        desk's column is the widest. Call before restore_layout."""
        front = self.duty_dock or self.event_dock
        self.tabifyDockWidget(front, dock)
        front.raise_()

    @property
    def layout_settings(self) -> QSettings:
        """The settings this window keeps its layout in (panels keep their own small state beside it)."""
        return self._settings

    def add_map_dock(self, dock: QDockWidget) -> None:
        """The city map at the head of the right column, beside the queue, in front of the trends and
        feed health (a tab away): a duty officer looks from a case to where it is without a click. Call
        before restore_layout."""
        self.map_dock = dock
        self.tabifyDockWidget(self.trends_dock, dock)
        self.tabifyDockWidget(self.trends_dock, self.health_dock)
        dock.raise_()

    def give_keys_to_front(self) -> None:
        """Put the keyboard in the panel in front of the desk column: the queue when the duty desk is.

        After sign-in the form that had the keyboard is hidden; left there, every key would go to it and
        no key of the desk (F1, J/K, Esc, F9) would work until the officer clicked into the window."""
        column = self.duty_dock or self.event_dock
        # Qt keeps a dock whose tab is behind "visible", with nothing of it on screen.
        docks = (column, *self.tabifiedDockWidgets(column))
        front = next((d for d in docks if d.isVisible() and not d.visibleRegion().isEmpty()), None)
        if front is None:
            return
        panel = front.widget()
        if isinstance(panel, DutyDesk):
            panel.queue.focus_table()
        elif panel is not None:
            panel.setFocus(Qt.FocusReason.OtherFocusReason)

    def _side_docks(self) -> list[QDockWidget]:
        """Docks other installers put in the right column (the supervision board and the handover)."""
        own = (self.trends_dock, self.health_dock, self.map_dock)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        return [
            dock
            for dock in self.findChildren(QDockWidget)
            if dock not in own and not dock.isFloating() and self.dockWidgetArea(dock) == right
        ]

    def _apply_default_sizes(self) -> None:
        # Proportions need the real window size, so this waits for the first show.
        width, height = self.width(), self.height()
        down = Qt.Orientation.Vertical
        side = self._side_docks()
        right = self.trends_dock
        if side and height < ROOMY_HEIGHT:
            # A laptop's right column is too short for a stack of panels: one tab group, the board in
            # front; trends and feed health are a key press away and readable when raised.
            right = next((dock for dock in side if not dock.visibleRegion().isEmpty()), side[0])
            for dock in (self.map_dock, self.trends_dock, self.health_dock):
                if dock is not None:
                    self.tabifyDockWidget(side[-1], dock)
            right.raise_()
        elif side:
            self._share_right_column()
        else:
            self.resizeDocks([self.trends_dock, self.health_dock], [height * 2 // 5, height * 3 // 5], down)
        left = self._desk_column_width(width)
        self.resizeDocks([self.event_dock, right], [left, width - left], Qt.Orientation.Horizontal)

    def _share_right_column(self) -> None:
        """Trends, feed health and the panel in front of the side tabs share the right column 26/30/44 of
        its own height (the vital-sign band and the status bar take the rest of the window's)."""
        side = self._side_docks()
        if not side or self.height() < ROOMY_HEIGHT:
            return
        front = next((dock for dock in side if not dock.visibleRegion().isEmpty()), side[0])
        shares: tuple[int, ...]
        if self.map_dock is not None:
            # The map's group (map, trends, feed health) over the board: the map needs the height.
            docks, shares = [self.map_dock, front], (56, 44)
        else:
            docks, shares = [self.trends_dock, self.health_dock, front], (26, 30, 44)
        column = sum(dock.height() for dock in docks) or self.height()
        self.resizeDocks(docks, [column * s // 100 for s in shares], Qt.Orientation.Vertical)

    def _desk_column_width(self, width: int) -> int:
        least = width * DESK_SHARE // 100
        desk = self.duty_dock.widget() if self.duty_dock is not None else None
        if not isinstance(desk, DutyDesk):
            return least
        # The dock's frame and the separator come on top of what the desk itself can use.
        want = (
            desk.roomy_width()
            + 2 * self.style().pixelMetric(self.style().PixelMetric.PM_DockWidgetFrameWidth)
            + 8
        )
        return max(least, min(want, width - max(RIGHT_LEAST, width * RIGHT_SHARE // 100)))

    def restore_layout(self, screen: QScreen | None = None) -> bool:
        """Apply the geometry and dock layout saved for the size of `screen` (default: the one the window
        opens on); a layout saved by another version is ignored. Nothing saved for this size: the window
        fills the screen, maximised, with the default layout."""
        screen = screen or start_screen()
        if screen is None:
            return False
        geometry_key, state_key, split_key = layout_keys(screen.geometry().size())
        geometry = self._settings.value(geometry_key)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.setGeometry(screen.availableGeometry())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        state = self._settings.value(state_key)
        restored = isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)
        if restored:
            self._needs_default_sizes = False
            split = self._settings.value(split_key)
            desk = self.duty_dock.widget() if self.duty_dock is not None else None
            if isinstance(split, QByteArray) and isinstance(desk, DutyDesk):
                desk.restore_split(split)
        return restored

    def save_layout(self) -> None:
        """Save the layout under the size of the screen the window is on."""
        geometry_key, state_key, split_key = layout_keys(self.screen().geometry().size())
        self._settings.setValue(geometry_key, self.saveGeometry())
        self._settings.setValue(state_key, self.saveState(LAYOUT_VERSION))
        desk = self.duty_dock.widget() if self.duty_dock is not None else None
        if isinstance(desk, DutyDesk):
            self._settings.setValue(split_key, desk.split_state())
        self._settings.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._needs_default_sizes:
            self._needs_default_sizes = False
            self._apply_default_sizes()
            # The right column's shares only take once the layout has placed its docks (resizeDocks is
            # silently ignored before): set them again on the next turn of the event loop.
            QTimer.singleShot(0, self, self._share_right_column)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
        self.window_closed.emit(None)
