"""The wall's video block: a tile per camera with its name; the picture when app/ hands one over."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

MAX_TILES = 4


class _CameraTile(QFrame):
    def __init__(self, name: str, no_picture: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("wallCameraTile")
        self.picture = QLabel(no_picture, self)
        self.picture.setObjectName("wallCameraPicture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # How the room tells cameras apart: a long name breaks onto a second line, never ends in "…".
        self.name = QLabel(name, self)
        self.name.setObjectName("wallCameraName")
        self.name.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.name)


class WallVideoBlock(QWidget):
    """Up to four cameras in a square-ish grid; a tile without a picture says so in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallVideoBlock")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        self.tiles: dict[str, _CameraTile] = {}
        self.placeholder = QLabel(self.tr("No cameras"), self)
        self.placeholder.setObjectName("wallPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid.addWidget(self.placeholder, 0, 0)

    def show_cameras(self, cameras: Sequence[tuple[str, str]]) -> None:
        """(camera id, name) of the cameras to show, in order; called once when the wall is built."""
        shown = list(cameras)[:MAX_TILES]
        columns = max(1, math.ceil(math.sqrt(len(shown))))
        for n, (camera_id, name) in enumerate(shown):
            tile = _CameraTile(name, self.tr("No picture"), self)
            self.tiles[camera_id] = tile
            self._grid.addWidget(tile, n // columns, n % columns)
        self.placeholder.setVisible(not shown)

    def show_frame(self, camera_id: str, image: QImage) -> None:
        tile = self.tiles.get(camera_id)
        if tile is not None:
            tile.picture.setPixmap(QPixmap.fromImage(image))
