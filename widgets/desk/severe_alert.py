"""The severe-case banner: new level I–II cases flash over the queue until someone acknowledges them."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from dispatch.casework.model import Action
from dispatch.casework.readouts import QueueRow
from widgets.common.style import fill, set_style_property
from widgets.common.tight_fit import ElidedLabel
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_words import ACTION_KEYS, CaseWords

FLASH_MS = 600


class SevereAlertBanner(QFrame):
    """Hidden while nothing is waiting; otherwise names the newest unacknowledged severe case and flashes.

    The flash is a paint effect of this widget; which cases are waiting is decided by the app. One line of
    fixed height whatever the title: a long one ends in "…" (the whole text is the tooltip), so the banner
    never grows a second line and moves the desk under the officer's pointer.
    """

    acknowledge_requested = Signal(object)
    """The officer acknowledges the case shown (carries its QueueRow)."""
    case_requested = Signal(int)
    """The officer wants to look at the case shown (carries its id)."""
    alerts_shown = Signal(object)
    """The cases waiting changed (carries the tuple of QueueRows; empty when the banner hides)."""

    def __init__(self, words: CaseWords, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("severeAlert")
        self._words = words
        self._vocabulary = vocabulary
        self._alerts: tuple[QueueRow, ...] = ()
        self._may_acknowledge = True
        self.text = ElidedLabel("", self, tip=True)
        self.text.setObjectName("severeAlertText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.show_button = QPushButton(self.tr("Show"), self)
        self.show_button.setObjectName("severeAlertShow")
        self.show_button.setToolTip(self.tr("Select the case in the queue"))
        self.show_button.clicked.connect(self._on_show_clicked)
        key = ACTION_KEYS[Action.ACKNOWLEDGE]
        self.acknowledge = QPushButton(fill(self.tr("Acknowledge (%1)"), key), self)
        self.acknowledge.setObjectName("severeAlertAcknowledge")
        self.acknowledge.clicked.connect(self.acknowledge_first)
        self._row = layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.acknowledge)
        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_MS)
        self._flash.timeout.connect(self._on_flash_timeout)
        set_style_property(self, "flash", "off")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.line_height())
        self.hide()

    def line_height(self) -> int:
        """The banner's one height: its text line or its buttons, whichever is taller, and its margins."""
        for widget in (self, self.text, self.show_button, self.acknowledge):
            widget.ensurePolished()
        margins = self._row.contentsMargins()
        inner = max(self.text.fontMetrics().height(), self.show_button.sizeHint().height(),
                    self.acknowledge.sizeHint().height())  # fmt: skip
        frame = 2 * self.frameWidth() + 2  # the 2 px bottom border the theme draws
        return inner + margins.top() + margins.bottom() + frame

    @property
    def alerts(self) -> tuple[QueueRow, ...]:
        return self._alerts

    def set_can_acknowledge(self, may: bool) -> None:
        """Whether the role signed in may acknowledge: a wall viewer sees the alert, not the button; the
        banner clears when a console that may acknowledges (the alerts come from the shared store)."""
        self._may_acknowledge = may
        self.acknowledge.setVisible(may)

    def show_alerts(self, alerts: tuple[QueueRow, ...]) -> None:
        """The unacknowledged severe cases, newest first; an empty tuple hides the banner."""
        self._alerts = alerts
        if not alerts:
            self._flash.stop()
            self.hide()
            self.alerts_shown.emit(alerts)
            return
        first = alerts[0]
        words = self._vocabulary
        text = fill(
            self.tr("New %1 case: %2 · %3 · %4"),
            words.severity(first.severity),
            words.category(first.category),
            first.title,
            first.code,
        )
        if len(alerts) > 1:
            text += "  " + fill(self.tr("(+%1 more waiting)"), len(alerts) - 1)
        self.text.setText(text)
        self.show()
        self.alerts_shown.emit(alerts)
        if not self._flash.isActive():
            self._flash.start()

    def _on_flash_timeout(self) -> None:
        set_style_property(self, "flash", "off" if self.property("flash") == "on" else "on")

    def acknowledge_first(self) -> None:
        """Acknowledge the case the banner names (the A key does this from anywhere on the desk)."""
        if self._alerts and self._may_acknowledge:
            self.acknowledge_requested.emit(self._alerts[0])

    def _on_show_clicked(self) -> None:
        if self._alerts:
            self.case_requested.emit(self._alerts[0].id)
