"""The evaluator's panel on the drill window: notes on an inject or a case, objective ratings, the plan."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dispatch.drill.evaluation_model import MAX_NOTE, RATINGS, Evaluation, PlanRow
from dispatch.drill.review_model import Rating
from dispatch.drill.scenario import Objective
from widgets.drill.director_panel import scenario_clock


@dataclass(frozen=True, slots=True)
class NoteRequest:
    """A note the evaluator wrote, about an inject, a case (its code) or the drill as a whole."""

    text: str
    inject: str = ""
    case_code: str = ""


@dataclass(frozen=True, slots=True)
class RatingRequest:
    objective: str
    rating: Rating


class EvaluatorPanel(QWidget):
    """Renders what the evaluator recorded and asks for more; stores nothing itself."""

    note_requested = Signal(object)
    """The evaluator added a note (carries a NoteRequest)."""
    rating_requested = Signal(object)
    """The evaluator rated an objective (carries a RatingRequest)."""
    plan_edited = Signal(object)
    """The improvement plan as it now stands in the table (carries a tuple of PlanRow)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drillEvaluatorPanel")
        self.setWindowTitle(self.tr("Drill evaluation"))
        self._ratings = {
            Rating.PERFORMED: self.tr("P · performed without challenges"),
            Rating.SOME: self.tr("S · performed with some challenges"),
            Rating.MAJOR: self.tr("M · performed with major challenges"),
            Rating.UNABLE: self.tr("U · unable to be performed"),
        }
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("drillEvaluatorTabs")
        self.tabs.addTab(self._notes_page(), self.tr("Notes"))
        self.tabs.addTab(self._ratings_page(), self.tr("Ratings"))
        self.tabs.addTab(self._plan_page(), self.tr("Improvement plan"))
        self.message = QLabel(self)
        self.message.setObjectName("drillEvaluatorMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.message)
        self._showing = False

    # -- pages -------------------------------------------------------------------------------------

    def _notes_page(self) -> QWidget:
        page = QWidget(self)
        self.about = QComboBox(page)
        self.about.setObjectName("drillNoteAbout")
        self.about.setToolTip(self.tr("What the note is about: the drill, an inject or a case"))
        self.note = QPlainTextEdit(page)
        self.note.setObjectName("drillNoteText")
        self.note.setPlaceholderText(self.tr("What you saw (Ctrl+Enter adds the note)"))
        self.note.setTabChangesFocus(True)  # Tab moves on to the button, as in a form
        self.note.setMaximumHeight(self.note.fontMetrics().lineSpacing() * 5)
        self.add_note = QPushButton(self.tr("Add note"), page)
        self.add_note.setObjectName("drillAddNote")
        self.add_note.clicked.connect(self._request_note)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), page)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._request_note)
        self.notes = self._table(page, "drillNotes", (self.tr("Time"), self.tr("About"),
                                                      self.tr("Evaluator"), self.tr("Note")))  # fmt: skip
        self.notes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notes.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.notes.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.notes.horizontalHeader().sectionResized.connect(lambda *_: self.notes.resizeRowsToContents())
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("About"), page))
        top.addWidget(self.about, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.add_note, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.notes, 1)
        return page

    def _ratings_page(self) -> QWidget:
        page = QWidget(self)
        # One line per objective: its words (wrapped, never cut short) and a rating box; Tab goes box to box.
        self._rating_rows = QWidget(page)
        self._rating_rows.setObjectName("drillRatings")
        self._rating_grid = QGridLayout(self._rating_rows)
        self._rating_grid.setColumnStretch(0, 1)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._rating_rows)
        hint = QLabel(
            self.tr("HSEEP scale: the review suggests a rating from the targets; yours decides."), page
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(scroll, 1)
        layout.addWidget(hint)
        self.rating_boxes: dict[str, QComboBox] = {}
        return page

    def _plan_page(self) -> QWidget:
        page = QWidget(self)
        self.plan = self._table(
            page, "drillPlan", (self.tr("Improvement action"), self.tr("Owner"), self.tr("Due"))
        )
        self.plan.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.plan.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.plan.itemChanged.connect(self._on_plan_item_changed)
        self.add_row = QPushButton(self.tr("Add row"), page)
        self.add_row.setObjectName("drillPlanAdd")
        self.add_row.clicked.connect(self.add_plan_row)
        self.remove_row = QPushButton(self.tr("Remove row"), page)
        self.remove_row.setObjectName("drillPlanRemove")
        self.remove_row.clicked.connect(self._remove_plan_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_row)
        buttons.addWidget(self.remove_row)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.plan, 1)
        layout.addLayout(buttons)
        return page

    def _table(self, parent: QWidget, name: str, heads: Sequence[str]) -> QTableWidget:
        table = QTableWidget(0, len(heads), parent)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(list(heads))
        table.verticalHeader().hide()
        table.setWordWrap(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    # -- verbs -------------------------------------------------------------------------------------

    def show_targets(self, injects: Sequence[tuple[str, str]], cases: Sequence[tuple[str, str]]) -> None:
        """What a note can be about: the drill, each inject (id, words), each drill case (code, title);
        the choice stays on the same target."""
        chosen = self.about.currentData()
        self.about.blockSignals(True)
        self.about.clear()
        # Keys are text: Qt compares an item's data by value only for its own types, not for tuples.
        self.about.addItem(self.tr("The drill as a whole"), "")
        for inject, words in injects:
            self.about.addItem(
                self.tr("Inject %1 · %2").replace("%1", inject).replace("%2", words), f"inject:{inject}"
            )
        for code, title in cases:
            self.about.addItem(
                self.tr("Case %1 · %2").replace("%1", code).replace("%2", title), f"case:{code}"
            )
        index = self.about.findData(chosen)
        self.about.setCurrentIndex(max(0, index))
        self.about.blockSignals(False)

    def target(self) -> tuple[str, str]:
        """(inject, case code) the note will be about; both empty for the drill as a whole."""
        key = str(self.about.currentData() or "")
        kind, _, name = key.partition(":")
        return (name, "") if kind == "inject" else ("", name) if kind == "case" else ("", "")

    def show_objectives(self, objectives: Sequence[Objective]) -> None:
        for row, objective in enumerate(objectives):
            label = QLabel(f"{objective.id} {objective.text}", self._rating_rows)
            label.setWordWrap(True)
            combo = QComboBox(self._rating_rows)
            combo.setObjectName(f"drillRating-{objective.id}")
            combo.setToolTip(objective.text)
            combo.addItem(self.tr("not rated yet"), None)
            for rating in RATINGS:
                combo.addItem(self._ratings[rating], rating.value)  # a StrEnum comes back as a plain str
            combo.currentIndexChanged.connect(self._rating_slot(objective.id, combo))
            label.setBuddy(combo)
            self._rating_grid.addWidget(label, row, 0)
            self._rating_grid.addWidget(combo, row, 1)
            self.rating_boxes[objective.id] = combo
        self._rating_grid.setRowStretch(len(objectives), 1)

    def show_evaluation(self, evaluation: Evaluation) -> None:
        """The notes and ratings as stored (the plan on screen is what the evaluator is typing: see
        show_plan)."""
        self._showing = True
        try:
            self.notes.setRowCount(len(evaluation.notes))
            for row, note in enumerate(evaluation.notes):
                about = note.case_code or note.inject or self.tr("the drill")
                for column, text in enumerate((scenario_clock(note.scenario_s), about, note.by, note.text)):
                    self.notes.setItem(row, column, QTableWidgetItem(text))
            self.notes.resizeRowsToContents()
            self.notes.scrollToBottom()
            for objective, combo in self.rating_boxes.items():
                combo.blockSignals(True)
                rating = evaluation.rating_of(objective)
                combo.setCurrentIndex(max(0, combo.findData(None if rating is None else rating.value)))
                combo.blockSignals(False)
        finally:
            self._showing = False

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def note_saved(self) -> None:
        """The last note is kept: the box is cleared for the next."""
        self.note.clear()
        self.message.clear()

    def add_plan_row(self) -> None:
        """A new empty row, its first cell ready for typing."""
        row = self.plan.rowCount()
        self._showing = True
        self.plan.insertRow(row)
        for column in range(3):
            self.plan.setItem(row, column, QTableWidgetItem(""))
        self._showing = False
        self.plan.setCurrentCell(row, 0)
        self.plan.setFocus()
        first = self.plan.item(row, 0)
        if first is not None:
            self.plan.editItem(first)

    def plan_rows(self) -> tuple[PlanRow, ...]:
        rows = []
        for row in range(self.plan.rowCount()):
            cells = [self.plan.item(row, column) for column in range(3)]
            action, owner, due = ("" if cell is None else cell.text() for cell in cells)
            rows.append(PlanRow(action, owner, due))
        return tuple(rows)

    # -- requests ----------------------------------------------------------------------------------

    def _request_note(self) -> None:
        text = self.note.toPlainText().strip()
        if not text:
            self.show_message(self.tr("Write the note first."))
            return
        if len(text) > MAX_NOTE:
            self.show_message(self.tr("A note is at most %1 characters.").replace("%1", str(MAX_NOTE)))
            return
        inject, case = self.target()
        self.note_requested.emit(NoteRequest(text, inject, case))

    def _rating_slot(self, objective: str, combo: QComboBox) -> Callable[[int], None]:
        # A closure, not a lambda with defaults: PySide fills every parameter it sees with signal arguments.
        return lambda _: self._request_rating(objective, combo)

    def _request_rating(self, objective: str, combo: QComboBox) -> None:
        value = combo.currentData()
        if isinstance(value, str):
            self.rating_requested.emit(RatingRequest(objective, Rating(value)))

    def _on_plan_item_changed(self, _: QTableWidgetItem) -> None:
        if not self._showing:
            self.plan_edited.emit(self.plan_rows())

    def _remove_plan_row(self) -> None:
        row = self.plan.currentRow()
        if row < 0:
            return
        self.plan.removeRow(row)
        self.plan_edited.emit(self.plan_rows())

    def show_plan(self, rows: Sequence[PlanRow]) -> None:
        """The stored plan (when the panel opens on a drill store that has one)."""
        self._showing = True
        try:
            self.plan.setRowCount(0)
            for plan_row in rows:
                row = self.plan.rowCount()
                self.plan.insertRow(row)
                for column, text in enumerate((plan_row.action, plan_row.owner, plan_row.due)):
                    self.plan.setItem(row, column, QTableWidgetItem(text))
        finally:
            self._showing = False
