"""How a video tile draws its picture (1:1 or fast-scaled, greyed when down), its motion box and border."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from widgets.common.palette import Palette
from widgets.videowall.tile_overlay import TileFonts

# A motion box in normalised frame coordinates: x, y, width, height (0..1).
NormBox = tuple[float, float, float, float]


def wrap_frame(pixels: NDArray[np.uint8]) -> QImage:
    """A QImage over the BGRA buffer, without copying: the caller keeps `pixels` alive as long as the image.

    BGRA bytes are QImage.Format_RGB32 on little-endian machines (every machine Tianshu runs on).
    """
    height, width = int(pixels.shape[0]), int(pixels.shape[1])
    return QImage(pixels.data, width, height, int(pixels.strides[0]), QImage.Format.Format_RGB32)


def draw_picture(painter: QPainter, rect: QRect, image: QImage, background: QColor, down: bool) -> QRectF:
    """Draw `image` centred in `rect` and return where it went; `down` dims it over the background."""
    ratio = image.devicePixelRatio()
    width, height = image.width() / ratio, image.height() / ratio
    scale = min(rect.width() / width, rect.height() / height)
    exact = abs(scale - 1.0) < 0.01
    if not exact:
        # Only while the worker catches up with a new tile size: fast scaling, never smooth.
        width, height = width * scale, height * scale
    target = QRectF(round((rect.width() - width) / 2), round((rect.height() - height) / 2), width, height)
    # Fill only the letterbox bands: the picture covers the rest, and filling it too costs a full pass.
    for band in (
        QRectF(0, 0, rect.width(), target.top()),
        QRectF(0, target.bottom(), rect.width(), rect.height() - target.bottom()),
        QRectF(0, target.top(), target.left(), height),
        QRectF(target.right(), target.top(), rect.width() - target.right(), height),
    ):
        if band.width() > 0 and band.height() > 0:
            painter.fillRect(band, background)
    if down:
        # Greyed and dimmed: from across the room a frozen picture must not pass for a live one.
        painter.fillRect(target, background)
        painter.setOpacity(0.6)
    if exact:
        painter.drawImage(target.topLeft(), image)
    else:
        painter.drawImage(target, image)
    painter.setOpacity(1.0)
    return target


def draw_motion(painter: QPainter, area: QRectF, box: NormBox, fonts: TileFonts, palette: Palette) -> None:
    """Outline where motion was seen, over the picture drawn in `area`."""
    x, y, w, h = box
    pen = QPen(palette.color("video_motion"))
    pen.setWidth(max(2, fonts.bar // 10))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    left, top = area.left() + x * area.width(), area.top() + y * area.height()
    painter.drawRect(QRectF(left, top, w * area.width(), h * area.height()))


def draw_border(
    painter: QPainter,
    rect: QRect,
    fonts: TileFonts,
    palette: Palette,
    *,
    drop_hover: bool,
    alarm: bool,
    current: bool,
) -> None:
    """The tile's border: a drop target, then an alarm, then the keyboard's tile; none otherwise."""
    bar = fonts.bar
    token, width = None, 0
    if drop_hover:
        token, width = "accent", max(3, bar // 6)
    elif alarm:
        token, width = "sev1", max(4, bar // 5)
    elif current:
        token, width = "accent", 2
    if token is None:
        return
    pen = QPen(palette.color(token))
    pen.setWidth(width)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = width / 2
    painter.drawRect(QRectF(rect).adjusted(half, half, -half, -half))
