"""A strip over the top of the main view while the feed is lost: since when, and what is being done."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMainWindow

from dispatch.feed.values import FeedStatus
from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary

# Room left around the strip, so the docks' titles it floats over stay readable at its sides.
MARGIN = 12
# The strip's share of the window at most: wide enough to read across a room, narrow enough to leave
# the vital-sign tiles at both ends in view.
WIDTH_SHARE = 0.7


class FeedLostBanner(QFrame):
    """Floats over the window instead of taking a row of the layout, so showing it moves nothing under
    the pointer; clicks pass through it to what it covers."""

    def __init__(self, vocabulary: Vocabulary, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("feedLostBanner")
        self._words = vocabulary
        self._window = window
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.text = QLabel("", self)
        self.text.setObjectName("feedLostText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 16, 6)
        row.addWidget(self.text)
        window.installEventFilter(self)
        self.hide()

    def show_loss(self, feed: FeedStatus, since: float, retry_in: float | None) -> None:
        """The feed is lost (or paused by the store) since `since`: say so, with what happens next."""
        clock = time.strftime("%H:%M:%S", time.localtime(since))
        # A store that cannot take writes pauses a healthy connection: that is not a lost feed.
        title = self.tr("Feed paused since %1") if feed.storage is not None else self.tr("Feed lost since %1")
        text = f"{fill(title, clock)} · {self._words.connection(feed, retry_in)}"
        if self.text.text() != text:
            self.text.setText(text)
            self._place()
        if self.isHidden():
            self.show()
            self._place()
            self.raise_()

    def clear(self) -> None:
        """The feed is back."""
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return super().eventFilter(watched, event)

    def _place(self) -> None:
        window = self._window
        header = window.menuWidget()
        top = header.geometry().bottom() + 1 + MARGIN // 2 if header is not None else MARGIN
        room = window.width() - 2 * MARGIN
        width = max(min(room, int(window.width() * WIDTH_SHARE)), min(room, self.sizeHint().width()))
        self.setGeometry((window.width() - width) // 2, top, width, self.sizeHint().height())
