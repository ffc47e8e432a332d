"""Incident linkage pop-up over the wall: the cameras that can see a place, on their main streams."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from widgets.common.palette import Palette
from widgets.common.style import set_style_property
from widgets.videowall.tile import VideoTile
from widgets.videowall.words import VideoWords

MAX_CAMERAS = 4
PICTURE_ASPECT = 16 / 9
GAP = 6


@dataclass(frozen=True, slots=True)
class PopupCamera:
    """One camera in the pop-up, with what to say about it (distance and direction, or why it is shown)."""

    camera_id: str
    name: str
    caption: str


class LinkagePopup(QFrame):
    """Up to four tiles in a 2×2 grid under a title; tiles carry negative indexes (-1…-4) so a drag from
    here onto the wall drops a camera and never swaps. A double-click maximises a tile over the whole
    wall, as on the grid; another (or Esc) brings the four back."""

    closed = Signal(object)
    """The officer closed the pop-up (carries None)."""
    maximised_changed = Signal(object)
    """A pop-up tile was maximised (carries its position 0…3) or the four restored (carries None)."""
    cameras_changed = Signal(int)
    """The pop-up now shows this many cameras (0: only a message; the wall makes it a slim bar)."""
    snapshot_requested = Signal(object)
    """Save the pictures of the cameras shown, as the case's evidence (carries None)."""

    def __init__(self, palette: Palette, words: VideoWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoPopup")
        self.title = QLabel(self)
        self.title.setObjectName("videoPopupTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.snapshot_button = QPushButton(self.tr("Snapshot to the case (S)"), self)
        self.snapshot_button.setObjectName("videoPopupSnapshot")
        self.snapshot_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.snapshot_button.clicked.connect(lambda: self.snapshot_requested.emit(None))
        self.close_button = QPushButton(self.tr("Close (Esc)"), self)
        self.close_button.setObjectName("videoPopupClose")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.dismiss)
        self.empty = QLabel(self)
        self.empty.setObjectName("videoPopupEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.tiles = [VideoTile(-1 - i, palette, words, self) for i in range(MAX_CAMERAS)]
        for tile in self.tiles:
            tile.setAcceptDrops(False)
            tile.activated.connect(self._on_tile_activated)
        self._area = QWidget(self)
        self._area.setObjectName("videoPopupArea")
        self._area.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.snapshot_button)
        head.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self._area, 1)
        self.empty.setParent(self._area)
        for tile in self.tiles:
            tile.setParent(self._area)
        self._shown = 0
        self.maximised: int | None = None
        self.hide()

    @property
    def shown(self) -> list[VideoTile]:
        """The tiles in use, in the order given to `show_cameras`."""
        return self.tiles[: self._shown]

    @property
    def open(self) -> bool:
        """Shown, or would be if the wall were on screen (a hidden wall keeps its pop-up for later)."""
        return not self.isHidden()

    def visible_tiles(self) -> list[VideoTile]:
        """The tiles on screen: the maximised one alone, else every tile in use."""
        if self.maximised is not None:
            return [self.tiles[self.maximised]]
        return self.shown

    def show_cameras(
        self, title: str, cameras: Sequence[PopupCamera], *, severe: bool, empty_text: str = ""
    ) -> None:
        """Show (or replace) the pop-up; `empty_text` says why there is nothing when `cameras` is empty."""
        self.title.setText(title)
        set_style_property(self, "severe", "true" if severe else "false")
        set_style_property(self.title, "severe", "true" if severe else "false")
        self._shown = min(len(cameras), MAX_CAMERAS)
        for tile, camera in zip(self.tiles, cameras, strict=False):
            tile.show_camera(camera.camera_id, camera.name, camera.caption)
            tile.set_alarm(severe)
        for tile in self.tiles[self._shown :]:
            tile.show_camera(None)
            tile.set_alarm(False)
            tile.hide()
        # No camera, nothing to take: the action goes rather than sitting there greyed.
        self.snapshot_button.setVisible(self._shown > 0)
        self.empty.setText(empty_text)
        self.empty.setVisible(self._shown == 0)
        self.show()
        self.raise_()
        self.restore()
        self._place_tiles()
        self.cameras_changed.emit(self._shown)

    def message_height(self) -> int:
        """The height that shows the title bar and a two-line message, for a pop-up without cameras."""
        return self.title.sizeHint().height() + 2 * self.empty.fontMetrics().lineSpacing() + 48

    def maximise(self, position: int) -> None:
        if self.maximised == position or not 0 <= position < self._shown:
            return
        self.maximised = position
        self._place_tiles()
        self.maximised_changed.emit(position)

    def restore(self) -> None:
        if self.maximised is None:
            return
        self.maximised = None
        self._place_tiles()
        self.maximised_changed.emit(None)

    def dismiss(self) -> None:
        """Hide and say so; the app releases the pop-up's streams."""
        if self.open:
            self.restore()
            self.hide()
            self.closed.emit(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_tiles()

    def _on_tile_activated(self, index: int) -> None:
        if self.maximised is None:
            self.maximise(-1 - index)
        else:
            self.restore()

    def _place_tiles(self) -> None:
        area = self._area.rect()
        self.empty.setGeometry(area)
        visible = self.visible_tiles()
        for tile in self.shown:
            if tile not in visible:
                tile.hide()
        count = len(visible)
        if count == 0:
            return
        columns = best_columns(count, area.width(), area.height())
        rows = -(-count // columns)
        width = (area.width() - GAP * (columns - 1)) // columns
        height = (area.height() - GAP * (rows - 1)) // rows
        for i, tile in enumerate(visible):
            row, column = divmod(i, columns)
            tile.setGeometry(QRect(column * (width + GAP), row * (height + GAP), width, height))
            tile.show()


def best_columns(count: int, width: int, height: int) -> int:
    """How many columns lay `count` pictures out in width×height with tiles closest to 16:9 (two
    cameras in a wide pop-up go one above the other rather than as two tall strips)."""

    def misfit(columns: int) -> float:
        rows = -(-count // columns)
        tile_w = max(1, width - GAP * (columns - 1)) / columns
        tile_h = max(1, height - GAP * (rows - 1)) / rows
        return abs(math.log(tile_w / tile_h / PICTURE_ASPECT))

    return min(range(1, count + 1), key=misfit)
