"""The wall's video block: a tile per camera with its live picture, its name, and in words when it is down."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from video.frames import Frame
from widgets.common.style import fill, set_style_property

MAX_TILES = 4
# A picture whose camera is down stays, faded, behind the words that say so.
DOWN_OPACITY = 0.3


class WallPicture(QWidget):
    """Paints the newest frame letterboxed, at the top; app/ scales frames to `target_size()` on the
    capture thread, so the GUI thread only wraps the buffer and draws it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallCameraPicture")
        self._pixels: NDArray[np.uint8] | None = None
        self._image: QImage | None = None
        self.shown_seq: int | None = None
        self.down = False
        self.state = QLabel("", self)
        self.state.setObjectName("wallCameraState")
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state.setWordWrap(True)

    def target_size(self) -> QSize:
        """The frame size that paints 1:1, in device pixels."""
        ratio = self.devicePixelRatioF()
        return QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))

    def show_frame(self, frame: Frame) -> bool:
        """Paint `frame` on the next repaint; False when it is already shown."""
        if frame.seq == self.shown_seq and self._image is not None:
            return False
        pixels = frame.image if frame.image.flags.c_contiguous else np.ascontiguousarray(frame.image)
        height, width = int(pixels.shape[0]), int(pixels.shape[1])
        # The QImage reads the array's memory (BGRA is Format_RGB32 on little-endian machines): keep both.
        self._pixels = pixels
        self._image = QImage(pixels.data, width, height, int(pixels.strides[0]), QImage.Format.Format_RGB32)
        self._image.setDevicePixelRatio(self.devicePixelRatioF())
        self.shown_seq = frame.seq
        self.update()
        return True

    def clear(self) -> None:
        self._pixels = self._image = self.shown_seq = None
        self.update()

    @property
    def has_picture(self) -> bool:
        return self._image is not None

    def paintEvent(self, event: QPaintEvent) -> None:
        image = self._image
        if image is None:
            return
        painter = QPainter(self)
        ratio = image.devicePixelRatio()
        width, height = image.width() / ratio, image.height() / ratio
        scale = min(self.width() / width, self.height() / height)
        width, height = width * scale, height * scale
        if self.down:
            painter.setOpacity(DOWN_OPACITY)
        # At the top: the name across the tile's bottom then covers the letterbox band before the picture.
        target = QRectF((self.width() - width) / 2, 0, width, height)
        painter.drawImage(target, image)
        painter.end()


class WallCameraTile(QFrame):
    """One camera: its picture filling the tile, its name across the bottom in letters the room can read
    (over the picture: at room sizes a name takes two or three lines, and a band below would eat the
    picture), and what is wrong in words in the middle."""

    def __init__(self, camera_id: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallCameraTile")
        self.camera_id = camera_id
        self.picture = WallPicture(self)
        # How the room tells cameras apart: a long name breaks onto a second line, never ends in "…".
        self.name = QLabel(name, self)
        self.name.setObjectName("wallCameraName")
        self.name.setWordWrap(True)
        self.name.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.show_waiting()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        width, height = self.width(), self.height()
        self.picture.setGeometry(0, 0, width, height)
        name_height = min(height, self.name.heightForWidth(width)) if self.name.isVisibleTo(self) else 0
        self.name.setGeometry(0, height - name_height, width, name_height)
        self.name.raise_()
        self.picture.state.setGeometry(0, 0, width, height - name_height)

    def set_camera(self, camera_id: str, name: str) -> None:
        """Another camera in this tile (the takeover's): its picture comes when app/ has one."""
        if camera_id != self.camera_id:
            self.camera_id = camera_id
            self.name.setText(name)
            self._place()
            self.picture.clear()
            self.show_waiting()

    def show_frame(self, frame: Frame) -> bool:
        return self.picture.show_frame(frame)

    def show_live(self) -> None:
        """Frames flow: the picture alone, no words over it."""
        self._say("", "live")

    def show_waiting(self) -> None:
        """Not connected yet (or no stream asked for): said in words, no picture yet."""
        self._say(self.tr("Connecting"), "waiting")

    def show_unknown(self) -> None:
        """The pages name a camera the camera list does not have: no stream to ask for."""
        self._say(self.tr("Not in the camera list"), "down")

    def show_no_signal(self, minutes: int) -> None:
        """The stream is down and has been for `minutes`: the last picture fades behind the words."""
        self._say(fill(self.tr("No signal · %1 min"), minutes), "down")

    @property
    def state_text(self) -> str:
        return self.picture.state.text()

    def _say(self, text: str, state: str) -> None:
        label = self.picture.state
        if label.text() != text:
            label.setText(text)
        label.setVisible(bool(text))
        down = state == "down"
        if self.picture.down != down:
            self.picture.down = down
            self.picture.update()
        set_style_property(self, "signal", state)


class WallVideoBlock(QWidget):
    """Up to four cameras in a square-ish grid; pictures and states come from app/."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallVideoBlock")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self.tiles: dict[str, WallCameraTile] = {}
        self.placeholder = QLabel(self.tr("No cameras"), self)
        self.placeholder.setObjectName("wallPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid.addWidget(self.placeholder, 0, 0)

    def show_cameras(self, cameras: Sequence[tuple[str, str]]) -> None:
        """(camera id, name) of the cameras to show, in order; called once when the wall is built."""
        shown = list(cameras)[:MAX_TILES]
        columns = max(1, math.ceil(math.sqrt(len(shown))))
        for n, (camera_id, name) in enumerate(shown):
            tile = WallCameraTile(camera_id, name, self)
            self.tiles[camera_id] = tile
            self._grid.addWidget(tile, n // columns, n % columns)
        self.placeholder.setVisible(not shown)
