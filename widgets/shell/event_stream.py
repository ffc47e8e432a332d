"""The live event stream panel: a table over EventTableModel with severity and status chips."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispatch.feed.values import StoredEvent
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.shell.event_model import ROW_TOKENS, Chip, EventColumn, EventTableModel, RowLook

_CHIP_PAD_X = 8
_CHIP_GAP = 6
_CHIP_MARGIN_Y = 6
# Matches the item padding and bottom border of `QTableView::item` in dark.qss.
_CELL_PAD = 8
_RULE = 1
_TEXT_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_REPEATING = frozenset(
    {EventColumn.TIME, EventColumn.SEVERITY, EventColumn.SOURCE, EventColumn.CATEGORY, EventColumn.TAGS}
)
# Least recently used cells beyond this are dropped: a few MiB, and the current second's times stay in.
_CELL_CACHE_LIMIT = 256


class ChipDelegate(QStyledItemDelegate):
    """Paints event cells by hand, in theme colours: text, or chips (EventRole.CHIPS) as rounded pills.

    Going through the style-sheet style cost most of the GUI thread at a few thousand events a second;
    this draws the same thing the `QTableView::item` rule of dark.qss describes (padding, bottom rule,
    selection), straight from the model's formatted rows. Cells of the columns with few distinct values
    (time, level, source, category, status) are drawn once into a pixmap and copied after that.
    """

    def __init__(self, palette: Palette, model: EventTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._colors = {token: palette.color(token) for token in palette.tokens}
        self._tints = {highlight: palette.color(token) for highlight, token in ROW_TOKENS.items()}
        # The style's own margin around item text, which it adds inside the stylesheet's padding.
        style = parent.style() if parent is not None else QApplication.style()
        self._inset = _CELL_PAD + style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, parent) + 1
        self._font = QFont()
        self._struck = QFont()
        self._bold = QFont()
        self._bold_metrics = QFontMetrics(self._bold)
        self._metrics = QFontMetrics(self._font)
        self._cells: OrderedDict[tuple[object, ...], QPixmap] = OrderedDict()

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if option.font != self._font:
            self._use_font(option.font)
        look = self._model.look_at(index.row())
        column = index.column()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if column not in _REPEATING:
            self._draw(painter, rect, look, column, selected)
            return
        ratio = painter.device().devicePixelRatioF()
        palette = option.palette
        key = (
            column,
            look.cells[column],
            look.highlight,
            look.muted,
            selected,
            rect.size(),
            ratio,
            palette.cacheKey(),
        )
        cell = self._cells.get(key)
        if cell is not None:
            self._cells.move_to_end(key)
        else:
            if len(self._cells) >= _CELL_CACHE_LIMIT:
                self._cells.popitem(last=False)
            # What the view shows behind an untinted cell, so the copy is the same as drawing in place.
            backdrop = palette.color(QPalette.ColorRole.Base)
            cell = self._cells[key] = self._render(rect.size(), ratio, backdrop, look, column, selected)
        painter.drawPixmap(rect.topLeft(), cell)

    def _use_font(self, font: QFont) -> None:
        self._font = QFont(font)
        self._metrics = QFontMetrics(font)
        self._struck = QFont(font)
        self._struck.setStrikeOut(True)
        self._bold = QFont(font)
        self._bold.setBold(True)
        self._bold_metrics = QFontMetrics(self._bold)
        self._cells.clear()

    def _render(
        self, size: QSize, ratio: float, backdrop: QColor, look: RowLook, column: int, selected: bool
    ) -> QPixmap:
        cell = QPixmap(size * ratio)
        cell.setDevicePixelRatio(ratio)
        cell.fill(backdrop)
        painter = QPainter(cell)
        self._draw(painter, QRect(QPoint(0, 0), size), look, column, selected)
        painter.end()
        return cell

    def _draw(self, painter: QPainter, rect: QRect, look: RowLook, column: int, selected: bool) -> None:
        colors = self._colors
        if selected:
            painter.fillRect(rect, colors["selection"])
        elif look.highlight in self._tints:
            painter.fillRect(rect, self._tints[look.highlight])
        painter.fillRect(rect.left(), rect.bottom() + 1 - _RULE, rect.width(), _RULE, colors["border"])
        chips = look.chips(column)
        if chips is not None:
            if chips:
                self._draw_chips(painter, rect, chips)
            return
        text = look.cells[column]
        if not text:
            return
        painter.setFont(self._struck if look.muted and column == EventColumn.TITLE else self._font)
        painter.setPen(colors["fg_muted"] if look.muted and not selected else colors["fg"])
        box = rect.adjusted(self._inset, 0, -self._inset, -_RULE)
        shown = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(box, _TEXT_FLAGS, shown)

    def _draw_chips(self, painter: QPainter, rect: QRect, chips: Sequence[Chip]) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._bold)
        x = float(rect.left() + _CHIP_GAP)
        height = float(rect.height() - 2 * _CHIP_MARGIN_Y)
        top = float(rect.top() + _CHIP_MARGIN_Y)
        for text, fill, ink in chips:
            width = float(self._bold_metrics.horizontalAdvance(text) + 2 * _CHIP_PAD_X)
            pill = QRectF(x, top, width, height)
            if pill.right() > rect.right():
                break
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._colors[fill])
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(self._colors[ink])
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
        self.table.setItemDelegate(ChipDelegate(palette, self.model, self.table))
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
