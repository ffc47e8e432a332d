"""What a video tile draws over the picture: the name bar (rendered once per change), messages, captions."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter

from video.health import Health
from widgets.common.palette import Palette

HEALTH_TOKENS = {
    Health.CONNECTING: "idle",
    Health.LIVE: "ok",
    Health.STALE: "warn",
    Health.BEHIND: "warn",
    Health.RECONNECTING: "warn",
    Health.OFFLINE: "bad",
}


@dataclass(frozen=True, slots=True)
class TileFonts:
    """Fonts sized to the tile, so a 4-tile and a 36-tile wall both read from across the room."""

    text: QFont
    big: QFont
    metrics: QFontMetrics
    big_metrics: QFontMetrics
    bar: int

    @classmethod
    def for_height(cls, base: QFont, height: int) -> TileFonts:
        px = int(max(12, min(30, height * 0.075)))
        text = QFont(base)
        text.setPixelSize(px)
        text.setBold(True)
        big = QFont(text)
        big.setPixelSize(int(px * 1.35))
        return cls(text, big, QFontMetrics(text), QFontMetrics(big), int(px * 1.7))


@dataclass(frozen=True, slots=True)
class BarContent:
    """Everything the name bar shows; the bar image is rendered again only when this changes."""

    width: int
    ratio: float
    name: str
    clock: str
    health: Health
    badge: str
    alarm: bool


def render_bar(content: BarContent, fonts: TileFonts, palette: Palette) -> QImage:
    """The translucent name bar: health dot, name (elided), a badge (HD) and the frame's clock.

    Drawn into an image once per change (the clock changes once a second), so painting a frame only
    blends this image instead of laying out text 25 times a second per tile.
    """
    bar, ratio = fonts.bar, content.ratio
    image = QImage(
        round(content.width * ratio), round(bar * ratio), QImage.Format.Format_ARGB32_Premultiplied
    )
    image.setDevicePixelRatio(ratio)
    image.fill(palette.color("video_alarm_bar" if content.alarm else "video_overlay"))
    painter = QPainter(image)
    pad, dot = bar // 4, bar // 2
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(HEALTH_TOKENS[content.health]))
    painter.drawEllipse(QRectF(pad, (bar - dot) / 2, dot, dot))
    painter.setFont(fonts.text)
    right = content.width - pad
    for text, token in ((content.clock, "fg"), (content.badge, "accent")):
        if not text:
            continue
        width = fonts.metrics.horizontalAdvance(text)
        painter.setPen(palette.color(token))
        painter.drawText(QRect(right - width, 0, width, bar), Qt.AlignmentFlag.AlignVCenter, text)
        right -= width + pad
    left = pad * 2 + dot
    room = max(0, right - left)
    painter.setPen(palette.color("fg"))
    name = fonts.metrics.elidedText(content.name, Qt.TextElideMode.ElideRight, room)
    painter.drawText(QRect(left, 0, room, bar), Qt.AlignmentFlag.AlignVCenter, name)
    painter.end()
    return image


def draw_message(
    painter: QPainter, rect: QRect, fonts: TileFonts, palette: Palette, headline: str, detail: str, token: str
) -> None:
    """A boxed message in the middle of the tile: a big headline in the state's colour, a detail below."""
    big, small = fonts.big_metrics, fonts.metrics
    wanted = max(big.horizontalAdvance(headline), small.horizontalAdvance(detail)) + fonts.bar
    box = QRect(
        0, 0, min(rect.width() - 8, wanted), big.height() + (small.height() if detail else 0) + fonts.bar // 2
    )
    box.moveCenter(rect.center())
    painter.fillRect(box, palette.color("video_overlay"))
    top = box.top() + fonts.bar // 4
    painter.setFont(fonts.big)
    painter.setPen(palette.color(token))
    line = QRect(box.left(), top, box.width(), big.height())
    painter.drawText(
        line,
        Qt.AlignmentFlag.AlignCenter,
        big.elidedText(headline, Qt.TextElideMode.ElideRight, box.width() - 8),
    )
    if detail:
        painter.setFont(fonts.text)
        painter.setPen(palette.color("fg"))
        line = QRect(box.left(), top + big.height(), box.width(), small.height())
        painter.drawText(
            line,
            Qt.AlignmentFlag.AlignCenter,
            small.elidedText(detail, Qt.TextElideMode.ElideRight, box.width() - 8),
        )


def draw_caption(
    painter: QPainter, rect: QRect, fonts: TileFonts, palette: Palette, text: str, token: str
) -> None:
    """A translucent band along the bottom edge (distance to an incident, a paused tour)."""
    bar = fonts.bar
    band = QRect(0, rect.height() - bar, rect.width(), bar)
    painter.fillRect(band, palette.color("video_overlay"))
    painter.setFont(fonts.text)
    painter.setPen(palette.color(token))
    text = fonts.metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - bar // 2)
    painter.drawText(band.adjusted(bar // 4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)
