"""A small form for actions that need words or a number: a reason, an extension, a 督办 card, a rating."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.machine import RULES
from dispatch.casework.model import Action, Card
from widgets.case_words import CaseWords
from widgets.style import fill

# Actions whose payload the officer fills in, beyond a reason.
_AMOUNT = frozenset({Action.REQUEST_EXTENSION})
_CARD = frozenset({Action.SUPERVISE})
_RATING = frozenset({Action.EVALUATE})
# Sources whose cases have a person who reported them and is called back for the evaluation (回访).
CALLER_SOURCES = frozenset({"hotline"})


def needs_form(action: Action) -> bool:
    """Whether `action` asks the officer for anything before it is sent."""
    return RULES[action].reason_required or action in _AMOUNT | _CARD | _RATING


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
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def ask(
        self,
        action: Action,
        case_id: int,
        version: int,
        case_code: str,
        clock_unit: str = "",
        source: str = "",
    ) -> None:
        """Lay the form out for `action` on one case and open it (window-modal, not blocking).

        An evaluation follows the case's source: a caller (12345) says whether they are satisfied on the
        call-back, so nothing is ticked for them; a sensor, camera or grid report has no caller, and the
        centre rates the result itself, satisfied unless the officer says otherwise.
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
        self.reason.clear()
        self.reason.setPlaceholderText(self.tr("Required") if required else self.tr("Optional"))
        self._on_reason_text_changed(self.reason.text())
        self.open()
        self.reason.setFocus()

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
