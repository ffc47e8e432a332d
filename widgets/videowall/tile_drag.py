"""What dragging a video tile carries and what a drop on one means: a camera placed or two tiles swapped."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QMimeData, Qt
from PySide6.QtGui import QImage, QPixmap

CAMERA_MIME = "application/x-tianshu-camera"
TILE_MIME = "application/x-tianshu-tile"


@dataclass(frozen=True, slots=True)
class TileDrop:
    """A camera dropped onto tile `index` (from the camera tree)."""

    index: int
    camera_id: str


@dataclass(frozen=True, slots=True)
class TileSwap:
    """Tile `source` dragged onto tile `target`: their cameras trade places."""

    source: int
    target: int


def drag_mime(index: int, camera_id: str | None) -> QMimeData:
    """What dragging a tile carries: its index, if it is a wall tile (index >= 0), and its camera."""
    data = QMimeData()
    if index >= 0:
        data.setData(TILE_MIME, QByteArray(str(index).encode()))
    data.setData(CAMERA_MIME, QByteArray((camera_id or "").encode()))
    return data


def drag_thumbnail(image: QImage) -> QPixmap:
    """The small picture under the pointer while a tile is dragged."""
    return QPixmap.fromImage(image.scaledToWidth(160, Qt.TransformationMode.FastTransformation))


def drop_of(data: QMimeData, index: int) -> TileDrop | TileSwap | None:
    """What dropping `data` on tile `index` asks for; None for anything it cannot take (itself included)."""
    if data.hasFormat(TILE_MIME):
        text = bytes(data.data(TILE_MIME).data()).decode(errors="replace")
        if not text.isdigit() or int(text) == index:
            return None
        return TileSwap(int(text), index)
    if data.hasFormat(CAMERA_MIME):
        camera = bytes(data.data(CAMERA_MIME).data()).decode(errors="replace")
        return TileDrop(index, camera) if camera else None
    return None
