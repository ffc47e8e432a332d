"""The severe-event takeover: a severe case or alarm covers the wall until a duty console acknowledges it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from widgets.common.style import fill
from widgets.common.tight_fit import ElidedLabel


@dataclass(frozen=True, slots=True)
class Takeover:
    """What takes the wall: a case (or a firing alarm's case) with what, where and when, in words."""

    key: str  # the case code: each wall reports which takeover it shows
    level_words: str
    what: str
    where: str
    when: str


class WallTakeover(QFrame):
    """Covers the page below it; shows the newest most severe takeover and how many more are queued."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallTakeover")
        self.title = ElidedLabel("", self)
        self.title.setObjectName("wallTakeoverTitle")
        self.detail = QLabel("", self)
        self.detail.setObjectName("wallTakeoverDetail")
        self.detail.setWordWrap(True)
        self.queue = QLabel("", self)
        self.queue.setObjectName("wallTakeoverQueue")
        self.hint = QLabel(self.tr("Acknowledge at a duty console"), self)
        self.hint.setObjectName("wallTakeoverDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.queue)
        layout.addWidget(self.hint)
        self.shown: Takeover | None = None
        self.hide()

    def show_takeovers(self, takeovers: tuple[Takeover, ...]) -> None:
        """The queue, most important first; empty hides the takeover and the page shows again."""
        if not takeovers:
            self.shown = None
            self.hide()
            return
        first = takeovers[0]
        if first != self.shown:
            self.shown = first
            self.title.setText(f"{first.level_words} · {first.what}")
            self.detail.setText(f"{first.where}\n{first.when}")
        more = len(takeovers) - 1
        self.queue.setText(fill(self.tr("%1 more waiting"), more) if more else "")
        self.queue.setVisible(bool(more))
        if self.isHidden():
            self.show()
        self.raise_()
