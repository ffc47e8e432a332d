"""The camera tree beside the wall: cameras by group, a filter, drag onto a tile, tour a group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from video.registry import CameraInfo
from widgets.common.style import fill
from widgets.videowall.tile_drag import CAMERA_MIME

_CAMERA = Qt.ItemDataRole.UserRole
_GROUP = Qt.ItemDataRole.UserRole + 1
ON_WALL_MARK = "▣ "


@dataclass(frozen=True, slots=True)
class CameraGroup:
    """A group (district) of cameras, already filtered to what the current role may view."""

    key: str
    name: str
    cameras: tuple[CameraInfo, ...]


class _Tree(QTreeWidget):
    """Drags carry the camera id; Enter on a camera activates it like a double-click."""

    activated_camera = Signal(str)

    def mimeTypes(self) -> list[str]:
        return [CAMERA_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        data = QMimeData()
        ids = [str(item.data(0, _CAMERA)) for item in items if item.data(0, _CAMERA)]
        if ids:
            data.setData(CAMERA_MIME, QByteArray(ids[0].encode()))
        return data

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and item is not None
            and item.data(0, _CAMERA)
        ):
            self.activated_camera.emit(str(item.data(0, _CAMERA)))
            return
        super().keyPressEvent(event)


class CameraTree(QWidget):
    """Shows the cameras it is given; which ones the role may view is decided by app/."""

    camera_activated = Signal(str)
    """Put this camera on the wall's current tile (double-click or Enter; carries the camera id)."""
    tour_requested = Signal(str)
    """Tour this group through the wall (context menu; carries the group key)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraTree")
        self.filter = QLineEdit(self)
        self.filter.setObjectName("cameraFilter")
        self.filter.setPlaceholderText(self.tr("Filter cameras"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.tree = _Tree(self)
        self.tree.setObjectName("cameraTreeView")
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu_requested)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.tree.activated_camera.connect(self.camera_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        self._heads: list[QTreeWidgetItem] = []
        self._items: dict[str, QTreeWidgetItem] = {}
        self._names: dict[str, str] = {}
        self._on_wall: frozenset[str] = frozenset()

    def show_cameras(self, groups: Sequence[CameraGroup]) -> None:
        """Replace the tree; groups stay expanded as they were (new groups open)."""
        collapsed = {str(head.data(0, _GROUP)) for head in self._heads if not head.isExpanded()}
        self.tree.clear()
        self._heads.clear()
        self._items.clear()
        self._names.clear()
        for group in groups:
            head = QTreeWidgetItem([fill(self.tr("%1 (%2)"), group.name, len(group.cameras))])
            head.setData(0, _GROUP, group.key)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            bold = QFont(head.font(0))
            bold.setBold(True)
            head.setFont(0, bold)
            self.tree.addTopLevelItem(head)
            self._heads.append(head)
            for camera in group.cameras:
                item = QTreeWidgetItem(head, [camera.name])
                item.setData(0, _CAMERA, camera.id)
                item.setToolTip(0, camera.id)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                )
                self._items[camera.id] = item
                self._names[camera.id] = camera.name
            head.setExpanded(group.key not in collapsed)
        self.mark_on_wall(self._on_wall)
        self._on_filter_text_changed(self.filter.text())

    def camera_ids(self) -> list[str]:
        """Every camera listed, in tree order."""
        return list(self._items)

    def mark_on_wall(self, camera_ids: frozenset[str]) -> None:
        """Mark the cameras the wall shows now."""
        self._on_wall = camera_ids
        for camera_id, item in self._items.items():
            shown = camera_id in camera_ids
            text = (ON_WALL_MARK if shown else "") + self._names[camera_id]
            if item.text(0) != text:
                item.setText(0, text)

    def _on_filter_text_changed(self, text: str) -> None:
        needle = text.strip().casefold()
        for head in self._heads:
            any_shown = False
            for item in (head.child(j) for j in range(head.childCount())):
                if item is None:
                    continue
                camera_id = str(item.data(0, _CAMERA))
                match = not needle or needle in self._names[camera_id].casefold() or needle in camera_id
                item.setHidden(not match)
                any_shown = any_shown or match
            head.setHidden(not any_shown)
            if needle and any_shown:
                head.setExpanded(True)

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        camera_id = item.data(0, _CAMERA)
        if camera_id:
            self.camera_activated.emit(str(camera_id))

    def _on_tree_context_menu_requested(self, position: QPoint) -> None:
        item = self.tree.itemAt(position)
        if item is None:
            return
        parent = item.parent()
        group = item.data(0, _GROUP) or (parent.data(0, _GROUP) if parent is not None else None)
        if group is None:
            return
        menu = QMenu(self)
        tour = menu.addAction(self.tr("Tour this group on the wall"))
        tour.triggered.connect(lambda: self.tour_requested.emit(str(group)))
        menu.exec(self.tree.viewport().mapToGlobal(position))
