"""The DRILL / 演练 watermark: large diagonal words over a whole window that clicks pass through."""

from __future__ import annotations

import math

from PySide6.QtCore import QChildEvent, QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from widgets.common.palette import Palette

# Faint enough to read the queue through, strong enough to be seen across the room.
WORD_ALPHA = 0.16
BANNER_ALPHA = 0.85
ANGLE_DEG = -24.0


class DrillWatermark(QWidget):
    """Covers its parent (kept on top and its size followed); paints the drill word in a diagonal grid
    and a banner line along the top edge. Owns no data: `show_words` sets what it says."""

    def __init__(self, palette: Palette, parent: QWidget, *, banner: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("drillWatermark")
        # Clicks, keys and the wheel go to the cockpit underneath: the watermark only marks.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._colour = palette.color("exercise")
        self._banner_text_colour = palette.color("exercise_text")
        self.word = self.tr("DRILL")
        self.banner = self.tr("nothing on this screen is real")
        self._host = parent
        # A dialog's own top line (its heading, a field) stays readable: the words alone mark it.
        self._with_banner = banner
        parent.installEventFilter(self)
        for sibling in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if sibling is not self:
                sibling.installEventFilter(self)
        self.setGeometry(parent.rect())
        self.raise_()
        # A child added to a window already on screen stays hidden until shown.
        self.show()

    def show_words(self, word: str, banner: str) -> None:
        self.word, self.banner = word, banner
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._host and kind in (QEvent.Type.Resize, QEvent.Type.ChildAdded):
            self.setGeometry(self._host.rect())
            # New docks and dialogs are children too: stay above them.
            self.raise_()
            child = event.child() if isinstance(event, QChildEvent) else None
            if isinstance(child, QWidget) and child is not self:
                child.installEventFilter(self)
        elif (
            watched is not self._host
            and kind in (QEvent.Type.ZOrderChange, QEvent.Type.Show)
            and self._host.children()[-1] is not self
        ):
            # A panel raised over the window later (the seat's lock screen) is marked too.
            self.raise_()
        return super().eventFilter(watched, event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._paint_words(painter)
        if self._with_banner:
            self._paint_banner(painter)
        painter.end()

    def _paint_words(self, painter: QPainter) -> None:
        width, height = self.width(), self.height()
        font = QFont(self.font())
        font.setPixelSize(max(48, min(width, height) // 6))
        font.setBold(True)
        painter.setFont(font)
        colour = QColor(self._colour)
        colour.setAlphaF(WORD_ALPHA)
        painter.setPen(colour)
        metrics = painter.fontMetrics()
        step_x = metrics.horizontalAdvance(self.word) + font.pixelSize() * 2
        step_y = font.pixelSize() * 3
        painter.save()
        painter.translate(width / 2, height / 2)
        painter.rotate(ANGLE_DEG)
        # Enough rows and columns to fill the rotated rectangle's corners.
        reach = math.hypot(width, height) / 2
        rows = int(reach // step_y) + 1
        columns = int(reach // step_x) + 1
        for row in range(-rows, rows + 1):
            shift = step_x / 2 if row % 2 else 0.0
            for column in range(-columns, columns + 1):
                painter.drawText(QPointF(column * step_x + shift - step_x / 2, row * step_y), self.word)
        painter.restore()

    def _paint_banner(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(14, self.height() // 60))
        font.setBold(True)
        painter.setFont(font)
        text = f"{self.word} · {self.banner}"
        metrics = painter.fontMetrics()
        pad = font.pixelSize() // 2
        box = QRectF(0, 0, metrics.horizontalAdvance(text) + pad * 4, metrics.height() + pad)
        box.moveCenter(QPointF(self.width() / 2, box.height() / 2))
        fill = QColor(self._colour)
        fill.setAlphaF(BANNER_ALPHA)
        painter.fillRect(box, fill)
        painter.setPen(self._banner_text_colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
