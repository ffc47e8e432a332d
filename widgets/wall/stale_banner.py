"""The wall's feed banner: no new readings for a while, so the values shown are that old."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from widgets.common.style import fill


def age_words(seconds: float, minutes_text: str, hours_text: str) -> str:
    minutes = max(1, int(seconds // 60))
    if minutes < 120:
        return fill(minutes_text, minutes)
    return fill(hours_text, minutes // 60)


class WallFeedBanner(QLabel):
    """A strip across the top of the wall while the readings have stopped; the last values stay below it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("wallFeedBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_stale(self, last: float, now: float) -> None:
        """The newest reading is from `last`: say since when, and how old every value shown is."""
        clock = time.strftime("%H:%M", time.localtime(last))
        age = age_words(now - last, self.tr("%1 min"), self.tr("%1 h"))
        text = fill(self.tr("Feed lost since %1 · values shown are %2 old"), clock, age)
        if self.text() != text:
            self.setText(text)
        self.show()
        self.raise_()

    def clear(self) -> None:
        self.hide()
