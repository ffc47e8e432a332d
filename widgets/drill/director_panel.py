"""The director's panel on the drill window: scenario clock, pause / resume, the injects, send now, skip."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# The director's replies kept on screen; older ones are in the drill store's log.
REPLY_LINES = 200
REPLY_ROWS_SHOWN = 4
INJECT_ROWS_SHOWN = 5


class InjectState(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class InjectRow:
    """One line of the master scenario events list as the director sees it."""

    id: str
    what: str
    at_s: float | None  # None: a contingency inject, sent only if an expected action is missed
    state: InjectState
    sent_s: float | None = None


@dataclass(frozen=True, slots=True)
class DirectorRequest:
    """What the director asked for: a verb of sim/drill/director.py and, for send and skip, an inject."""

    verb: str
    inject: str = ""


def scenario_clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    return f"+{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class DirectorPanel(QWidget):
    """Renders the drill's clock and injects; its buttons ask for commands and carry out nothing."""

    command_requested = Signal(object)
    """The director pressed a control (carries a DirectorRequest)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drillDirectorPanel")
        self.setWindowTitle(self.tr("Drill director"))
        self.title = QLabel(self)
        self.title.setObjectName("drillTitle")
        self.title.setWordWrap(True)
        self.clock = QLabel(self)
        self.clock.setObjectName("drillClock")
        self.pause = self._button("drillPause", self.tr("Pause"), "pause")
        self.resume = self._button("drillResume", self.tr("Resume"), "resume")
        self.send = self._button("drillSendNow", self.tr("Send now"), "send")
        self.skip = self._button("drillSkip", self.tr("Skip"), "skip")
        self.pause.setToolTip(self.tr("Stop the exercise clock: injects, units and deadlines all wait"))
        self.send.setToolTip(self.tr("Send the selected inject at once, also while paused"))
        self.skip.setToolTip(self.tr("Never send the selected inject"))
        self.injects = QTableWidget(0, 4, self)
        self.injects.setObjectName("drillInjects")
        self.injects.setHorizontalHeaderLabels(
            [self.tr("Inject"), self.tr("What"), self.tr("Due"), self.tr("State")]
        )
        self.injects.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.injects.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.injects.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.injects.verticalHeader().hide()
        header = self.injects.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # The director picks from the list: keep a few rows in view even in a crowded right column.
        rows = self.injects.verticalHeader().defaultSectionSize() * INJECT_ROWS_SHOWN
        self.injects.setMinimumHeight(rows + header.sizeHint().height())
        self.injects.itemSelectionChanged.connect(self._enable)
        self.replies = QPlainTextEdit(self)
        self.replies.setObjectName("drillReplies")
        self.replies.setReadOnly(True)
        self.replies.setMaximumBlockCount(REPLY_LINES)
        # A few lines of replies; the injects take the dock's height.
        self.replies.setMaximumHeight(self.replies.fontMetrics().lineSpacing() * REPLY_ROWS_SHOWN)
        controls = QHBoxLayout()
        for button in (self.pause, self.resume, self.send, self.skip):
            controls.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.clock)
        layout.addLayout(controls)
        layout.addWidget(self.injects, 3)
        layout.addWidget(self.replies, 1)
        self._running = True
        self._ended = False
        self._clock_text = ""
        self._rows: list[InjectRow] = []
        self.show_clock(0.0, running=True, speed=1.0)

    def _button(self, name: str, text: str, verb: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda: self._request(verb))
        return button

    def _request(self, verb: str) -> None:
        inject = ""
        if verb in ("send", "skip"):
            row = self.selected()
            if row is None:
                return
            inject = row.id
        request = DirectorRequest(verb, inject)
        self.command_requested.emit(request)
        self.show_reply(f"{self._clock_text} {self._asked(request)}")

    def _asked(self, request: DirectorRequest) -> str:
        words = {
            "pause": self.tr("paused the drill"),
            "resume": self.tr("resumed the drill"),
            "send": self.tr("sent %1 now"),
            "skip": self.tr("skipped %1"),
        }
        return words.get(request.verb, request.verb).replace("%1", request.inject)

    def show_title(self, title: str) -> None:
        self.title.setText(title)

    def show_clock(self, scenario_s: float, *, running: bool, speed: float) -> None:
        self._running = running
        state = self.tr("running at %1×").replace("%1", f"{speed:g}") if running else self.tr("paused")
        if self._ended:
            state = self.tr("ended")
        self._clock_text = scenario_clock(scenario_s)
        self.clock.setText(self.tr("Scenario time %1 · %2").replace("%1", self._clock_text)
                           .replace("%2", state))  # fmt: skip
        self.clock.setProperty("paused", not running)
        self.clock.style().unpolish(self.clock)
        self.clock.style().polish(self.clock)
        self._enable()

    def show_injects(self, rows: Sequence[InjectRow]) -> None:
        """The injects in list order; the selection stays on the same inject."""
        chosen = self.selected()
        self._rows = list(rows)
        table = self.injects
        table.blockSignals(True)
        # The selection follows the inject, not the row number: another inject on that row is not chosen.
        table.selectionModel().clear()  # the current row too: Qt would select whatever moves onto it
        table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            due = self.tr("if missed") if row.at_s is None else scenario_clock(row.at_s)
            for column, text in enumerate((row.id, row.what, due, self._state(row))):
                item = table.item(n, column)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(n, column, item)
                if item.text() != text:
                    item.setText(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            if chosen is not None and row.id == chosen.id:
                table.selectRow(n)
        table.blockSignals(False)
        self._enable()

    def _state(self, row: InjectRow) -> str:
        if row.state is InjectState.SENT:
            return self.tr("sent %1").replace("%1", scenario_clock(row.sent_s or 0.0))
        if row.state is InjectState.SKIPPED:
            return self.tr("skipped")
        return self.tr("waiting")

    def show_reply(self, line: str) -> None:
        self.replies.appendPlainText(line)

    def show_ended(self, store: str) -> None:
        """The scenario has ended: the controls go quiet; the team may still work the cases."""
        self._ended = True
        for button in (self.pause, self.resume, self.send, self.skip):
            button.setEnabled(False)
        self.show_reply(
            self.tr("The drill has ended; its review: python main.py review --db %1").replace("%1", store)
        )

    def selected(self) -> InjectRow | None:
        rows = self.injects.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def _enable(self) -> None:
        if self._ended:
            return
        row = self.selected()
        waiting = row is not None and row.state is not InjectState.SENT
        self.pause.setEnabled(self._running)
        self.resume.setEnabled(not self._running)
        self.send.setEnabled(waiting)
        self.skip.setEnabled(waiting and row is not None and row.state is InjectState.PENDING)
