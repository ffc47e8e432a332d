"""Video wall: grid and irregular layouts, keyboard navigation, maximise and restore, tour controls."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from widgets.common.palette import Palette
from widgets.videowall.popup import PopupCamera, best_columns
from widgets.videowall.tile_drag import TileDrop
from widgets.videowall.video_wall import LAYOUTS, TourRequest, VideoWall, cell_rect, layout_for, neighbour
from widgets.videowall.words import VideoWords


@pytest.fixture
def wall(qtbot: QtBot, qapp: QApplication, palette: Palette) -> VideoWall:
    wall = VideoWall(palette, VideoWords())
    qtbot.addWidget(wall)
    wall.resize(1600, 900)
    wall.show()
    qtbot.waitExposed(wall)
    return wall


def test_the_layouts_the_issue_asks_for() -> None:
    assert [layout.key for layout in LAYOUTS] == ["1", "4", "9", "16", "25", "36", "1+5", "1+7"]
    assert [layout.count for layout in LAYOUTS] == [1, 4, 9, 16, 25, 36, 6, 8]
    assert layout_for("1+5").cells[0] == (0, 0, 2, 2)  # type: ignore[union-attr]
    assert layout_for("1+7").cells[0] == (0, 0, 3, 3)  # type: ignore[union-attr]
    assert layout_for("12") is None


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.key)
def test_cells_tile_the_area_without_overlap(layout) -> None:  # type: ignore[no-untyped-def]
    area = QRect(0, 0, 1203, 677)
    rects = [cell_rect(layout, cell, area) for cell in layout.cells]
    for i, a in enumerate(rects):
        assert area.contains(a)
        assert not any(a.intersects(b) for b in rects[i + 1 :])
    # Every cell edge is shared with a neighbour or the border: what is left are the 2-px gaps.
    covered = sum(r.width() * r.height() for r in rects)
    assert covered > 0.96 * area.width() * area.height()


def test_arrows_move_to_the_nearest_tile_that_way() -> None:
    grid = layout_for("9")
    assert grid is not None
    assert neighbour(grid, 4, 1, 0) == 5
    assert neighbour(grid, 4, 0, -1) == 1
    assert neighbour(grid, 2, 1, 0) == 2  # the right edge: stay
    big = layout_for("1+5")
    assert big is not None
    # From the big tile, right goes to the upper small tile beside it; back left returns to the big one.
    assert neighbour(big, 0, 1, 0) == 1
    assert neighbour(big, 1, -1, 0) == 0
    assert neighbour(big, 0, 0, 1) in (3, 4)


def test_choosing_a_layout_shows_exactly_its_tiles(qtbot: QtBot, wall: VideoWall) -> None:
    nine = layout_for("9")
    with qtbot.waitSignal(wall.layout_changed) as changed:
        wall.set_layout(nine)  # type: ignore[arg-type]
    assert changed.args == [nine]
    assert [t.isVisible() for t in wall.tiles].count(True) == 9
    assert wall.visible_tiles() == wall.tiles[:9]
    irregular = layout_for("1+7")
    wall.set_layout(irregular)  # type: ignore[arg-type]
    big, small = wall.tiles[0], wall.tiles[1]
    assert big.width() > 2.9 * small.width()


def test_ctrl_digits_pick_layouts(qtbot: QtBot, wall: VideoWall) -> None:
    wall.setFocus()
    qtbot.keyClick(wall, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert wall.wall_layout.key == "9"
    qtbot.keyClick(wall, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert wall.wall_layout.key == "36"
    qtbot.keyClick(wall, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert wall.wall_layout.key == "1+5"


def test_keyboard_moves_maximises_and_restores(qtbot: QtBot, wall: VideoWall) -> None:
    wall.set_layout(layout_for("4"))  # type: ignore[arg-type]
    qtbot.keyClick(wall, Qt.Key.Key_Right)
    qtbot.keyClick(wall, Qt.Key.Key_Down)
    assert wall.current == 3
    assert wall.tiles[3].current
    assert not wall.tiles[0].current

    with qtbot.waitSignal(wall.maximised_changed) as maximised:
        qtbot.keyClick(wall, Qt.Key.Key_Return)
    assert maximised.args == [3]
    assert wall.visible_tiles() == [wall.tiles[3]]
    assert wall.tiles[3].geometry() == wall.grid.rect()
    assert not wall.tiles[0].isVisible()

    with qtbot.waitSignal(wall.maximised_changed) as restored:
        qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert restored.args == [None]
    assert len(wall.visible_tiles()) == 4


def test_double_click_maximises_and_again_restores(qtbot: QtBot, wall: VideoWall) -> None:
    tile = wall.tiles[5]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximised == 5
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    assert wall.maximised is None


def test_escape_closes_the_pop_up_before_restoring(qtbot: QtBot, wall: VideoWall) -> None:
    wall.maximise(2)
    wall.popup.show_cameras("near", [PopupCamera("a", "A", "40 m")], severe=True)
    assert wall.popup.isVisible()
    assert wall.popup.shown[0].alarm
    with qtbot.waitSignal(wall.popup.closed):
        qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert wall.maximised == 2
    qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert wall.maximised is None


FOUR = [PopupCamera(c, c.upper(), "") for c in "abcd"]


def test_double_click_on_a_pop_up_tile_maximises_it_over_the_whole_wall(
    qtbot: QtBot, wall: VideoWall
) -> None:
    popup = wall.popup
    popup.show_cameras("near", FOUR, severe=False)
    small = popup.geometry()
    with qtbot.waitSignal(popup.maximised_changed) as maximised:
        qtbot.mouseDClick(popup.tiles[2], Qt.MouseButton.LeftButton)
    assert maximised.args == [2]
    assert popup.visible_tiles() == [popup.tiles[2]]
    assert popup.geometry() == wall.grid.rect()
    assert popup.geometry().width() > small.width()
    assert popup.tiles[2].width() > popup.width() * 0.9
    assert not popup.tiles[0].isVisible()
    assert wall.maximised is None, "the grid keeps its own layout"

    qtbot.keyClick(wall, Qt.Key.Key_Escape)  # Esc brings the four back before closing
    assert popup.maximised is None
    assert popup.isVisible()
    assert popup.geometry() == small
    assert all(tile.isVisible() for tile in popup.shown)
    qtbot.mouseDClick(popup.tiles[1], Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(popup.tiles[1], Qt.MouseButton.LeftButton)
    assert popup.maximised is None
    popup.show_cameras("other", FOUR[:2], severe=False)
    assert popup.maximised is None


def test_s_on_the_wall_snapshots_the_pop_up_while_it_is_up(qtbot: QtBot, wall: VideoWall) -> None:
    wall.popup.show_cameras("near", FOUR[:1], severe=False)
    with qtbot.waitSignal(wall.popup.snapshot_requested), qtbot.assertNotEmitted(wall.snapshot_requested):
        qtbot.keyClick(wall, Qt.Key.Key_S)
    wall.popup.dismiss()
    wall.tiles[wall.current].show_camera("c1", "人民路")
    wall.cameras_shown()
    with qtbot.waitSignal(wall.snapshot_requested):
        qtbot.keyClick(wall, Qt.Key.Key_S)


def test_the_snapshot_actions_show_only_where_there_is_a_camera(qtbot: QtBot, wall: VideoWall) -> None:
    assert wall.tiles[wall.current].camera_id is None
    assert wall.snapshot_button.isHidden(), "an empty tile offers no 抓图"
    with qtbot.assertNotEmitted(wall.snapshot_requested):
        qtbot.keyClick(wall, Qt.Key.Key_S)
    wall.tiles[1].show_camera("c1", "人民路")
    wall.cameras_shown()
    assert wall.snapshot_button.isHidden(), "still the empty tile"
    wall.set_current(1)
    assert wall.snapshot_button.isVisible()

    wall.popup.show_cameras("no camera near the scene", [], severe=True, empty_text="none within 1500 m")
    assert wall.popup.snapshot_button.isHidden(), "a pop-up without a camera has nothing to take"
    with qtbot.assertNotEmitted(wall.popup.snapshot_requested):
        qtbot.keyClick(wall, Qt.Key.Key_S)
    wall.popup.show_cameras("near", FOUR[:2], severe=False)
    assert wall.popup.snapshot_button.isVisible()
    assert wall.snapshot_button.isHidden(), "the pop-up's own 抓图存证 takes over while it is up"
    wall.popup.dismiss()
    assert wall.snapshot_button.isVisible()


def test_pop_up_tiles_stay_close_to_the_picture_shape() -> None:
    assert best_columns(1, 1200, 700) == 1
    assert best_columns(2, 1200, 700) == 1, "two cameras one above the other, not two tall strips"
    assert best_columns(2, 1600, 300) == 2
    assert best_columns(4, 1200, 700) == 2


def test_tile_signals_reach_the_wall(qtbot: QtBot, wall: VideoWall) -> None:
    with qtbot.waitSignal(wall.camera_dropped) as dropped:
        wall.tiles[4].camera_dropped.emit(TileDrop(4, "x"))
    assert dropped.args == [TileDrop(4, "x")]
    with qtbot.waitSignal(wall.clear_requested) as cleared:
        wall.set_current(6)
        qtbot.keyClick(wall, Qt.Key.Key_Delete)
    assert cleared.args == [6]


def test_the_tour_button_asks_for_the_chosen_group(qtbot: QtBot, wall: VideoWall) -> None:
    wall.show_tour_groups([("339901", "钟楼区"), ("339902", "东港区")])
    wall.tour_group.setCurrentIndex(1)
    wall.tour_interval.setValue(30)
    with qtbot.waitSignal(wall.tour_requested) as requested:
        wall.tour_button.click()
    assert requested.args == [TourRequest("339902", 30)]
    wall.show_tour(True, "Tour 东港区 · page 1/2")
    assert not wall.tour_group.isEnabled()
    with qtbot.waitSignal(wall.tour_stop_requested):
        wall.tour_button.click()


def test_a_pop_up_with_no_camera_is_a_slim_bar_that_leaves_the_tiles_in_view(wall: VideoWall) -> None:
    popup = wall.popup
    popup.show_cameras("near", FOUR, severe=True)
    full = popup.geometry()
    popup.show_cameras("no camera", [], severe=True, empty_text="No camera within 1500 m")
    bar = popup.geometry()
    assert popup.isVisible()
    assert popup.empty.isVisible()
    assert bar.height() < full.height() // 3
    assert bar.top() < wall.grid.rect().center().y() - bar.height()
    assert popup.empty.geometry().height() > popup.empty.fontMetrics().height()
    popup.show_cameras("near", FOUR, severe=True)
    assert popup.geometry() == full
