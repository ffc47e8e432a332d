"""Incident linkage pop-up over the wall: the cameras that can see a place, on their main streams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from widgets.palette import Palette
from widgets.style import set_style_property
from widgets.video_tile import VideoTile
from widgets.video_words import VideoWords

MAX_CAMERAS = 4


@dataclass(frozen=True, slots=True)
class PopupCamera:
    """One camera in the pop-up, with what to say about it (distance and direction, or why it is shown)."""

    camera_id: str
    name: str
    caption: str


class LinkagePopup(QFrame):
    """Up to four tiles in a 2×2 grid under a title; tiles carry negative indexes (-1…-4) so a drag from
    here onto the wall drops a camera and never swaps."""

    closed = Signal(object)
    """The officer closed the pop-up (carries None)."""

    def __init__(self, palette: Palette, words: VideoWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoPopup")
        self.title = QLabel(self)
        self.title.setObjectName("videoPopupTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
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
        self._area = QWidget(self)
        self._area.setObjectName("videoPopupArea")
        self._area.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
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
        self.hide()

    @property
    def shown(self) -> list[VideoTile]:
        """The tiles in use, in the order given to `show_cameras`."""
        return self.tiles[: self._shown]

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
        self.empty.setText(empty_text)
        self.empty.setVisible(self._shown == 0)
        self.show()
        self.raise_()
        self._place_tiles()

    def dismiss(self) -> None:
        """Hide and say so; the app releases the pop-up's streams."""
        if self.isVisible():
            self.hide()
            self.closed.emit(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_tiles()

    def _place_tiles(self) -> None:
        area = self._area.rect()
        self.empty.setGeometry(area)
        count = self._shown
        if count == 0:
            return
        columns = 1 if count == 1 else 2
        rows = (count + columns - 1) // columns
        gap = 6
        width = (area.width() - gap * (columns - 1)) // columns
        height = (area.height() - gap * (rows - 1)) // rows
        for i, tile in enumerate(self.shown):
            row, column = divmod(i, columns)
            tile.setGeometry(QRect(column * (width + gap), row * (height + gap), width, height))
            tile.show()
