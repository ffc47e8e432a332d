"""One wall window per screen: chrome-less and full screen, pages stacked, banners above them."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QCloseEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from widgets.wall.page_view import WallPageView
from widgets.wall.stale_banner import WallFeedBanner
from widgets.wall.takeover import WallTakeover

# Room kept around the picture so the burn-in shift never pushes it off the glass.
EDGE_PX = 12


class WallWindow(QWidget):
    """Shows one page at a time; takes no input (no buttons, no focus, no shortcuts): a wall is read-only."""

    def __init__(self, screen_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallWindow")
        self.screen_name = screen_name
        self.setWindowTitle(self.tr("Tianshu wall · %1").replace("%1", screen_name))
        self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.stage = QWidget(self)
        self.stage.setObjectName("wallStage")
        self.pages = QStackedWidget(self.stage)
        layout = QVBoxLayout(self.stage)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.banner = WallFeedBanner(self)
        self.takeover = WallTakeover(self)
        self._offset = (0, 0)
        self._edge = EDGE_PX
        self._splice = (1, 1)
        self._seam_gap = 0
        self.closed = False

    def place_on(self, screen: QScreen, size: tuple[int, int] | None = None) -> None:
        """Full screen on `screen`, or a video processor's input canvas `size` at its top left."""
        self.setScreen(screen)
        geometry = screen.geometry()
        if size is None:
            self.setGeometry(geometry)
            self.showFullScreen()
        else:
            self.setGeometry(QRect(geometry.topLeft(), geometry.topLeft()))
            self.resize(*size)
            self.show()

    def keep_read_only(self) -> None:
        """No part of the wall takes the keyboard or the mouse (a chart would pan, a map would zoom):
        call once everything is in place."""
        for child in self.findChildren(QWidget):
            child.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def add_page(self, page: WallPageView) -> None:
        self.pages.addWidget(page)
        self._place()

    def set_splice(self, columns: int, rows: int, gap: int) -> None:
        """The window is cut by a video wall's panels, `columns` × `rows` of them: `gap` px are kept clear
        over each seam (the bezel, the burn-in shift both ways and a margin)."""
        self._splice = (columns, rows)
        self._seam_gap = gap
        self._place()

    def seams(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Where the panels meet, in this window's pixels: (x of vertical seams, y of horizontal ones)."""
        columns, rows = self._splice
        return (
            tuple(round(self.width() * k / columns) for k in range(1, columns)),
            tuple(round(self.height() * k / rows) for k in range(1, rows)),
        )

    def page_names(self) -> tuple[str, ...]:
        return tuple(self.page(n).name for n in range(self.pages.count()))

    def page(self, index: int) -> WallPageView:
        widget = self.pages.widget(index)
        assert isinstance(widget, WallPageView)
        return widget

    def current_page(self) -> WallPageView:
        return self.page(self.pages.currentIndex())

    def show_page(self, index: int) -> None:
        if self.pages.currentIndex() != index:
            self.pages.setCurrentIndex(index)

    def shift(self, dx: int, dy: int) -> None:
        """Move the whole picture (burn-in protection); at most the edge kept around it either way."""
        offset = (max(-self._edge, min(self._edge, dx)), max(-self._edge, min(self._edge, dy)))
        if offset != self._offset:
            self._offset = offset
            self._place()

    @property
    def offset(self) -> tuple[int, int]:
        return self._offset

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed = True
        super().closeEvent(event)

    def _place(self) -> None:
        dx, dy = self._offset
        edge = self._edge
        self.stage.setGeometry(edge + dx, edge + dy, self.width() - 2 * edge, self.height() - 2 * edge)
        banner_height = self.banner.sizeHint().height()
        self.banner.setGeometry(edge + dx, edge + dy, self.width() - 2 * edge, banner_height)
        self.takeover.setGeometry(self.stage.geometry())
        xs, ys = self.seams()
        for index in range(self.pages.count()):
            # Moving the picture moves the pages against the seams: each lays its panels out again.
            self.page(index).set_seams(xs, ys, self._seam_gap)
