"""The duty desk: severe-case banner, incident queue and case panel side by side, notices, the key list."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.model import Action
from widgets.common.palette import Palette
from widgets.common.style import set_style_property
from widgets.common.tight_fit import ElidedLabel
from widgets.common.vocabulary import Vocabulary
from widgets.desk.action_form import ActionForm
from widgets.desk.case_panel import CasePanel
from widgets.desk.case_video import CAMERA_KEY, SCENE_KEY
from widgets.desk.case_words import ACTION_KEYS, CaseWords
from widgets.desk.dispatch_dialog import DispatchDialog
from widgets.desk.incident_queue import IncidentQueue
from widgets.desk.severe_alert import SevereAlertBanner

NOTICE_MS = 8000


class KeyList(QDialog):
    """F1: every key of the desk in one table; Esc closes it."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dutyKeys")
        self.setWindowTitle(self.tr("Duty desk keys"))
        table = QTableWidget(len(rows), 2, self)
        table.setObjectName("dutyKeysTable")
        table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Does")])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        for row, (key, text) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(text))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 720)


class DutyDesk(QWidget):
    """Lays the duty screens out and owns the keys that work anywhere on them."""

    refresh_requested = Signal(object)
    """F5: read the queue and the case again now (carries None)."""

    def __init__(self, vocabulary: Vocabulary, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dutyDesk")
        self.words = CaseWords(self)
        self.vocabulary = vocabulary
        self.setWindowTitle(self.tr("Duty desk"))
        self._build_severe_slot(vocabulary)
        self.queue = IncidentQueue(self.words, vocabulary, palette, self)
        self.panel = CasePanel(self.words, vocabulary, self)
        # One line, whatever it says (the whole text is its tooltip when cut): a notice that wrapped to two
        # lines would push the queue down under the pointer.
        self.notice = ElidedLabel("", self, tip=True)
        self.notice.setObjectName("dutyNotice")
        self.notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.notice.hide()
        self.role = QLabel(self)
        self.role.setObjectName("dutyRole")
        self.help_button = QToolButton(self)
        self.help_button.setObjectName("dutyHelp")
        self.help_button.setText(self.tr("Keys (F1)"))
        self.help_button.clicked.connect(self.show_keys)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("dutySplitter")
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # The default split follows the desk's width (a window maximised after its first show, another
        # screen) until the officer drags the handle or a saved split is restored.
        self._split_chosen = False
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self.top_row = QWidget(self)
        self.top_row.setObjectName("dutyTopRow")
        top = QHBoxLayout(self.top_row)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.notice, 1)
        top.addStretch(0)
        top.addWidget(self.role)
        top.addWidget(self.help_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.severe_slot)
        layout.addWidget(self.top_row)
        # As tall as its tallest part with or without a notice, so a notice coming or going moves nothing.
        for part in (self.notice, self.role, self.help_button):
            part.ensurePolished()
        self.notice.setText("Ag")
        self.top_row.setFixedHeight(
            max(part.sizeHint().height() for part in (self.notice, self.role, self.help_button))
        )
        self.notice.setText("")
        layout.addWidget(self.splitter, 1)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.notice.hide)
        self.keys: KeyList | None = None
        self._more_keys: list[tuple[str, str]] = []
        self.dispatch_dialog = DispatchDialog(vocabulary, self)
        self.form = ActionForm(self.words, self)
        # Whatever a dialog ended with, the keys go back to the queue.
        self.dispatch_dialog.finished.connect(self._on_dialog_finished)
        self.form.finished.connect(self._on_dialog_finished)
        self._build_actions()
        self.queue.case_activated.connect(self._on_queue_case_activated)
        self.banner.case_requested.connect(self._on_banner_case_requested)

    def _build_severe_slot(self, vocabulary: Vocabulary) -> None:
        """The banner's place, always as tall as the banner: a calm line while no severe case waits, so
        nothing below moves when alerts come and go."""
        self.banner = SevereAlertBanner(self.words, vocabulary, self)
        self.calm = QLabel(self.tr("No severe case waiting"), self)
        self.calm.setObjectName("severeCalm")
        self.severe_slot = QWidget(self)
        self.severe_slot.setObjectName("severeSlot")
        slot = QVBoxLayout(self.severe_slot)
        slot.setContentsMargins(0, 0, 0, 0)
        slot.setSpacing(0)
        slot.addWidget(self.banner)
        slot.addWidget(self.calm)
        self.severe_slot.setFixedHeight(self.banner.line_height())
        self.calm.setFixedHeight(self.banner.line_height())
        self.banner.alerts_shown.connect(self._on_banner_alerts_shown)

    def _on_banner_alerts_shown(self, alerts: tuple[object, ...]) -> None:
        self.calm.setVisible(not alerts)

    def _on_refresh_triggered(self) -> None:
        self.queue.let_newer_in()
        self.refresh_requested.emit(None)

    def _build_actions(self) -> None:
        def desk_action(name: str, text: str, keys: list[str], slot: object) -> QAction:
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.desk_actions = (
            desk_action("dutyKeysAction", self.tr("Show the keys"), ["F1"], self.show_keys),
            desk_action("dutyBack", self.tr("Back to the queue"), ["Esc"], self.back_to_queue),
            desk_action("dutyRefresh", self.tr("Refresh now"), ["F5"], self._on_refresh_triggered),
            desk_action(
                "dutyAcknowledge",
                self.words.action(Action.ACKNOWLEDGE),
                [ACTION_KEYS[Action.ACKNOWLEDGE]],
                self.banner.acknowledge_first,
            ),
        )
        # Queue and panel keys work wherever the focus is on the desk, not only inside their own widget.
        for act in (*self.desk_actions, *self.queue.navigation, *self.panel.actions()):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            if act not in self.actions():
                self.addAction(act)

    def key_rows(self) -> list[tuple[str, str]]:
        """(key, what it does) for every key of the desk, as the F1 list shows them."""
        rows = [("J / ↓", self.tr("Next case")), ("K / ↑", self.tr("Previous case")),
                ("Enter", self.tr("Open the case in the panel"))]  # fmt: skip
        moves = ("queueDown", "queueUp")  # listed above with their arrow keys
        for act in (*self.queue.navigation, *self.desk_actions):
            if act.objectName() in moves:
                continue
            for sequence in act.shortcuts():
                rows.append((sequence.toString(QKeySequence.SequenceFormat.NativeText), act.text()))
        for action, key in ACTION_KEYS.items():
            if action is not Action.ACKNOWLEDGE:
                rows.append((key, self.words.action(action)))
        rows.append((CAMERA_KEY, self.tr("Show the case's camera")))
        rows.append((SCENE_KEY, self.tr("Show the cameras that see the case's place")))
        return rows + self._more_keys

    def add_key(self, key: str, text: str) -> None:
        """A key another part of the window offers while the desk is in front, for the F1 list."""
        self._more_keys.append((key, text))
        self.keys = None

    def show_keys(self) -> None:
        if self.keys is None:
            self.keys = KeyList(self.key_rows(), self)
        self.keys.open()
        # The list takes the keyboard at once, so Esc closes it rather than reaching the desk behind it.
        self.keys.raise_()
        self.keys.activateWindow()

    def back_to_queue(self) -> None:
        self.notice.hide()
        self.queue.focus_table()

    def show_notice(self, text: str, tone: str = "info") -> None:
        """A line above the queue: what was done (fades after a while) or what went wrong (stays)."""
        self.notice.setText(text)
        set_style_property(self.notice, "tone", tone)
        self.notice.show()
        if tone == "error":
            self._notice_timer.stop()
        else:
            self._notice_timer.start()

    def show_role(self, text: str) -> None:
        self.role.setText(text)

    def roomy_width(self) -> int:
        """The width at which the queue shows whole 20-character titles beside a comfortable case panel."""
        return self.queue.roomy_width() + self.splitter.handleWidth() + self.panel.roomy_width()

    def default_split(self, width: int) -> tuple[int, int]:
        """Queue and case panel widths for a desk `width` wide: the queue gets what shows whole titles,
        the panel its comfortable width, and any width left to the queue (its card column); a narrow desk
        never gives the panel less than it needs (its case scrolls down)."""
        room = max(0, width - self.splitter.handleWidth())
        queue_want, panel_want = self.queue.roomy_width(), self.panel.roomy_width()
        # Short of both wants, the panel gives way down to its floor (a timeline row's time and who
        # whole), then the queue's category column steps aside (titles stay whole); a laptop's desk gives
        # the panel only what it needs (its case scrolls down).
        short = max(0, queue_want + panel_want - room)
        floor = min(self.panel.floor_width(), room // 3)
        panel = min(room, max(self.panel.minimumSizeHint().width(), panel_want - short, floor))
        return room - panel, panel

    def apply_default_split(self) -> None:
        if self.splitter.width() > 0:
            self.splitter.setSizes(list(self.default_split(self.splitter.width())))

    def split_state(self) -> QByteArray:
        return self.splitter.saveState()

    def restore_split(self, state: QByteArray) -> bool:
        """A split saved with split_state; it then stays as the officer left it."""
        restored = self.splitter.restoreState(state)
        self._split_chosen = self._split_chosen or restored
        return restored

    def _on_splitter_moved(self, _: int, __: int) -> None:
        self._split_chosen = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The queue's table would claim nearly all the width by its size hint.
        if not self._split_chosen:
            self.apply_default_split()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._split_chosen and self.isVisible():
            self.apply_default_split()

    def _on_dialog_finished(self, _: int) -> None:
        self.activateWindow()
        self.queue.focus_table()

    def _on_queue_case_activated(self, _: int) -> None:
        self.panel.tabs.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_banner_case_requested(self, case_id: int) -> None:
        if not self.queue.select_case(case_id):
            self.show_notice(self.tr("That case is not on this page of the queue; clear the filters."))
        self.queue.focus_table()
