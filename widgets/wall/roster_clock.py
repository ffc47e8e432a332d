"""The wall's duty panel: the clock and date, and who is on duty in which role."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.common.tight_fit import ElidedLabel

ROSTER_ROWS = 4


class WallRosterClock(QWidget):
    """`show_time` once a second; `show_roster` when the signed-in crew changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallRosterClock")
        self.clock = QLabel("", self)
        self.clock.setObjectName("wallClock")
        self.date = QLabel("", self)
        self.date.setObjectName("wallDate")
        self.rows: list[ElidedLabel] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.clock, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.date)
        for _ in range(ROSTER_ROWS):
            row = ElidedLabel("", self)
            row.setObjectName("wallRosterRow")
            layout.addWidget(row)
            self.rows.append(row)
        layout.addStretch(1)
        self.show_roster(())

    def show_time(self, now: float) -> None:
        local = time.localtime(now)
        text = time.strftime("%H:%M", local)
        if self.clock.text() != text:
            self.clock.setText(text)
        date = time.strftime("%Y-%m-%d", local)
        if self.date.text() != date:
            self.date.setText(date)

    def show_roster(self, crew: Sequence[tuple[str, str]]) -> None:
        """(role, name) pairs of the operators signed in, most senior first."""
        if not crew:
            self.rows[0].setText(self.tr("Nobody signed in"))
            for row in self.rows[1:]:
                row.setText("")
            return
        for n, row in enumerate(self.rows):
            row.setText(f"{crew[n][0]} {crew[n][1]}" if n < len(crew) else "")
