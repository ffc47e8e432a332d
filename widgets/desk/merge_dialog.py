"""The merge confirmation (并案, and 拆分 to undo one): both cases side by side before anything changes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from dispatch.casework.model import Action, Case, CaseState
from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_history import local_time
from widgets.desk.case_words import CaseWords

# The rows a duty officer compares two reports by, in the order they are read.
FIELDS = ("code", "title", "place", "time", "source", "state")


@dataclass(frozen=True, slots=True)
class MergeQuestion:
    """A merge (or split) to confirm: the absorbed case and its master, as read just before asking."""

    action: Action
    absorbed: Case
    master: Case
    back_to: CaseState | None = None  # a split: the state the absorbed case goes back to


class MergeDialog(QDialog):
    """Shows the absorbed case beside its master; Enter merges (or splits), Esc cancels."""

    merge_confirmed = Signal(object)
    """The officer confirmed (carries the MergeQuestion as shown)."""

    def __init__(self, words: CaseWords, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self._words = words
        self._vocabulary = vocabulary
        self._question: MergeQuestion | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("mergeHeading")
        self.heading.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.columns = (QLabel(self), QLabel(self))
        for column, label in enumerate(self.columns, start=1):
            label.setObjectName("mergeColumn")
            self.grid.addWidget(label, 0, column)
        names = {
            "code": self.tr("Case"), "title": self.tr("Title"), "place": self.tr("Place"),
            "time": self.tr("Reported"), "source": self.tr("Source"), "state": self.tr("State"),
        }  # fmt: skip
        self.cells: dict[str, tuple[QLabel, QLabel]] = {}
        for row, key in enumerate(FIELDS, start=1):
            self.grid.addWidget(QLabel(names[key], self), row, 0, Qt.AlignmentFlag.AlignTop)
            pair = (QLabel(self), QLabel(self))
            for column, cell in enumerate(pair, start=1):
                cell.setObjectName("mergeCell")
                cell.setWordWrap(True)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.grid.addWidget(cell, row, column, Qt.AlignmentFlag.AlignTop)
            self.cells[key] = pair
        self.buttons = QDialogButtonBox(self)
        self.confirm = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("mergeConfirm")
        self.cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        layout.addWidget(self.buttons)
        self.resize(800, 320)

    @property
    def question(self) -> MergeQuestion | None:
        return self._question

    def ask(self, question: MergeQuestion) -> None:
        """Show both cases and wait for Enter (confirm) or Esc (cancel)."""
        self._question = question
        absorbed, master = question.absorbed, question.master
        if question.action is Action.SPLIT:
            self.setWindowTitle(self.tr("Split merged case"))
            back = self._words.shift.state(question.back_to or CaseState.DISCOVERED)
            self.heading.setText(
                fill(
                    self.tr("Split %1 off %2 again? %1 goes back to “%3”; %2 gives its reports back."),
                    absorbed.code, master.code, back,
                )
            )  # fmt: skip
            self.columns[0].setText(self.tr("Split off"))
            self.columns[1].setText(self.tr("From"))
            self.confirm.setText(self.tr("Split (Enter)"))
        else:
            self.setWindowTitle(self.tr("Merge duplicate"))
            self.heading.setText(
                fill(
                    self.tr("Merge %1 into %2? %1 is closed as merged; %2 keeps both reports."),
                    absorbed.code, master.code,
                )
            )  # fmt: skip
            self.columns[0].setText(self.tr("Duplicate (merged)"))
            self.columns[1].setText(self.tr("Master (kept)"))
            self.confirm.setText(self.tr("Merge (Enter)"))
        for column, case in enumerate((absorbed, master)):
            for key, text in self._values(case).items():
                self.cells[key][column].setText(text)
        self.confirm.setDefault(True)
        self.confirm.setAutoDefault(True)
        self.open()
        self.confirm.setFocus(Qt.FocusReason.OtherFocusReason)

    def _values(self, case: Case) -> dict[str, str]:
        vocabulary = self._vocabulary
        place = " · ".join(p for p in (case.address, case.grid) if p) or "—"
        return {
            "code": f"{case.code} · {vocabulary.severity(case.severity)}",
            "title": case.title or "—",
            "place": place,
            "time": local_time(case.discovered_at, "%Y-%m-%d %H:%M"),
            "source": vocabulary.source(case.source),
            "state": self._words.shift.state(case.state),
        }

    def _on_buttons_accepted(self) -> None:
        question = self._question
        self.accept()
        if question is not None:
            self.merge_confirmed.emit(question)
