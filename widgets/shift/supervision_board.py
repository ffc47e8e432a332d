"""The supervision board (督办看板): open cases by card level and time to deadline, and one-key 督办."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QFont, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.board import GROUP_ORDER, Board, BoardCase, BoardGroup, CaseRef
from dispatch.casework.model import Card
from widgets.common.palette import Palette
from widgets.common.style import fill, set_style_property
from widgets.common.tight_fit import FittedLabel
from widgets.common.vocabulary import Vocabulary
from widgets.shift.shift_words import ShiftWords, local_time

YELLOW_SHORTCUT = QKeySequence("F7")
RED_SHORTCUT = QKeySequence("F8")
_CASE_ROLE = Qt.ItemDataRole.UserRole + 1
# Theme tokens of each group's colour.
_GROUP_TOKENS = {
    BoardGroup.RED_CARD: "card_red",
    BoardGroup.YELLOW_CARD: "card_yellow",
    BoardGroup.MANUAL: "card_manual",
    BoardGroup.YELLOW_LIGHT: "card_light",
}
_CODE, _DUE, _TITLE, _UNIT, _CATEGORY, _DISTRICT = range(6)
# Counts drawn smaller than this share of their size read better in two rows than in one.
ROW_SCALE = 0.8
# An outcome message stays this long, or until the target case changes.
MESSAGE_MS = 10_000


@dataclass(frozen=True, slots=True)
class SuperviseRequest:
    """督办 as the operator asked for it, on the case version the board showed."""

    case: CaseRef
    card: Card
    note: str


class SupervisionBoard(QWidget):
    """Renders a Board; never queries. The app calls `show_board` and `show_time`."""

    supervise_requested = Signal(object)
    """The operator asked to raise a card on a case (carries a SuperviseRequest)."""
    case_opened = Signal(object)
    """The operator double-clicked a case to open it (carries the case id)."""
    attention_requested = Signal(object)
    """F7/F8 was pressed while the board is out of sight: bring it forward (carries None)."""

    def __init__(
        self,
        words: ShiftWords,
        vocabulary: Vocabulary,
        palette: Palette,
        *,
        names: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionBoard")
        self._words = words
        self._vocabulary = vocabulary
        self._palette = palette
        self._names = dict(names or {})
        self._board: Board | None = None
        self._rows: dict[int, QTreeWidgetItem] = {}
        # The case open on the duty desk: F7/F8 act on it when no case on the board is selected.
        self._open_case: CaseRef | None = None
        self._target_id: int | None = None
        self.counts: dict[BoardGroup, FittedLabel] = {}
        for group in GROUP_ORDER:
            chip = FittedLabel("", self)
            chip.setObjectName("boardCount")
            set_style_property(chip, "group", group.value)
            self.counts[group] = chip
        self.as_of = QLabel(self)
        self.as_of.setObjectName("boardAsOf")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("boardTree")
        self.tree.setColumnCount(6)
        self.tree.setHeaderLabels(
            [
                self.tr("Case"),
                self.tr("Deadline"),
                self.tr("Title"),
                self.tr("Unit"),
                self.tr("Category"),
                self.tr("District"),
            ]
        )
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_TITLE, QHeaderView.ResizeMode.Stretch)
        self._groups: dict[BoardGroup, QTreeWidgetItem] = {}
        group_font = QFont(self.tree.font())
        group_font.setBold(True)
        group_font.setPixelSize(18)
        for group in GROUP_ORDER:
            item = QTreeWidgetItem(self.tree)
            item.setFirstColumnSpanned(True)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setFont(_CODE, group_font)
            item.setForeground(_CODE, QBrush(palette.color(_GROUP_TOKENS[group])))
            item.setExpanded(True)
            self._groups[group] = item
        self.note = QLineEdit(self)
        self.note.setObjectName("superviseNote")
        self.yellow = QPushButton(fill(self.tr("Yellow card (%1)"), YELLOW_SHORTCUT.toString()), self)
        self.yellow.setObjectName("superviseYellow")
        self.red = QPushButton(fill(self.tr("Red card (%1)"), RED_SHORTCUT.toString()), self)
        self.red.setObjectName("superviseRed")
        self.message = QLabel(self)
        self.message.setObjectName("boardMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.message_timer = QTimer(self)
        self.message_timer.setSingleShot(True)
        self.message_timer.setInterval(MESSAGE_MS)
        self.message_timer.timeout.connect(self.message.hide)

        self._chips = QGridLayout()
        self._chips.setSpacing(8)
        self._columns = 0
        top = QHBoxLayout()
        top.addLayout(self._chips)
        top.addStretch(1)
        top.addWidget(self.as_of)
        self._actions = actions = QHBoxLayout()
        actions.addWidget(self.note, 1)
        actions.addWidget(self.yellow)
        actions.addWidget(self.red)
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)

        # Window-wide keys: the app adds these actions to the main window too, so F7/F8 work from the
        # duty desk on the case open there, even while the board's dock is behind another tab.
        self.key_actions: tuple[QAction, ...] = ()
        for name, key, card, text in (
            ("boardYellowKey", YELLOW_SHORTCUT, Card.YELLOW_CARD, self.tr("Supervise with a yellow card")),
            ("boardRedKey", RED_SHORTCUT, Card.RED_CARD, self.tr("Supervise with a red card")),
        ):
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcut(key)
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _=False, c=card: self.request(c))
            self.addAction(act)
            self.key_actions += (act,)
        self.tree.currentItemChanged.connect(lambda *_: self._show_target())
        self.yellow.clicked.connect(lambda: self.request(Card.YELLOW_CARD))
        self.red.clicked.connect(lambda: self.request(Card.RED_CARD))
        self.note.returnPressed.connect(lambda: self.request(Card.YELLOW_CARD))
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.set_can_supervise(False)
        self._show_counts(dict.fromkeys(GROUP_ORDER, 0))
        self._show_target()

    def selected_case(self) -> BoardCase | None:
        item = self.tree.currentItem()
        case = None if item is None else item.data(_CODE, _CASE_ROLE)
        return case if isinstance(case, BoardCase) else None

    def target_case(self) -> CaseRef | None:
        """The case F7/F8 act on: the one selected on the board, else the one open on the duty desk."""
        return self.selected_case() or self._open_case

    def set_open_case(self, case: CaseRef | None) -> None:
        """The case open on the duty desk (None: none)."""
        self._open_case = case
        self._show_target()

    def set_can_supervise(self, allowed: bool) -> None:
        """Only roles the state machine lets 督办 get the note and the buttons."""
        for widget in (self.note, self.yellow, self.red):
            widget.setEnabled(allowed)
        tip = "" if allowed else self.tr("Your role cannot raise supervision cards")
        for widget in (self.yellow, self.red):
            widget.setToolTip(tip)

    def show_board(self, board: Board) -> None:
        """Replace the rows, keeping the selected case selected when it is still on the board."""
        selected = self.selected_case()
        self._board = board
        self._rows = {}
        for group in GROUP_ORDER:
            parent = self._groups[group]
            parent.takeChildren()
            for case in board.group(group):
                self._rows[case.id] = self._row(parent, case)
        self._show_counts(board.counts)
        self.show_time(board.as_of)
        if selected is not None and selected.id in self._rows:
            self.tree.setCurrentItem(self._rows[selected.id])

    def show_time(self, now: float) -> None:
        """Count the deadlines down (or up, once past) without asking for the board again."""
        self.as_of.setText(fill(self.tr("As of %1"), local_time(now, "%H:%M:%S")))
        if self._board is None:
            return
        for case in self._board.cases:
            item = self._rows.get(case.id)
            if item is None:
                continue
            left = case.remaining_s
            if left is not None and not case.parked:
                left -= now - self._board.as_of
            text = self._words.time_left(left, parked=case.parked)
            if item.text(_DUE) != text:
                item.setText(_DUE, text)

    def show_outcome(self, text: str, *, ok: bool) -> None:
        """What became of the last 督办; a success clears the note for the next one."""
        self.message.setText(text)
        set_style_property(self.message, "tone", "ok" if ok else "error")
        self.message.setVisible(bool(text))
        self.message_timer.start()
        if ok:
            self.note.clear()

    def request(self, card: Card) -> None:
        """督办 the selected case with the note, or say what is missing."""
        if not self.yellow.isEnabled():
            return
        if not self.isVisible() or self.visibleRegion().isEmpty():  # closed, or behind another tab
            self.attention_requested.emit(None)
        case = self.target_case()
        if case is None:
            self.show_outcome(self.tr("Select a case on the board or open one on the desk first."), ok=False)
            self.tree.setFocus()
            return
        note = self.note.text().strip()
        if not note:
            self.show_outcome(self.tr("Write a note: the unit reads it with the card."), ok=False)
            self.note.setFocus()
            return
        self.supervise_requested.emit(SuperviseRequest(case, card, note))

    def _show_target(self) -> None:
        """Name the case the note and the cards go to (in the note's placeholder, so the board grows no
        taller); a message about another case goes."""
        case = self.target_case()
        key = None if case is None else case.id
        if key != self._target_id:
            self._target_id = key
            self.message.hide()
        if case is None:
            self.note.setPlaceholderText(self.tr("Supervision note to the unit (required)"))
            self.note.setToolTip("")
        else:
            self.note.setPlaceholderText(fill(self.tr("Note with the card for %1 (required)"), case.code))
            self.note.setToolTip(f"{case.code} {case.title}")

    def _row(self, parent: QTreeWidgetItem, case: BoardCase) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent)
        item.setText(_CODE, case.code)
        item.setText(_TITLE, case.title)
        item.setText(_UNIT, self._names.get(case.unit, case.unit) or "—")
        item.setText(_CATEGORY, self._vocabulary.category(case.category))
        item.setText(_DISTRICT, self._names.get(case.district, case.district) or "—")
        item.setData(_CODE, _CASE_ROLE, case)
        item.setToolTip(_TITLE, f"{case.title}\n{self._words.state(case.state)}")
        overdue = case.remaining_s is not None and case.remaining_s < 0
        token = _GROUP_TOKENS[case.group] if overdue or case.group is not BoardGroup.YELLOW_LIGHT else "fg"
        item.setForeground(_DUE, QBrush(self._palette.color(token)))
        if case.manual_card > Card.NONE:
            item.setText(_CODE, f"{case.code} ●")
            item.setToolTip(_CODE, fill(self.tr("Raised by hand: %1"), self._words.card(case.manual_card)))
        return item

    def _show_counts(self, counts: Mapping[BoardGroup, int]) -> None:
        for group in GROUP_ORDER:
            count = counts.get(group, 0)
            shown = self._groups[group].childCount()
            label = f"{self._words.group(group)} · {count}"
            if shown < count:
                label = fill(self.tr("%1 (first %2 shown)"), label, shown)
            self._groups[group].setText(_CODE, label)
            self.counts[group].setText(f"{self._words.group(group)}  {count}")
        self._fit_counts()

    def minimumSizeHint(self) -> QSize:
        # As narrow as the counts in two rows: a wide board that narrows re-lays them out (resizeEvent),
        # so its one-row width must not hold the window wide.
        margins = self._layout.contentsMargins()
        widths = [chip.minimumSizeHint().width() for chip in self.counts.values()]
        pairs = max(a + b for a, b in zip(widths[::2], widths[1::2], strict=True))
        row = max(pairs + self._chips.horizontalSpacing(), self._actions.minimumSize().width())
        return QSize(row + margins.left() + margins.right(), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_counts()

    def _fit_counts(self) -> None:
        """The counts stay whole on a narrow board: the time stamp gives way first, then the counts shrink
        together, and below ROW_SCALE of their size they take two rows."""
        chips = list(self.counts.values())
        margins = self._layout.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        spacing = self._chips.horizontalSpacing()

        def scale(columns: int) -> float:
            rows = [chips[i : i + columns] for i in range(0, len(chips), columns)]
            return min(
                (room - spacing * (len(row) - 1) - sum(c.frame_width() for c in row))
                / max(1, sum(c.natural_width() for c in row))
                for row in rows
            )

        full_row = sum(c.natural_width() + c.frame_width() for c in chips) + spacing * (len(chips) - 1)
        stamped = room >= full_row + spacing + self.as_of.sizeHint().width()
        self.as_of.setVisible(stamped)
        one_row = scale(len(chips))
        columns = len(chips) if stamped or one_row >= ROW_SCALE else 2
        if columns != self._columns:
            self._columns = columns
            for index, chip in enumerate(chips):
                self._chips.addWidget(chip, index // columns, index % columns)
        fitted = 1.0 if stamped else min(1.0, scale(columns))
        for chip in chips:
            chip.set_scale(fitted)

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        case = item.data(_CODE, _CASE_ROLE)
        if isinstance(case, BoardCase):
            self.case_opened.emit(case.id)
