"""Camera tree: groups with counts, a filter, drags that carry the camera, activation, on-wall marks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from video.registry import ACCESS_LEVELS, CameraInfo
from widgets.videowall.camera_tree import ON_WALL_MARK, CameraGroup, CameraTree
from widgets.videowall.tile_drag import CAMERA_MIME


def camera(camera_id: str, name: str, group: str) -> CameraInfo:
    url = f"http://127.0.0.1:9/{camera_id}"
    return CameraInfo(camera_id, name, group, 120.0, 30.0, 0.0, 60.0, url, url, ACCESS_LEVELS["public"])


GROUPS = [
    CameraGroup(
        "339901", "钟楼区", (camera("c1", "青年路·北向", "339901"), camera("c2", "建国路·东向", "339901"))
    ),
    CameraGroup("339902", "东港区", (camera("c3", "港湾路·南向", "339902"),)),
]


@pytest.fixture
def tree(qtbot: QtBot, qapp: QApplication) -> CameraTree:
    tree = CameraTree()
    qtbot.addWidget(tree)
    tree.resize(300, 500)
    tree.show()
    tree.show_cameras(GROUPS)
    return tree


def test_groups_list_their_cameras_with_a_count(tree: CameraTree) -> None:
    heads = [tree.tree.topLevelItem(i) for i in range(tree.tree.topLevelItemCount())]
    assert [h.text(0) for h in heads if h is not None] == ["钟楼区 (2)", "东港区 (1)"]
    assert tree.camera_ids() == ["c1", "c2", "c3"]


def test_the_filter_hides_what_does_not_match(tree: CameraTree) -> None:
    tree.filter.setText("港湾")
    first, second = tree.tree.topLevelItem(0), tree.tree.topLevelItem(1)
    assert first is not None
    assert second is not None
    assert first.isHidden()
    assert not second.isHidden()
    tree.filter.setText("")
    assert not first.isHidden()


def test_a_drag_carries_the_camera_id(tree: CameraTree) -> None:
    item = tree.tree.topLevelItem(0).child(1)  # type: ignore[union-attr]
    data = tree.tree.mimeData([item])
    assert bytes(data.data(CAMERA_MIME).data()) == b"c2"
    assert tree.tree.mimeTypes() == [CAMERA_MIME]


def test_enter_or_double_click_puts_a_camera_on_the_wall(qtbot: QtBot, tree: CameraTree) -> None:
    item = tree.tree.topLevelItem(1).child(0)  # type: ignore[union-attr]
    tree.tree.setCurrentItem(item)
    tree.tree.setFocus()
    with qtbot.waitSignal(tree.camera_activated) as activated:
        qtbot.keyClick(tree.tree, Qt.Key.Key_Return)
    assert activated.args == ["c3"]
    with qtbot.waitSignal(tree.camera_activated) as clicked:
        tree.tree.itemDoubleClicked.emit(item, 0)
    assert clicked.args == ["c3"]


def test_cameras_on_the_wall_are_marked(tree: CameraTree) -> None:
    tree.mark_on_wall(frozenset({"c2"}))
    first = tree.tree.topLevelItem(0)
    assert first is not None
    assert first.child(1).text(0) == ON_WALL_MARK + "建国路·东向"  # type: ignore[union-attr]
    assert first.child(0).text(0) == "青年路·北向"  # type: ignore[union-attr]
    # Marks survive a refresh (a role change redraws the tree).
    tree.show_cameras(GROUPS)
    assert tree.tree.topLevelItem(0).child(1).text(0).startswith(ON_WALL_MARK)  # type: ignore[union-attr]
