"""Wall-readable evaluation tiles (caption, big number, the counts behind it) and a grid that reflows them."""

from __future__ import annotations

import enum

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from widgets.common.palette import Palette

NO_VALUE = "—"
CAPTION_PX = 15
VALUE_PX = 40
DETAIL_PX = 14
# Lines are this many times their font's pixel size: CJK fonts' own line spacing wastes a tile's height.
LINE = 1.35
VALUE_LINE = 1.15
PAD_X, PAD_Y = 12, 6
ACCENT_PX = 3
RADIUS = 6.0
MIN_WIDTH = 120
SPACING = 8
# Below this share of its size a headline number stops reading as one; it is clipped instead.
MIN_SCALE = 0.5


class Tone(enum.StrEnum):
    """How loudly the number speaks: as it is, needs a look (amber), needs action (red)."""

    NORMAL = "normal"
    WARN = "warn"
    BAD = "bad"


_TONE_TOKENS = {Tone.NORMAL: "fg", Tone.WARN: "warn", Tone.BAD: "bad"}
_BAR_TOKENS = {Tone.NORMAL: "accent_strong", Tone.WARN: "warn", Tone.BAD: "bad"}


class MetricTile(QWidget):
    """Paints itself from the theme's palette, so a number can take a state colour without per-widget
    style sheets; `value_text` and `detail_text` say what it shows (tests and screen readers read them)."""

    def __init__(self, caption: str, palette: Palette, *, detail: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("metricTile")
        self.caption = caption
        self.value_text = NO_VALUE
        self.detail_text = ""
        self.tone = Tone.NORMAL
        self._palette = palette
        self._has_detail = detail
        self.setAccessibleName(caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_figure(self, value: str, detail: str = "", tone: Tone = Tone.NORMAL) -> None:
        """The number as text ("87%", "12", "—") and the counts behind it ("52 / 60")."""
        if (value, detail, tone) == (self.value_text, self.detail_text, self.tone):
            return
        self.value_text, self.detail_text, self.tone = value, detail, tone
        self.setAccessibleDescription(f"{value} {detail}".strip())
        self.update()

    def _font(self, pixels: int, weight: QFont.Weight) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(pixels)
        font.setWeight(weight)
        return font

    def _heights(self) -> tuple[int, int, int]:
        detail = round(DETAIL_PX * LINE) if self._has_detail else 0
        return round(CAPTION_PX * LINE), round(VALUE_PX * VALUE_LINE), detail

    def sizeHint(self) -> QSize:
        return QSize(MIN_WIDTH + 30, ACCENT_PX + 2 * PAD_Y + sum(self._heights()))

    def minimumSizeHint(self) -> QSize:
        return QSize(PAD_X * 2 + VALUE_PX, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        colours = self._palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        outline = QPainterPath()
        outline.addRoundedRect(frame, RADIUS, RADIUS)
        painter.fillPath(outline, colours.color("surface_alt"))
        # The accent bar across the top, as on the vital-sign tiles; a state colour when the number has one.
        painter.save()
        painter.setClipPath(outline)
        painter.fillRect(
            QRectF(frame.left(), frame.top(), frame.width(), ACCENT_PX), colours.color(_BAR_TOKENS[self.tone])
        )
        painter.restore()
        painter.strokePath(outline, QPen(colours.color("border"), 1.0))

        caption_h, value_h, detail_h = self._heights()
        width = self.width() - 2 * PAD_X
        top = ACCENT_PX + PAD_Y
        caption_font = self._font(CAPTION_PX, QFont.Weight.DemiBold)
        self._text(painter, caption_font, colours.color("fg_muted"), (top, caption_h, width), self.caption)
        value_font = self._font(VALUE_PX, QFont.Weight.Bold)
        natural = QFontMetrics(value_font).horizontalAdvance(self.value_text)
        if natural > width > 0:
            value_font.setPixelSize(max(1, round(VALUE_PX * max(MIN_SCALE, width / natural))))
        colour = colours.color("fg_faint" if self.value_text == NO_VALUE else _TONE_TOKENS[self.tone])
        value_box = (top + caption_h, value_h, width)
        self._text(painter, value_font, colour, value_box, self.value_text, elide=False)
        if detail_h:
            detail_font = self._font(DETAIL_PX, QFont.Weight.Normal)
            detail_box = (top + caption_h + value_h, detail_h, width)
            self._text(painter, detail_font, colours.color("fg_muted"), detail_box, self.detail_text)

    @staticmethod
    def _text(
        painter: QPainter, font: QFont, colour: QColor, box: tuple[int, int, int], text: str,
        *, elide: bool = True,
    ) -> None:  # fmt: skip
        """One line of text in the band `box` = (top, height, width), left-aligned at the padding."""
        top, height, width = box
        painter.setFont(font)
        painter.setPen(colour)
        if elide:
            text = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
        painter.drawText(
            QRectF(PAD_X, top, width, height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            text,
        )


class TileGrid(QWidget):
    """Tiles in as many columns as fit, from a few chosen counts (5 tiles read as 5, 3 + 2 or 2 + 2 + 1),
    each at least `min_width` wide; as tall as its rows."""

    def __init__(
        self, tiles: list[MetricTile], columns: tuple[int, ...], *, min_width: int = MIN_WIDTH,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.tiles = tiles
        self._choices = tuple(sorted(columns, reverse=True))
        self._min_width = min_width
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(SPACING)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.columns = 0
        self._arrange(self._choices[-1])

    def columns_for(self, width: int) -> int:
        """The most columns whose tiles are still at least `min_width` wide."""
        fits = (n for n in self._choices if n * self._min_width + (n - 1) * SPACING <= width)
        return next(fits, self._choices[-1])

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles:
            self._grid.removeWidget(tile)
        for n, tile in enumerate(self.tiles):
            self._grid.addWidget(tile, n // columns, n % columns)
        for column in range(max(self._choices)):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)
        rows = -(-len(self.tiles) // columns)
        self.setFixedHeight(rows * self.tiles[0].sizeHint().height() + (rows - 1) * SPACING)

    def minimumSizeHint(self) -> QSize:
        fewest = self._choices[-1]
        return QSize(fewest * self._min_width + (fewest - 1) * SPACING, self.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(self.columns_for(event.size().width()))
