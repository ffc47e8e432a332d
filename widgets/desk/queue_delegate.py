"""Paints the incident queue's cells: row tints, level and card chips, tags, the two-line title cell."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from widgets.common.palette import Palette
from widgets.desk.incident_model import QueueRole

CELL_PAD = 8  # matches the item padding in dark.qss
CHIP_PAD = 8
_CHIP_MARGIN_Y = 7


class QueueDelegate(QStyledItemDelegate):
    """Paints the row tint (the stylesheet's ::item rule hides BackgroundRole), level and card chips, and
    the title cell in two lines: what happened, then where and when."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._muted = palette.color("fg_muted")

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(background, QBrush):
            painter.fillRect(option.rect, background)
        subtitle = index.data(QueueRole.SUBTITLE)
        if subtitle is not None:
            self._paint_two_lines(painter, option, index, subtitle, index.data(QueueRole.TAG))
            return
        chip = index.data(QueueRole.CHIP)
        if not chip:
            super().paint(painter, option, index)
            return
        text, fill_token, ink_token = chip
        base = self._bare(option, index, painter)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = base.font
        font.setBold(True)
        painter.setFont(font)
        rect = base.rect
        height = float(rect.height() - 2 * _CHIP_MARGIN_Y)
        width = min(float(painter.fontMetrics().horizontalAdvance(text) + 2 * CHIP_PAD), rect.width() - 8.0)
        pill = QRectF(rect.left() + 6.0, rect.top() + _CHIP_MARGIN_Y, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._palette.color(fill_token))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(self._palette.color(ink_token))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _paint_tag(self, painter: QPainter, line: QRect, font: QFont, tag: tuple[str, str, str]) -> int:
        """A small pill at the right end of `line`, in the theme's colours; the width it took."""
        text, fill_token, ink_token = tag
        small = QFont(font)
        small.setBold(True)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(small)
        metrics = painter.fontMetrics()
        width = min(metrics.horizontalAdvance(text) + CHIP_PAD, line.width())
        height = min(metrics.height() + 2, line.height())
        pill = QRectF(line.right() - width, line.bottom() - height, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._palette.color(fill_token))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(self._palette.color(ink_token))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
        return width + CHIP_PAD // 2

    def _bare(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex, painter: QPainter
    ) -> QStyleOptionViewItem:
        """The cell's own background and selection, without its text."""
        base = QStyleOptionViewItem(option)
        self.initStyleOption(base, index)
        base.text = ""
        widget = base.widget
        if widget is not None:
            widget.style().drawControl(widget.style().ControlElement.CE_ItemViewItem, base, painter, widget)
        return base

    def _paint_two_lines(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
        subtitle: str, tag: tuple[str, str, str] | None = None,
    ) -> None:  # fmt: skip
        """What happened (with its tag at the right, if any: the title gives way, never the tag), then
        where and when."""
        base = self._bare(option, index, painter)
        rect = base.rect.adjusted(CELL_PAD, 2, -CELL_PAD, -2)
        half = rect.height() // 2
        font = base.font
        small = QFont(font)
        if font.pixelSize() > 0:
            small.setPixelSize(max(9, round(font.pixelSize() * 0.85)))
        else:
            small.setPointSizeF(font.pointSizeF() * 0.85)
        top = rect.adjusted(0, 0, 0, -half)
        if tag:
            top.setRight(top.right() - self._paint_tag(painter, top, small, tag))
        painter.save()
        painter.setFont(font)
        metrics = painter.fontMetrics()
        title = metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight,
                                   max(0, top.width()))  # fmt: skip
        painter.setPen(base.palette.color(base.palette.ColorRole.Text))
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, title)
        painter.setFont(small)
        line = painter.fontMetrics().elidedText(subtitle, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self._muted)
        painter.drawText(
            rect.adjusted(0, half, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, line
        )
        painter.restore()
