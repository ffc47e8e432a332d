"""The video wall: tiles in grid and irregular layouts, maximise, keyboard navigation, tour controls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from widgets.common.palette import Palette
from widgets.common.style import fill
from widgets.common.tight_fit import BreakingRow
from widgets.videowall.popup import LinkagePopup
from widgets.videowall.tile import VideoTile
from widgets.videowall.toast import WallToast
from widgets.videowall.waiting import WaitingCases
from widgets.videowall.words import VideoWords

# row, column, rows spanned, columns spanned
Cell = tuple[int, int, int, int]
GAP = 2
# The gap above a pop-up that only carries a message (no camera to show).
GAP_BAR = 12


@dataclass(frozen=True, slots=True)
class WallLayout:
    """A `side`×`side` grid; with `big` > 0 the first tile spans `big`×`big` cells at the top left."""

    key: str
    side: int
    big: int = 0

    @property
    def cells(self) -> tuple[Cell, ...]:
        side, big = self.side, self.big
        if not big:
            return tuple((r, c, 1, 1) for r in range(side) for c in range(side))
        rest = tuple((r, c, 1, 1) for r in range(side) for c in range(side) if r >= big or c >= big)
        return ((0, 0, big, big), *rest)

    @property
    def count(self) -> int:
        return len(self.cells)


# Ctrl+1 … Ctrl+8 pick these in order: Ctrl+N is the N×N grid for N ≤ 6.
LAYOUTS = (
    WallLayout("1", 1),
    WallLayout("4", 2),
    WallLayout("9", 3),
    WallLayout("16", 4),
    WallLayout("25", 5),
    WallLayout("36", 6),
    WallLayout("1+5", 3, 2),
    WallLayout("1+7", 4, 3),
)
MAX_TILES = max(layout.count for layout in LAYOUTS)
DEFAULT_LAYOUT = LAYOUTS[3]
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, len(LAYOUTS) + 1)}
_ARROWS = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


def layout_for(key: str) -> WallLayout | None:
    return next((layout for layout in LAYOUTS if layout.key == key), None)


def cell_rect(layout: WallLayout, cell: Cell, area: QRect, gap: int = GAP) -> QRect:
    """Pixel rectangle of a cell: edges rounded once, so neighbours share them and gaps stay even."""
    row, column, rows, columns = cell

    def edge(i: int, total: int) -> int:
        return round(i * (total + gap) / layout.side)

    left, top = edge(column, area.width()), edge(row, area.height())
    right = edge(column + columns, area.width()) - gap
    bottom = edge(row + rows, area.height()) - gap
    return QRect(area.left() + left, area.top() + top, max(1, right - left), max(1, bottom - top))


def neighbour(layout: WallLayout, index: int, dx: int, dy: int) -> int:
    """The tile an arrow key moves to: the nearest cell whose centre lies that way, else `index`."""
    cells = layout.cells
    row, column, rows, columns = cells[index]
    cx, cy = column + columns / 2, row + rows / 2
    best, best_score = index, float("inf")
    for i, (r, c, rs, cs) in enumerate(cells):
        ox, oy = c + cs / 2 - cx, r + rs / 2 - cy
        along, across = ox * dx + oy * dy, abs(ox * dy) + abs(oy * dx)
        if along <= 0:
            continue
        score = along + 2 * across
        if score < best_score:
            best, best_score = i, score
    return best


@dataclass(frozen=True, slots=True)
class TourRequest:
    """Cycle the cameras of `group` through the wall, a page every `interval_s` seconds."""

    group: str
    interval_s: int


class _TileArea(QWidget):
    """Places the tiles of the current layout by hand (exact, even gaps) and keeps the pop-up on top."""

    def __init__(self, wall: VideoWall) -> None:
        super().__init__(wall)
        self.setObjectName("videoWallGrid")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._wall = wall

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._wall.place_tiles()


class VideoWall(QWidget):
    """What the wall shows is view state owned here (layout, maximised tile, current tile); which camera
    each tile shows, and its frames, come from app/ through the tiles' verb methods."""

    layout_changed = Signal(object)
    """The wall now shows another layout (carries the WallLayout)."""
    maximised_changed = Signal(object)
    """A tile was maximised (carries its index) or the grid restored (carries None)."""
    current_changed = Signal(int)
    """The keyboard's tile moved (carries its index)."""
    camera_dropped = Signal(object)
    """A camera was dropped on a tile (carries a TileDrop)."""
    swap_requested = Signal(object)
    """A tile was dropped on another (carries a TileSwap)."""
    tile_resized = Signal(int)
    """A shown tile changed size (carries its index)."""
    clear_requested = Signal(int)
    """The officer removed the camera from a tile (Delete; carries the index)."""
    snapshot_requested = Signal(int)
    """Save the picture of a tile (S; carries the index)."""
    tour_requested = Signal(object)
    """Start a tour (carries a TourRequest)."""
    tour_stop_requested = Signal(object)
    """Stop the tour (carries None)."""

    def __init__(self, palette: Palette, words: VideoWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoWall")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.words = words
        self.wall_layout = DEFAULT_LAYOUT
        self.maximised: int | None = None
        self.current = 0
        self.grid = _TileArea(self)
        self.tiles = [VideoTile(i, palette, words, self.grid) for i in range(MAX_TILES)]
        for tile in self.tiles:
            tile.camera_dropped.connect(self.camera_dropped)
            tile.swap_requested.connect(self.swap_requested)
            tile.activated.connect(self._on_tile_activated)
            tile.selected.connect(self._on_tile_selected)
            tile.resized.connect(self.tile_resized)
        self.popup = LinkagePopup(palette, words, self.grid)
        self.popup.maximised_changed.connect(self._on_popup_maximised_changed)
        self.popup.cameras_changed.connect(self._on_popup_cameras_changed)
        self.popup.closed.connect(self._on_popup_cameras_changed)
        self.toast = WallToast(self.grid)
        # Laid out beside the camera tree by the dock (app/videowall/dock.py), so it never covers a tile.
        self.waiting = WaitingCases(self)
        bar = self._toolbar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(bar)
        layout.addWidget(self.grid, 1)
        self._check_layout_button()
        self.tiles[0].set_current(True)
        self.cameras_shown()

    def _toolbar(self) -> QWidget:
        # Layouts and snapshot on the left, the tour on the right; on a narrow screen (a 1280 laptop
        # with the wall as a tab beside the desk) the tour goes to a second line instead of widening it.
        layouts = QWidget(self)
        row = QHBoxLayout(layouts)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.wall_layoutbuttons = QButtonGroup(layouts)
        for n, wall_layout in enumerate(LAYOUTS, start=1):
            button = QToolButton(layouts)
            button.setObjectName("videoLayoutButton")
            button.setText(wall_layout.key)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(fill(self.tr("%1 tiles (Ctrl+%2)"), wall_layout.count, n))
            button.clicked.connect(lambda _=False, chosen=wall_layout: self.set_layout(chosen))
            self.wall_layoutbuttons.addButton(button, n - 1)
            row.addWidget(button)
        row.addSpacing(16)
        self.snapshot_button = QPushButton(self.tr("Snapshot (S)"), layouts)
        self.snapshot_button.setObjectName("videoWallButton")
        self.snapshot_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.snapshot_button.clicked.connect(lambda: self.snapshot_requested.emit(self.current))
        row.addWidget(self.snapshot_button)
        tour = QWidget(self)
        row = QHBoxLayout(tour)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.tour_state = QLabel(tour)
        self.tour_state.setObjectName("videoTourState")
        row.addWidget(self.tour_state)
        self.tour_group = QComboBox(tour)
        self.tour_group.setObjectName("videoTourGroup")
        self.tour_group.setToolTip(self.tr("Camera group to tour"))
        row.addWidget(self.tour_group)
        self.tour_interval = QSpinBox(tour)
        self.tour_interval.setObjectName("videoTourInterval")
        self.tour_interval.setRange(5, 600)
        self.tour_interval.setValue(20)
        self.tour_interval.setSuffix(self.tr(" s"))
        self.tour_interval.setToolTip(self.tr("Seconds each page of the tour stays on the wall"))
        row.addWidget(self.tour_interval)
        self.tour_button = QPushButton(self.tr("Start tour"), tour)
        self.tour_button.setObjectName("videoWallButton")
        self.tour_button.setCheckable(True)
        self.tour_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tour_button.clicked.connect(self._on_tour_button_clicked)
        row.addWidget(self.tour_button)
        self._bar = BreakingRow((layouts, tour), self)
        self._bar.setObjectName("videoWallBar")
        self._bar.setContentsMargins(6, 4, 6, 4)
        return self._bar

    # -- view state ---------------------------------------------------------------------------------

    def set_layout(self, wall_layout: WallLayout) -> None:
        """Show `wall_layout` (restoring a maximised tile first); says so with layout_changed."""
        if self.maximised is not None:
            self.restore()
        changed = wall_layout != self.wall_layout
        self.wall_layout = wall_layout
        self._check_layout_button()
        if self.current >= wall_layout.count:
            self.set_current(0)
        self.place_tiles()
        if changed:
            self.layout_changed.emit(wall_layout)

    def visible_tiles(self) -> list[VideoTile]:
        """The tiles on screen now: every tile of the layout, or just the maximised one."""
        if self.maximised is not None:
            return [self.tiles[self.maximised]]
        return self.tiles[: self.wall_layout.count]

    def maximise(self, index: int) -> None:
        if self.maximised == index or not 0 <= index < self.wall_layout.count:
            return
        self.maximised = index
        self.set_current(index)
        self.place_tiles()
        self.maximised_changed.emit(index)

    def restore(self) -> None:
        if self.maximised is None:
            return
        self.maximised = None
        self.place_tiles()
        self.maximised_changed.emit(None)

    def set_current(self, index: int) -> None:
        if index == self.current or not 0 <= index < self.wall_layout.count:
            return
        self.tiles[self.current].set_current(False)
        self.current = index
        self.tiles[index].set_current(True)
        self.cameras_shown()
        self.current_changed.emit(index)

    def cameras_shown(self) -> None:
        """The tiles' cameras changed: 抓图 is offered only when there is a camera to take it from."""
        popup = self.popup
        has_camera = self.tiles[self.current].camera_id is not None
        self.snapshot_button.setVisible(has_camera and not (popup.open and popup.shown))

    def show_tour_groups(self, groups: Sequence[tuple[str, str]]) -> None:
        """The groups a tour may cycle, as (key, display name); keeps the chosen one if still offered."""
        chosen = self.tour_group.currentData()
        self.tour_group.clear()
        for key, name in groups:
            self.tour_group.addItem(name, key)
        index = self.tour_group.findData(chosen)
        self.tour_group.setCurrentIndex(max(0, index))

    def show_tour(self, running: bool, text: str) -> None:
        """Whether a tour runs, and a short line about it (group, page, time to the next page)."""
        self.tour_button.setChecked(running)
        self.tour_button.setText(self.tr("Stop tour") if running else self.tr("Start tour"))
        self.tour_group.setEnabled(not running)
        self.tour_interval.setEnabled(not running)
        if self.tour_state.text() != text:
            self.tour_state.setText(text)
            self._bar.fit()

    def place_tiles(self) -> None:
        area = self.grid.rect()
        shown = self.wall_layout.count
        for i, tile in enumerate(self.tiles):
            if self.maximised is not None:
                visible = i == self.maximised
                geometry = area
            else:
                visible = i < shown
                geometry = (
                    cell_rect(self.wall_layout, self.wall_layout.cells[i], area) if visible else QRect()
                )
            if visible:
                tile.setGeometry(geometry)
            tile.setVisible(visible)
        # A maximised pop-up tile takes the whole wall, as a maximised grid tile does.
        popup = QRect(area)
        if not self.popup.shown:
            # Nothing to show: a slim bar at the top says so and leaves the live tiles in view.
            popup = QRect(0, 0, area.width() * 3 // 4, min(area.height(), self.popup.message_height()))
            popup.moveTopLeft(QPoint(area.center().x() - popup.width() // 2, area.top() + GAP_BAR))
        elif self.popup.maximised is None:
            popup = QRect(0, 0, area.width() * 3 // 4, area.height() * 4 // 5)
            popup.moveCenter(area.center())
        self.popup.setGeometry(popup)
        self.popup.raise_()
        self.toast.raise_()
        self.cameras_shown()

    def _on_popup_cameras_changed(self, _: object) -> None:
        self.place_tiles()

    def _check_layout_button(self) -> None:
        button = self.wall_layoutbuttons.button(LAYOUTS.index(self.wall_layout))
        if button is not None:
            button.setChecked(True)

    # -- input --------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = Qt.Key(event.key()), event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier and key in _DIGITS:
            self.set_layout(LAYOUTS[_DIGITS[key] - 1])
        elif key in _ARROWS and self.maximised is None:
            self.set_current(neighbour(self.wall_layout, self.current, *_ARROWS[key]))
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_tile_activated(self.current)
        elif key == Qt.Key.Key_Escape:
            self._escape()
        elif key == Qt.Key.Key_Delete:
            self.clear_requested.emit(self.current)
        elif key == Qt.Key.Key_S and not modifiers & Qt.KeyboardModifier.ControlModifier:
            # The pop-up covers most of the grid: while it is up, S keeps what it shows.
            if self.popup.isVisible() and self.popup.shown:
                self.popup.snapshot_requested.emit(None)
            elif self.tiles[self.current].camera_id is not None:
                self.snapshot_requested.emit(self.current)
        else:
            super().keyPressEvent(event)

    def _escape(self) -> None:
        popup = self.popup
        if popup.isVisible() and popup.maximised is not None:
            popup.restore()
        elif popup.isVisible():
            popup.dismiss()
        else:
            self.restore()

    def _on_popup_maximised_changed(self, _: object) -> None:
        self.place_tiles()

    def _on_tile_activated(self, index: int) -> None:
        if self.maximised is None:
            self.maximise(index)
        else:
            self.restore()

    def _on_tile_selected(self, index: int) -> None:
        self.set_current(index)
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def _on_tour_button_clicked(self, checked: bool) -> None:
        # The controller confirms with show_tour; until then the button shows what was asked.
        if checked:
            group = self.tour_group.currentData()
            if group is None:
                self.tour_button.setChecked(False)
                return
            self.tour_requested.emit(TourRequest(str(group), self.tour_interval.value()))
        else:
            self.tour_stop_requested.emit(None)
