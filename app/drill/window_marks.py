"""Every window a drill opens carries the DRILL mark: an application event filter that marks each new one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from widgets.common.palette import Palette
from widgets.drill.watermark import DrillWatermark

# Windows that are seen as windows: not tooltips, menus or a combo box's list (they close in a moment).
_MARKED_TYPES = frozenset(
    {
        Qt.WindowType.Window,
        Qt.WindowType.Dialog,
        Qt.WindowType.Sheet,
        Qt.WindowType.Drawer,
        Qt.WindowType.Tool,
    }
)
MARKED = "drillMarked"


class DrillWindowMarks(QObject):
    """Installed on the application for the drill's lifetime: each top-level window, the first time it is
    shown (the dispatch dialog, a case's dialogs, message boxes, a torn-off panel's window…), gets the
    watermark's words above its contents (no banner: it would hide a small dialog's first line) and the
    drill word before its title. Nobody has to remember to mark a
    dialog: one opened by code written long after the drill window still says DRILL."""

    def __init__(self, app: QApplication, palette: Palette, word: str, skip: QWidget | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._palette = palette
        self._word = word
        self._skip = skip  # the drill window itself, marked by its own watermark and title
        app.installEventFilter(self)

    def close(self) -> None:
        """The drill is over: windows opened from now on are not marked."""
        self._app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and self.wants_mark(watched):
            self.mark(watched)
        return False

    def wants_mark(self, widget: QWidget) -> bool:
        if not widget.isWindow() or widget is self._skip or widget.property(MARKED):
            return False
        if isinstance(widget, QDockWidget | DrillWatermark):  # a floating dock keeps the window's mark
            return False
        return widget.windowType() in _MARKED_TYPES

    def mark(self, widget: QWidget) -> None:
        widget.setProperty(MARKED, True)
        DrillWatermark(self._palette, widget, banner=False)
        title = widget.windowTitle()
        if self._word not in title:
            widget.setWindowTitle(f"【{self._word}】{title}" if title else f"【{self._word}】")
