"""The live event stream panel: a table over EventTableModel with severity and status chips."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetrics, QPainter, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispatch.model import StoredEvent
from widgets.event_model import Chip, EventColumn, EventRole, EventTableModel
from widgets.palette import Palette
from widgets.vocabulary import Vocabulary

_CHIP_PAD_X = 8
_CHIP_GAP = 6
_CHIP_MARGIN_Y = 6
# Matches the item padding in dark.qss.
_CELL_PAD = 8


class ChipDelegate(QStyledItemDelegate):
    """Paints the cell's chips (EventRole.CHIPS) as rounded pills in theme colours."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        # The stylesheet's ::item rule makes the style ignore BackgroundRole: the row tint is ours to paint.
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(background, QBrush):
            painter.fillRect(option.rect, background)
        chips: Sequence[Chip] | None = index.data(EventRole.CHIPS)
        if not chips:
            super().paint(painter, option, index)
            return
        base = QStyleOptionViewItem(option)
        self.initStyleOption(base, index)
        base.text = ""
        widget = base.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, base, painter, widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = base.font
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        rect = base.rect
        x = float(rect.left() + _CHIP_GAP)
        height = float(rect.height() - 2 * _CHIP_MARGIN_Y)
        top = float(rect.top() + _CHIP_MARGIN_Y)
        for text, fill, ink in chips:
            width = float(metrics.horizontalAdvance(text) + 2 * _CHIP_PAD_X)
            pill = QRectF(x, top, width, height)
            if pill.right() > rect.right():
                break
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._palette.color(fill))
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(self._palette.color(ink))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            x += width + _CHIP_GAP
        painter.restore()


class EventStreamPanel(QWidget):
    """Shows event revisions as they arrive; while hidden it only remembers the newest ones."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        palette: Palette,
        capacity: int = 2000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("eventStreamPanel")
        self.model = EventTableModel(vocabulary, palette, capacity, self)
        self._pending: deque[StoredEvent] = deque(maxlen=capacity)
        self.table = QTableView(self)
        self.table.setObjectName("eventTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ChipDelegate(palette, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() * 2 + 4)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        self._fit_columns(vocabulary)
        header.setSectionResizeMode(EventColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def _fit_columns(self, vocabulary: Vocabulary) -> None:
        # Widths from the words that can appear: measuring 2,000 rows on every batch would cost frames.
        self.table.ensurePolished()
        text = self.table.fontMetrics()
        chip_font = self.table.font()
        chip_font.setBold(True)
        chip = QFontMetrics(chip_font)
        cell = 2 * _CELL_PAD + text.horizontalAdvance("M")

        def widest(metrics: QFontMetrics, words: Iterable[str]) -> int:
            return max(metrics.horizontalAdvance(word) for word in words)

        em = text.horizontalAdvance("M")
        tags = (vocabulary.revision(9), vocabulary.exercise, vocabulary.cancelled)
        widths = {
            EventColumn.TIME: widest(text, ["00:00:00"]) + cell + em,
            EventColumn.SEVERITY: widest(chip, vocabulary.severity_words()) + 2 * (_CHIP_PAD_X + _CHIP_GAP),
            EventColumn.SOURCE: widest(text, vocabulary.source_words()) + cell,
            EventColumn.CATEGORY: min(widest(text, vocabulary.category_words()) + cell, 12 * em),
            EventColumn.TAGS: widest(chip, tags[:2]) * 2 + 2 * _CHIP_PAD_X * 2 + 3 * _CHIP_GAP,
        }
        header = self.table.horizontalHeader()
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSectionResizeMode(EventColumn.PLACE, QHeaderView.ResizeMode.Interactive)
        self._fixed_width = sum(widths.values())
        self._em = em

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Title and place share what the fixed columns leave; the title, which says what happened, gets more.
        spare = self.table.viewport().width() - self._fixed_width
        place = max(8 * self._em, min(22 * self._em, spare * 2 // 5))
        self.table.horizontalHeader().resizeSection(EventColumn.PLACE, place)

    def apply(self, events: Sequence[StoredEvent]) -> None:
        """A live batch in arrival order."""
        if not events:
            return
        if not self.isVisible():
            self._pending.extend(events)
            return
        self.model.prepend(events)

    def prefill(self, events: Iterable[StoredEvent]) -> None:
        """Stored history, older than anything live."""
        self.model.extend_older(events)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending:
            batch = list(self._pending)
            self._pending.clear()
            self.model.prepend(batch)

    def _on_model_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        # Someone reading further down keeps their place; at the top, new rows simply appear.
        bar = self.table.verticalScrollBar()
        if first == 0 and bar.value() > 0:
            self.table.updateGeometries()
            bar.setValue(bar.value() + (last - first + 1) * self.table.verticalHeader().defaultSectionSize())
