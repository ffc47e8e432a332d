"""A small form for actions that need words or a number: a reason, an extension, a 督办 card, a rating."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.machine import RULES
from dispatch.casework.model import Action, Card
from dispatch.casework.readouts import UnitWord
from dispatch.feed.attachments import Photo
from widgets.common.style import fill
from widgets.desk.case_words import CaseWords
from widgets.desk.unit_reports import PhotoButton, PhotoViewer, UnitWords

# Actions whose payload the officer fills in, beyond a reason.
_AMOUNT = frozenset({Action.REQUEST_EXTENSION})
_CARD = frozenset({Action.SUPERVISE})
_RATING = frozenset({Action.EVALUATE})
# The check decisions: the checker sees the unit's last report (note, time, photo) beside them.
CHECK_ACTIONS = frozenset({Action.START_CHECK, Action.FAIL_CHECK, Action.CLOSE})
# Sources whose cases have a person who reported them and is called back for the evaluation (回访).
CALLER_SOURCES = frozenset({"hotline"})


def needs_form(action: Action) -> bool:
    """Whether `action` asks the officer for anything before it is sent."""
    return RULES[action].reason_required or action in _AMOUNT | _CARD | _RATING | CHECK_ACTIONS


@dataclass(frozen=True, slots=True)
class ActionInput:
    """What the officer typed or chose in the form."""

    action: Action
    case_id: int
    version: int
    reason: str
    amount: float | None = None
    card: Card | None = None
    satisfied: bool | None = None


class ActionForm(QDialog):
    """Opens for one action on one case; Enter confirms (once a required reason is there), Esc cancels."""

    form_confirmed = Signal(object)
    """The officer confirmed (carries an ActionInput)."""

    def __init__(self, words: CaseWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionForm")
        self._words = words
        self._target: tuple[Action, int, int] | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("actionFormHeading")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("actionFormReason")
        self.reason.textChanged.connect(self._on_reason_text_changed)
        self.amount = QDoubleSpinBox(self)
        self.amount.setObjectName("actionFormAmount")
        self.amount.setRange(0.5, 999.0)
        self.amount.setDecimals(1)
        self.amount.setValue(1.0)
        self.yellow = QRadioButton(words.shift.card(Card.YELLOW_CARD), self)
        self.red = QRadioButton(words.shift.card(Card.RED_CARD), self)
        self.yellow.setChecked(True)
        self._cards = QButtonGroup(self)
        self._cards.addButton(self.yellow, int(Card.YELLOW_CARD))
        self._cards.addButton(self.red, int(Card.RED_CARD))
        self.satisfied = QCheckBox(self)
        self.form = QFormLayout()
        self.form.addRow(self.tr("Extension"), self.amount)
        self.form.addRow(self.tr("Card"), self.yellow)
        self.form.addRow("", self.red)
        self.form.addRow("", self.satisfied)
        self.form.addRow(self.tr("Reason"), self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._build_unit_word()
        decision = QVBoxLayout()
        decision.addLayout(self.form)
        decision.addStretch(1)
        beside = QHBoxLayout()
        beside.addLayout(decision, 1)
        beside.addWidget(self.unit_word)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(beside)
        layout.addWidget(self.buttons)

    def _build_unit_word(self) -> None:
        self.unit_word = QGroupBox(self.tr("The unit's last report"), self)
        self.unit_word.setObjectName("actionFormUnitWord")
        self.unit_heading = QLabel(self.unit_word)
        self.unit_heading.setObjectName("actionFormUnitHeading")
        self.unit_heading.setWordWrap(True)
        self.unit_note = QLabel(self.unit_word)
        self.unit_note.setObjectName("actionFormUnitNote")
        self.unit_note.setWordWrap(True)
        self.unit_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._unit_words = UnitWords(self)
        self.unit_photos: list[PhotoButton] = []
        self._photo_row = QHBoxLayout()
        inner = QVBoxLayout(self.unit_word)
        inner.addWidget(self.unit_heading)
        inner.addWidget(self.unit_note)
        inner.addLayout(self._photo_row)
        inner.addStretch(1)
        self.unit_word.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 18)
        self.viewer: PhotoViewer | None = None
        self.unit_word.hide()

    def show_unit_word(self, word: UnitWord | None, names: Mapping[str, str]) -> None:
        """What the unit last said about its handling; shown beside a check decision only."""
        for button in self.unit_photos:
            self._photo_row.removeWidget(button)
            button.deleteLater()
        self.unit_photos = []
        if word is None:
            self.unit_heading.setText(self.tr("No report from the unit on this case."))
            self.unit_note.hide()
            return
        self.unit_heading.setText(self._unit_words.heading(word, names))
        self.unit_note.setText(word.note or self.tr("(no note)"))
        self.unit_note.show()
        for ref in word.attachments:
            button = PhotoButton(ref.uri, self._unit_words, self.unit_word)
            button.photo_opened.connect(self._on_photo_opened)
            self._photo_row.addWidget(button)
            self.unit_photos.append(button)

    def show_photo(self, photo: Photo) -> None:
        """A unit photo arrived; the form shows it if it is the last report's."""
        for button in self.unit_photos:
            if button.uri == photo.uri:
                button.show_photo(photo)

    def _on_photo_opened(self, photo: Photo) -> None:
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = PhotoViewer(photo, self)
        self.viewer.open()

    def ask(
        self,
        action: Action,
        case_id: int,
        version: int,
        case_code: str,
        clock_unit: str = "",
        source: str = "",
        unit_word: UnitWord | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        """Lay the form out for `action` on one case and open it (window-modal, not blocking).

        An evaluation follows the case's source: a caller (12345) says whether they are satisfied on the
        call-back, so nothing is ticked for them; a sensor, camera or grid report has no caller, and the
        centre rates the result itself, satisfied unless the officer says otherwise. A check decision
        shows `unit_word`, the unit's last report, beside it.
        """
        self._target = (action, case_id, version)
        self.setWindowTitle(self._words.action(action))
        self.heading.setText(fill(self.tr("%1 · %2"), self._words.action(action), case_code))
        required = RULES[action].reason_required
        self.amount.setSuffix(" " + self._unit(clock_unit))
        for widget, shown in (
            (self.amount, action in _AMOUNT),
            (self.yellow, action in _CARD),
            (self.red, action in _CARD),
            (self.satisfied, action in _RATING),
        ):
            self.form.setRowVisible(widget, shown)
        caller = source in CALLER_SOURCES
        self.satisfied.setText(
            self.tr("The caller is satisfied (asked on the call-back)")
            if caller
            else self.tr("The result is satisfactory (no caller: rated by the centre)")
        )
        self.satisfied.setChecked(not caller)
        checking = action in CHECK_ACTIONS
        if checking:
            self.show_unit_word(unit_word, names or {})
        self.unit_word.setVisible(checking)
        self.adjustSize()
        self.reason.clear()
        self.reason.setPlaceholderText(self.tr("Required") if required else self.tr("Optional"))
        self._on_reason_text_changed(self.reason.text())
        self.open()
        self.reason.setFocus()

    def suggest_reason(self, reason: str) -> None:
        """Fill in the reason the loop proposes (a case whose alarms cleared: 自动消警), selected, so Enter
        confirms it and typing replaces it."""
        self.reason.setText(reason)
        self.reason.selectAll()

    def _unit(self, unit: str) -> str:
        return {
            "minutes": self.tr("minutes"),
            "working_hours": self.tr("working hours"),
            "working_days": self.tr("working days"),
        }.get(unit, unit)

    def _on_reason_text_changed(self, text: str) -> None:
        required = self._target is not None and RULES[self._target[0]].reason_required
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()) or not required)

    def accept(self) -> None:
        if self._target is None:
            return
        action, case_id, version = self._target
        if RULES[action].reason_required and not self.reason.text().strip():
            return
        form = ActionInput(
            action=action,
            case_id=case_id,
            version=version,
            reason=self.reason.text().strip(),
            amount=self.amount.value() if action in _AMOUNT else None,
            card=Card(self._cards.checkedId()) if action in _CARD else None,
            satisfied=self.satisfied.isChecked() if action in _RATING else None,
        )
        super().accept()
        self.form_confirmed.emit(form)
