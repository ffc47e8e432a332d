"""The cockpit header: product title, what feed is shown, a wall clock, and an optional warning banner."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


class CockpitHeader(QWidget):
    """Sits above the docks (QMainWindow.setMenuWidget), so no layout change can hide it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cockpitHeader")
        self.title = QLabel(self.tr("Tianshu · City Operations Cockpit"), self)
        self.title.setObjectName("headerTitle")
        self.subtitle = QLabel("", self)
        self.subtitle.setObjectName("headerSubtitle")
        self.date = QLabel("", self)
        self.date.setObjectName("headerDate")
        self.date.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.clock = QLabel("", self)
        self.clock.setObjectName("headerClock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.banner = QLabel("", self)
        self.banner.setObjectName("warningBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        row = QHBoxLayout()
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(16)
        row.addWidget(self.title)
        row.addWidget(self.subtitle, 1, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.date)
        row.addWidget(self.clock)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.banner)

    def show_feed(self, description: str) -> None:
        self.subtitle.setText(description)

    def show_time(self, now: float) -> None:
        local = time.localtime(now)
        self.date.setText(time.strftime("%Y-%m-%d", local))
        self.clock.setText(time.strftime("%H:%M:%S", local))

    def show_warning(self, text: str) -> None:
        """A non-modal warning that stays until the cause is fixed (the operator can still work)."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
