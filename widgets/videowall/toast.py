"""A short confirmation floating at the bottom of the wall (抓图存证 and the like), gone after seconds."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from widgets.common.style import set_style_property

SHOW_MS = 4000
# A snapshot of a four-camera pop-up confirms four files: they stack instead of replacing each other.
MAX_LINES = 4
MARGIN = 16


class WallToast(QLabel):
    """Lines said within SHOW_MS of each other stay together (newest last); the whole toast hides SHOW_MS
    after the last one. Placed by itself over the bottom of its parent, above the tiles and the pop-up."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("videoToast")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.lines: list[str] = []
        self.hide_timer = QTimer(self)
        self.hide_timer.setSingleShot(True)
        self.hide_timer.setInterval(SHOW_MS)
        self.hide_timer.timeout.connect(self.dismiss)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.lines = [*self.lines, text][-MAX_LINES:]
        self.setText("\n".join(self.lines))
        set_style_property(self, "error", "true" if error else "false")
        self._place()
        self.show()
        self.raise_()
        self.hide_timer.start()

    def dismiss(self) -> None:
        self.lines = []
        self.hide_timer.stop()
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        area = parent.rect()
        # As wide as the longest line (a snapshot's file name has no space to wrap at), within the wall.
        self.ensurePolished()
        longest = max((self.fontMetrics().horizontalAdvance(line) for line in self.lines), default=0)
        width = min(area.width() - 2 * MARGIN, max(360, longest + 48))
        height = self.heightForWidth(width) if self.hasHeightForWidth() else self.sizeHint().height()
        height = min(height + 16, area.height())
        left = area.center().x() - width // 2
        self.setGeometry(QRect(left, area.bottom() - MARGIN - height, width, height))
