"""The shift handover panel (交接班): write the note, see what was handed over, sign for it, print it."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.model import Actor
from dispatch.casework.shifts import HANDOVER_ROLES, Handover, HandoverCase, Shift
from widgets.common.style import fill, set_style_property
from widgets.shift.shift_words import ShiftWords, local_time

SUBMIT_SHORTCUT = QKeySequence("Ctrl+Return")
_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class HandoverReport(QObject):
    """A handover as a printable HTML page (the PDF is printed from it)."""

    def __init__(self, words: ShiftWords, names: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._words = words
        self._names = dict(names or {})

    def html(self, handover: Handover) -> str:
        """Black on white with no colours of its own: it is printed, not shown on the dark console."""
        esc = html.escape
        title = self.tr("Shift handover")
        shift = fill(self.tr("Shift: %1"), self._words.shift_span(handover.shift_start, handover.shift_end))
        author = fill(
            self.tr("Handed over by %1 (%2) at %3"),
            handover.author_name,
            handover.author,
            local_time(handover.created_at, "%Y-%m-%d %H:%M"),
        )
        received = (
            fill(self.tr("Received by %1 at %2"), handover.received_by_name, local_time(handover.received_at))
            if handover.received
            else self.tr("Not yet received")
        )
        note = self.tr("Note")
        listed = fill(self.tr("Open cases (%1)"), len(handover.open_cases))
        heads = (self.tr("Case"), self.tr("State"), self.tr("Card"), self.tr("Deadline"), self.tr("Unit"),
                 self.tr("Title"))  # fmt: skip
        head_row = "".join(f"<th align='left'>{esc(h)}</th>" for h in heads)
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in self._cells(case)) + "</tr>"
            for case in handover.open_cases
        )
        body = esc(handover.note).replace("\n", "<br>")
        stamp = self.tr("Audit checkpoint")
        return (
            f"<html><head><meta charset='utf-8'><title>{esc(title)}</title></head><body>"
            f"<h1>{esc(title)}</h1>"
            f"<p>{esc(shift)}<br>{esc(author)}<br>{esc(received)}</p>"
            f"<h2>{esc(note)}</h2><p>{body}</p>"
            f"<h2>{esc(listed)}</h2>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{head_row}</tr>{rows}</table>"
            f"<h2>{esc(stamp)}</h2>{self._checkpoint(handover)}</body></html>"
        )

    def _checkpoint(self, handover: Handover) -> str:
        """The audit checkpoint signed with the handover: on paper, it vouches for the chain's head even
        if the checkpoint log is lost (`audit verify` checks the same head and signature)."""
        checkpoint = handover.checkpoint
        if checkpoint is None:
            return f"<p>{html.escape(self.tr('None: the cockpit has no audit signing key.'))}</p>"
        said = fill(
            self.tr("%1 audit rows, signed at %2 for store %3."),
            checkpoint.rows,
            local_time(checkpoint.at, "%Y-%m-%d %H:%M:%S"),
            checkpoint.store,
        )
        head, signature = self.tr("Head"), self.tr("Signature")
        return (
            f"<p>{html.escape(said)}<br>{html.escape(head)}: <tt>{html.escape(checkpoint.head)}</tt><br>"
            f"{html.escape(signature)}: <tt>{html.escape(checkpoint.sig)}</tt></p>"
        )

    def _cells(self, case: HandoverCase) -> tuple[str, ...]:
        w = self._words
        deadline = local_time(case.deadline)
        if case.parked:
            deadline = fill(self.tr("%1 (parked)"), deadline)
        unit = self._names.get(case.unit, case.unit) or "—"
        return (case.code, w.state(case.state), w.card(case.card) or "—", deadline, unit, case.title)


class HandoverPanel(QWidget):
    """Renders shifts and handovers passed in; writes nothing itself (the app stores and exports)."""

    handover_submitted = Signal(object)
    """The lead handed the shift over with this note (carries the note text)."""
    receipt_confirmed = Signal(object)
    """The incoming lead signed for a handover (carries its id)."""
    export_requested = Signal(object)
    """The operator asked for a handover as a PDF (carries its id)."""

    def __init__(
        self, words: ShiftWords, *, names: Mapping[str, str] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handoverPanel")
        self._words = words
        self._names = dict(names or {})
        self._actor: Actor | None = None
        self._handovers: dict[int, Handover] = {}
        self.shift = QLabel(self)
        self.shift.setObjectName("handoverShift")
        self.pending = QLabel(self)
        self.pending.setObjectName("handoverPending")
        self.pending.setWordWrap(True)
        self.pending.hide()
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("handoverNote")
        self.note.setPlaceholderText(
            self.tr("What the next shift must know: risks still open, promises to callers, units still out.")
        )
        self.note.setTabChangesFocus(True)
        self.capture = QLabel(self)
        self.capture.setObjectName("handoverCapture")
        self.submit = QPushButton(
            fill(self.tr("Hand over (%1)"), SUBMIT_SHORTCUT.toString(QKeySequence.SequenceFormat.NativeText)),
            self,
        )
        self.submit.setObjectName("handoverSubmit")
        self.history = QListWidget(self)
        self.history.setObjectName("handoverHistory")
        self.history.setMinimumHeight(120)
        self.detail_note = QLabel(self)
        self.detail_note.setObjectName("handoverDetailNote")
        self.detail_note.setWordWrap(True)
        self.detail_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cases = QTableWidget(0, 6, self)
        self.cases.setObjectName("handoverCases")
        self.cases.setHorizontalHeaderLabels(
            [self.tr("Case"), self.tr("State"), self.tr("Card"), self.tr("Deadline"), self.tr("Unit"),
             self.tr("Title")]
        )  # fmt: skip
        self.cases.verticalHeader().hide()
        self.cases.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cases.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.cases.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.acknowledge = QPushButton(self.tr("Acknowledge receipt"), self)
        self.acknowledge.setObjectName("handoverAcknowledge")
        self.export = QPushButton(self.tr("Export PDF…"), self)
        self.export.setObjectName("handoverExport")
        self.message = QLabel(self)
        self.message.setObjectName("handoverMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        compose = QWidget(self)
        compose.setObjectName("handoverCompose")
        compose_layout = QVBoxLayout(compose)
        compose_layout.setContentsMargins(0, 0, 0, 0)
        compose_layout.addWidget(self.shift)
        compose_layout.addWidget(self.note, 1)
        submit_row = QHBoxLayout()
        submit_row.addWidget(self.capture, 1)
        submit_row.addWidget(self.submit)
        compose_layout.addLayout(submit_row)
        detail = QWidget(self)
        detail.setObjectName("handoverDetail")
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_note)
        detail_layout.addWidget(self.cases, 1)
        detail_buttons = QHBoxLayout()
        detail_buttons.addStretch(1)
        detail_buttons.addWidget(self.acknowledge)
        detail_buttons.addWidget(self.export)
        detail_layout.addLayout(detail_buttons)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("handoverSplit")
        split.addWidget(compose)
        split.addWidget(self.history)
        split.addWidget(detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.addWidget(self.pending)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)

        # Filtered rather than a QShortcut: the text edit would take Ctrl+Return as a line break.
        self.note.installEventFilter(self)
        self.submit.clicked.connect(self._on_submit)
        self.acknowledge.clicked.connect(self._on_acknowledge)
        self.export.clicked.connect(self._on_export)
        self.history.currentItemChanged.connect(self._on_history_current_item_changed)
        self.set_actor(None)
        self._show_detail(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.note
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._on_submit()
            return True
        return super().eventFilter(watched, event)

    def set_actor(self, actor: Actor | None) -> None:
        """Only a shift lead writes or signs for a handover; everyone may read and print."""
        self._actor = actor
        lead = actor is not None and actor.role in HANDOVER_ROLES
        self.note.setReadOnly(not lead)
        self.submit.setEnabled(lead)
        self._show_detail(self.current())
        self._show_pending()

    def show_shift(self, shift: Shift, open_count: int) -> None:
        """The shift a handover written now closes, and how many open cases it would carry."""
        self.shift.setText(fill(self.tr("Handing over: %1"), self._words.shift_span(shift.start, shift.end)))
        self.capture.setText(fill(self.tr("%1 open cases will be listed with the note."), open_count))

    def show_handovers(self, handovers: Sequence[Handover]) -> None:
        """The recent handovers, newest first; the selection stays on the same handover."""
        current = self.current()
        self._handovers = {h.id: h for h in handovers}
        self.history.blockSignals(True)
        self.history.clear()
        for handover in handovers:
            item = QListWidgetItem(self._history_text(handover), self.history)
            item.setData(_ID_ROLE, handover.id)
        self.history.blockSignals(False)
        keep = current.id if current is not None and current.id in self._handovers else None
        row = [h.id for h in handovers].index(keep) if keep is not None else 0 if handovers else -1
        self.history.setCurrentRow(row)
        self._show_detail(self.current())
        self._show_pending()

    def show_outcome(self, text: str, *, ok: bool) -> None:
        self.message.setText(text)
        set_style_property(self.message, "tone", "ok" if ok else "error")
        self.message.setVisible(bool(text))

    def clear_note(self) -> None:
        self.note.clear()

    def current(self) -> Handover | None:
        item = self.history.currentItem()
        return None if item is None else self._handovers.get(item.data(_ID_ROLE))

    def _history_text(self, handover: Handover) -> str:
        span = self._words.shift_span(handover.shift_start, handover.shift_end)
        if handover.received:
            state = fill(self.tr("received by %1"), handover.received_by_name)
        else:
            state = self.tr("awaiting receipt")
        return f"{span} · {handover.author_name} · {state}"

    def _show_pending(self) -> None:
        waiting = next((h for h in self._handovers.values() if not h.received), None)
        if waiting is None:
            self.pending.hide()
            return
        self.pending.setText(
            fill(
                self.tr("Handover from %1 for %2 awaits receipt by the next shift lead."),
                waiting.author_name,
                self._words.shift_span(waiting.shift_start, waiting.shift_end),
            )
        )
        self.pending.show()

    def _show_detail(self, handover: Handover | None) -> None:
        self.export.setEnabled(handover is not None)
        actor = self._actor
        self.acknowledge.setEnabled(
            handover is not None
            and not handover.received
            and actor is not None
            and actor.role in HANDOVER_ROLES
            and actor.login != handover.author
        )
        if handover is None:
            self.detail_note.setText(self.tr("No handover yet."))
            self.cases.setRowCount(0)
            return
        self.detail_note.setText(handover.note)
        self.cases.setRowCount(len(handover.open_cases))
        for row, case in enumerate(handover.open_cases):
            deadline = local_time(case.deadline)
            if case.parked:
                deadline = fill(self.tr("%1 (parked)"), deadline)
            cells = (
                case.code, self._words.state(case.state), self._words.card(case.card) or "—", deadline,
                self._names.get(case.unit, case.unit) or "—", case.title,
            )  # fmt: skip
            for column, text in enumerate(cells):
                self.cases.setItem(row, column, QTableWidgetItem(text))

    def _on_submit(self) -> None:
        if not self.submit.isEnabled():
            return
        note = self.note.toPlainText().strip()
        if not note:
            self.show_outcome(self.tr("Write the handover note first."), ok=False)
            self.note.setFocus()
            return
        self.handover_submitted.emit(note)

    def _on_acknowledge(self) -> None:
        handover = self.current()
        if handover is not None:
            self.receipt_confirmed.emit(handover.id)

    def _on_export(self) -> None:
        handover = self.current()
        if handover is not None:
            self.export_requested.emit(handover.id)

    def _on_history_current_item_changed(self, *_: object) -> None:
        self._show_detail(self.current())
