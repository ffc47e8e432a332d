"""Paints the incident queue's cells: row tints, level and card chips, tags, the two-line title cell."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from widgets.incident_model import QueueRole
from widgets.palette import Palette

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
            self._paint_two_lines(painter, option, index, subtitle)
            return
        tag = index.data(QueueRole.TAG)
        if tag:
            self._paint_tagged(painter, option, index, tag)
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

    def _paint_tagged(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
        tag: tuple[str, str, str],
    ) -> None:  # fmt: skip
        """The cell's text, then a small pill at its right end: the text gives way (elided), the tag never."""
        text, fill_token, ink_token = tag
        base = self._bare(option, index, painter)
        rect = base.rect.adjusted(CELL_PAD, 0, -CELL_PAD // 2, 0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(base.font)
        if small.pixelSize() > 0:
            small.setPixelSize(max(9, round(small.pixelSize() * 0.85)))
        else:
            small.setPointSizeF(small.pointSizeF() * 0.85)
        small.setBold(True)
        painter.setFont(small)
        metrics = painter.fontMetrics()
        width = min(float(metrics.horizontalAdvance(text) + CHIP_PAD), float(rect.width()))
        height = float(metrics.height() + 2)
        pill = QRectF(rect.right() - width, rect.center().y() - height / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._palette.color(fill_token))
        painter.drawRoundedRect(pill, height / 2, height / 2)
        painter.setPen(self._palette.color(ink_token))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(base.font)
        room = rect.adjusted(0, 0, -int(width) - CHIP_PAD // 2, 0)
        label = painter.fontMetrics().elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight, max(0, room.width())
        )
        painter.setPen(base.palette.color(base.palette.ColorRole.Text))
        painter.drawText(room, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.restore()

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
        subtitle: str,
    ) -> None:  # fmt: skip
        base = self._bare(option, index, painter)
        rect = base.rect.adjusted(CELL_PAD, 2, -CELL_PAD, -2)
        half = rect.height() // 2
        painter.save()
        font = base.font
        painter.setFont(font)
        metrics = painter.fontMetrics()
        title = metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole)), Qt.TextElideMode.ElideRight,
                                   rect.width())  # fmt: skip
        painter.setPen(base.palette.color(base.palette.ColorRole.Text))
        top = rect.adjusted(0, 0, 0, -half)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, title)
        small = QFont(font)
        if font.pixelSize() > 0:
            small.setPixelSize(max(9, round(font.pixelSize() * 0.85)))
        else:
            small.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(small)
        line = painter.fontMetrics().elidedText(subtitle, Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self._muted)
        painter.drawText(
            rect.adjusted(0, half, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, line
        )
        painter.restore()
