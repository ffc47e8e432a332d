"""The video wall in the main window: its dock, painting on the FrameClock, decoding only while seen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

from app.shell.frame_clock import FrameClock
from app.videowall.controller import ManagerFactory, WallController
from app.videowall.memory import screen_key
from core.clock import Clock
from video.motion import MotionCallback
from video.registry import CameraRegistry
from video.streams import StreamManager
from widgets.common.palette import Palette
from widgets.videowall.camera_tree import CameraTree
from widgets.videowall.video_wall import VideoWall
from widgets.videowall.words import VideoWords


class _WindowWatch(QObject):
    """A wall nobody can see decodes nothing: not while its tab is behind another (a tabbed dock stays
    "visible" to Qt; only visibilityChanged says its tab went behind), nor while the window is minimised."""

    def __init__(self, window: QMainWindow, dock: QDockWidget, controller: WallController) -> None:
        super().__init__(window)
        self._window, self._dock, self._controller = window, dock, controller
        self._dock_shown = False
        window.installEventFilter(self)
        dock.visibilityChanged.connect(self._on_dock_visibility_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowStateChange:
            self._update()
        return False

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        self._dock_shown = visible
        self._update()

    def _update(self) -> None:
        if self._controller.closed:
            return
        window = self._window
        on_screen = window.isVisible() and not window.isMinimized()
        shown = self._dock_shown and self._dock.isVisible() and on_screen
        self._controller.set_active(shown)


class _ColumnWatch(QObject):
    """The column beside the tiles goes when neither the camera tree nor the list is in it (a bench hides
    the tree to give the tiles the whole window), and comes back with either."""

    def __init__(self, column: QWidget, parts: tuple[QWidget, ...]) -> None:
        super().__init__(column)
        self._column, self._parts = column, parts
        for part in parts:
            part.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self._column.setVisible(any(not part.isHidden() for part in self._parts))
        return False


def install_video_wall(
    window: QMainWindow,
    frame_clock: FrameClock,
    *,
    registry: CameraRegistry,
    role: str,
    settings: QSettings,
    palette: Palette,
    manager_factory: ManagerFactory | None = None,
    on_motion: MotionCallback | None = None,
    clock: Clock | None = None,
    snapshot_dir: Path | None = None,
    warm_s: float | None = None,
    popup_interval_s: float | None = None,
    beside: QDockWidget | None = None,
    area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
) -> WallController:
    """Add the wall as the dock "videoWallDock" (camera tree beside the tiles, the list of severe cases
    without a pop-up under the tree), as a tab of `beside` if given, else in `area`; paint it on the
    FrameClock tick; decode only while it is on screen and `warm_s` seconds after (None: the setting).

    Call before the window restores its saved layout, and `close()` the controller before stopping the
    stream server: it joins the capture threads.
    """
    words = VideoWords(window)
    wall = VideoWall(palette, words)
    tree = CameraTree()
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("videoWallSplitter")
    column = QSplitter(Qt.Orientation.Vertical)
    column.setObjectName("videoWallColumn")
    column.addWidget(tree)
    column.addWidget(wall.waiting)
    column.setStretchFactor(0, 1)
    column.setCollapsible(1, False)
    _ColumnWatch(column, (tree, wall.waiting))
    splitter.addWidget(column)
    splitter.addWidget(wall)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([300, 1600])
    dock = QDockWidget(QCoreApplication.translate("WallDock", "Video wall"), window)
    dock.setObjectName("videoWallDock")
    dock.setWidget(splitter)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    if beside is not None:
        window.tabifyDockWidget(beside, dock)
    else:
        window.addDockWidget(area, dock)
    factory = manager_factory or (lambda motion: StreamManager(registry, on_motion=motion))
    controller = WallController(
        wall,
        tree,
        registry,
        factory,
        role=role,
        settings=settings,
        screen_key=screen_key(window),
        clock=clock,
        on_motion=on_motion,
        snapshot_dir=snapshot_dir,
        warm_s=warm_s,
        popup_interval_s=popup_interval_s,
        parent=window,
    )
    frame_clock.ticked.connect(controller.tick)
    _WindowWatch(window, dock, controller)
    controller.resume_tour()
    return controller
