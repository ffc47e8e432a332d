"""The incident queue: filter bar, search box, a table of one page of cases sorted in SQL, and a pager."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.model import Card, CaseState
from dispatch.casework.readouts import (
    PAGE_SIZE,
    Page,
    PageRequest,
    QueueQuery,
    QueueRow,
    SortKey,
)
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_words import CaseWords
from widgets.desk.incident_model import COLUMN_OF_SORT, SORT_OF_COLUMN, IncidentTableModel, QueueColumn
from widgets.desk.queue_delegate import CELL_PAD, CHIP_PAD, QueueDelegate
from widgets.desk.queue_filters import QueueFilters
from widgets.desk.queue_pager import QueuePager

# Shown on request (right click on the header): the desk is narrower than every column together.
HIDDEN_COLUMNS = (
    QueueColumn.PLACE,
    QueueColumn.SOURCE,
    QueueColumn.DISCOVERED,
    QueueColumn.UNIT,
    QueueColumn.EVENTS,
)
# A 1920×1080 console shows titles this long whole (in ideographs, the widest characters they have).
TITLE_CHARS = 20
# The widest case code a busy city makes: its day and a six-digit number.
WIDEST_CODE = "20261121-000000"


class IncidentQueue(QWidget):
    """Asks for pages (`page_requested`) and shows the ones it gets (`show_page`); never holds more."""

    page_requested = Signal(object)
    """The queue needs a page (carries a PageRequest): filters, text, sort or page changed."""
    case_selected = Signal(object)
    """The highlighted case changed (carries its id, or None when the page is empty)."""
    case_activated = Signal(int)
    """Enter or a double click on a case (carries its id): open it in the case panel."""

    def __init__(
        self, words: CaseWords, vocabulary: Vocabulary, palette: Palette, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("incidentQueue")
        self._words = words
        self._vocabulary = vocabulary
        self.model = IncidentTableModel(words, vocabulary, palette, self)
        self._offset = 0
        self._sort = SortKey.SEVERITY
        self._descending = False
        self._sort_before_text: tuple[SortKey, bool] | None = None
        self._selected: int | None = None
        self._total = 0
        self._exact = True
        # Arriving cases wait behind the "N new cases" bar once a page is on screen (rows never move under
        # the pointer); the officer lets them in with N, a click, or by changing the view.
        self._latest = 0
        self._hold = False
        self._newer = 0
        self.filters = QueueFilters(words, vocabulary, self)
        self.filters.filters_changed.connect(self._on_filters_changed)
        self.filters.search_edited.connect(self._on_filters_search_edited)
        self.filters.search_settled.connect(self._on_filters_changed)
        self.filters.search_submitted.connect(lambda _: self.focus_table())
        self._build_table(palette)
        self._build_pager()
        self._column = layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.pager)
        self._build_actions()

    # -- building ----------------------------------------------------------------------------------

    def _build_table(self, palette: Palette) -> None:
        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(QueueDelegate(palette, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() * 2 + 12)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.sectionClicked.connect(self._on_header_section_clicked)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_menu_requested)
        # Widths from the theme's table font and the longest words a column holds.
        self.table.ensurePolished()
        text = self.table.fontMetrics()
        pad = 2 * CELL_PAD + 6
        words = self._words
        ideograph = text.horizontalAdvance("中")
        chip = pad + 2 * CHIP_PAD
        events_header = str(self.model.headerData(QueueColumn.EVENTS, Qt.Orientation.Horizontal, 0))
        widths = {
            QueueColumn.LEVEL: text.horizontalAdvance(self._vocabulary.severity(3)) + chip,
            QueueColumn.CODE: text.horizontalAdvance(WIDEST_CODE) + pad,
            QueueColumn.STATE: max(text.horizontalAdvance(words.shift.state(s)) for s in CaseState) + pad,
            QueueColumn.CATEGORY: min(
                max(text.horizontalAdvance(w) for w in self._vocabulary.category_words()), 5 * ideograph
            )
            + pad,
            QueueColumn.PLACE: 11 * ideograph + pad,
            QueueColumn.SOURCE: max(text.horizontalAdvance(w) for w in self._vocabulary.source_words()) + pad,
            QueueColumn.DISCOVERED: text.horizontalAdvance("11-21 14:14") + pad,
            QueueColumn.DUE: text.horizontalAdvance(words.countdown(0.0, 3600.0 * 9.9)) + pad + ideograph,
            QueueColumn.CARD: text.horizontalAdvance(words.shift.card(Card.YELLOW_LIGHT)) + chip,
            QueueColumn.UNIT: 9 * ideograph + pad,
            QueueColumn.EVENTS: text.horizontalAdvance(events_header) + pad,
        }  # fmt: skip
        self._widths = widths
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(QueueColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(text.horizontalAdvance("MMM"))
        for column in HIDDEN_COLUMNS:
            self.table.setColumnHidden(column, True)
        # The title cell paints inside CELL_PAD on either side (widgets/desk/queue_delegate.py).
        self._title_roomy = TITLE_CHARS * ideograph + 2 * CELL_PAD + 4
        self._chosen: set[QueueColumn] = set()
        self._show_sort_indicator()
        # Selection, not the current index: on focus, Qt makes the first row current (without selecting it)
        # whenever none is, which must not pick a case for the officer.
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.activated.connect(self._on_table_activated)

    def _build_pager(self) -> None:
        self.pager = QueuePager(self)
        self.pager.previous_page.clicked.connect(self.show_previous_page)
        self.pager.next_page.clicked.connect(self.show_next_page)
        self.pager.newer.clicked.connect(self.show_newer)
        self.previous_page, self.next_page = self.pager.previous_page, self.pager.next_page
        self.position, self.newer, self.hint = self.pager.position, self.pager.newer, self.pager.hint
        self._show_position()

    def _build_actions(self) -> None:
        def action(name: str, text: str, keys: Sequence[str], slot: object) -> QAction:
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.navigation = (
            action("queueDown", self.tr("Next case"), ["J"], lambda: self.move_selection(1)),
            action("queueUp", self.tr("Previous case"), ["K"], lambda: self.move_selection(-1)),
            action("queueNextPage", self.tr("Next page"), ["]"], self.show_next_page),
            action("queuePreviousPage", self.tr("Previous page"), ["["], self.show_previous_page),
            action("queueFind", self.tr("Search"), ["Ctrl+F", "/"], self.focus_search),
            action("queueShowNewer", self.tr("Show the new cases"), ["N"], self.show_newer),
        )

    # -- what the app calls --------------------------------------------------------------------------

    def set_choices(
        self, categories: Sequence[str], districts: Mapping[str, str], sources: Sequence[str]
    ) -> None:
        """The codes the category, district and source filters offer, shown by name."""
        self.filters.set_choices(categories, districts, sources)
        self.model.set_names(districts)

    def set_names(self, names: Mapping[str, str]) -> None:
        self.model.set_names(names)

    def roomy_width(self) -> int:
        """The width at which the columns a case is read by (all shown by default but the card, which
        comes with more room) show whole beside a TITLE_CHARS-character title."""
        columns = sum(
            width
            for column, width in self._widths.items()
            if column not in HIDDEN_COLUMNS and column is not QueueColumn.CARD
        )
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        margins = self._column.contentsMargins()
        return columns + self._title_roomy + frame + margins.left() + margins.right()

    def request(self) -> PageRequest:
        """The page the queue wants now: while a page is on screen, only cases up to its newest one."""
        return PageRequest(self.query(), self._offset, PAGE_SIZE, self._latest if self._hold else None)

    def newer_count(self) -> int:
        """How many matching cases wait behind the "new cases" bar."""
        return self._newer

    def show_newer(self) -> None:
        """Let the cases that arrived since into the list (the selection stays on its case)."""
        self.let_newer_in()
        self._emit()

    def let_newer_in(self) -> None:
        """The next page read lists every case up to now (the app asks for it)."""
        self._hold = False

    def query(self) -> QueueQuery:
        return dataclasses.replace(self.filters.query(), sort=self._sort, descending=self._descending)

    def show_page(self, page: Page) -> None:
        """Show a page, unless the queue has asked for another one since (then it is stale)."""
        if page.query != self.query() or page.offset != self._offset:
            return
        keep = self._selected
        bar = self.table.verticalScrollBar()
        scrolled = bar.value()
        self._total, self._exact = page.total, page.exact
        # An empty list has no row to move under the pointer: it keeps taking cases in as they come.
        self._latest, self._hold = page.latest, bool(page.rows)
        self._show_newer(page.newer)
        self.model.show_page(page)
        self._show_position()
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self.table.selectRow(row)
        elif keep is None and page.rows:
            self.table.selectRow(0)
        # Otherwise the officer's case has left this page (sorted further down behind new cases, filtered
        # out, closed): it stays the selected case, its panel stays open, and no other row is highlighted
        # until the officer picks one. The panel never switches to another case by itself.
        # The highlighted case stays highlighted, but the view stays where the officer left it: at the
        # top, new severe cases must not scroll out of sight to keep an older case in view.
        bar.setValue(scrolled)

    def tick(self, now: float) -> None:
        self.model.set_now(now)

    def selected_row(self) -> QueueRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_case(self, case_id: int) -> bool:
        """Highlight a case on this page; False when it is not on it."""
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def start_over(self) -> None:
        """As the queue starts, for the next officer: no search, no filter, the default sort, the first
        page, no case selected; then asks for that page."""
        self.filters.reset()
        if self._sort_before_text is not None:
            self._sort, self._descending = self._sort_before_text
            self._sort_before_text = None
            self._show_sort_indicator()
        self._offset = 0
        self._hold = False
        self.table.clearSelection()
        self._select_case(None)
        self._emit()

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.filters.focus_search()

    def move_selection(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            return
        selected = self.table.selectionModel().selectedRows()
        current = selected[0].row() if selected else -1
        self.table.selectRow(max(0, min(rows - 1, current + step)))
        self.focus_table()

    def show_next_page(self) -> None:
        if self._offset + PAGE_SIZE < self._total or not self._exact:
            self._offset += PAGE_SIZE
            self._emit()

    def show_previous_page(self) -> None:
        if self._offset > 0:
            self._offset = max(0, self._offset - PAGE_SIZE)
            self._emit()

    # -- internals --------------------------------------------------------------------------------

    def _emit(self) -> None:
        self.page_requested.emit(self.request())

    def _show_position(self) -> None:
        self.pager.show_position(self._offset, self.model.rowCount(), self._total, self._exact)

    def _show_newer(self, count: int) -> None:
        self._newer = count
        self.pager.show_newer(count)

    def _show_sort_indicator(self) -> None:
        order = Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(COLUMN_OF_SORT[self._sort], order)

    def _select_case(self, case_id: int | None) -> None:
        if case_id != self._selected:
            self._selected = case_id
            self.case_selected.emit(case_id)

    def _on_filters_changed(self, _: object) -> None:
        self._offset = 0
        self._hold = False
        self._emit()

    def _on_filters_search_edited(self, text: str) -> None:
        # Matches are listed newest first while searching; clearing the box brings the old order back.
        if text.strip() and self._sort_before_text is None:
            self._sort_before_text = (self._sort, self._descending)
            self._sort, self._descending = SortKey.CODE, False
            self._show_sort_indicator()
        elif not text.strip() and self._sort_before_text is not None:
            self._sort, self._descending = self._sort_before_text
            self._sort_before_text = None
            self._show_sort_indicator()

    def _on_header_section_clicked(self, section: int) -> None:
        key = SORT_OF_COLUMN[QueueColumn(section)]
        if key is self._sort:
            self._descending = not self._descending
        else:
            self._sort, self._descending = key, False
        self._sort_before_text = None
        self._show_sort_indicator()
        self._offset = 0
        self._hold = False
        self._emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """On a narrow desk the title keeps its room (TITLE_CHARS characters): the card, then the category,
        step aside (unless the officer chose them in the header menu)."""
        flexible = [c for c in (QueueColumn.CATEGORY, QueueColumn.CARD) if c not in self._chosen]
        fixed = sum(
            width
            for column, width in self._widths.items()
            if column not in flexible and not self.table.isColumnHidden(column)
        )
        room = self.table.viewport().width() - fixed - self._title_roomy
        fits = True
        for column in flexible:
            # Once one steps aside, the less important ones after it do too.
            fits = fits and self._widths[column] <= room
            self.table.setColumnHidden(column, not fits)
            if fits:
                room -= self._widths[column]

    def _on_column_toggled(self, column: QueueColumn, shown: bool) -> None:
        self._chosen.add(column)
        self.table.setColumnHidden(column, not shown)

    def _on_header_menu_requested(self, point: QPoint) -> None:
        menu = QMenu(self)
        for column in QueueColumn:
            if column is QueueColumn.TITLE:
                continue
            act = menu.addAction(str(self.model.headerData(column, Qt.Orientation.Horizontal, 0)))
            act.setCheckable(True)
            act.setChecked(not self.table.isColumnHidden(column))
            act.toggled.connect(lambda shown, c=column: self._on_column_toggled(c, shown))
        menu.exec(self.table.horizontalHeader().mapToGlobal(point))

    def _on_table_selection_changed(self, *_: object) -> None:
        # Nothing selected (a page without the officer's case) keeps the case the officer had.
        row = self.selected_row()
        if row is not None:
            self._select_case(row.id)

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.case_activated.emit(self.model.row_at(index.row()).id)
