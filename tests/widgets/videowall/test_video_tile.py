"""Video tile: paints the frame it is given 1:1, says when a stream froze, takes drops, shows alarms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from importlib import resources

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QPoint, QPointF, Qt, QTranslator
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from video.frames import Frame
from video.health import Health, Reason, StreamStatus
from video.registry import Quality
from widgets.common.palette import Palette
from widgets.videowall.tile import VideoTile
from widgets.videowall.tile_drag import CAMERA_MIME, TILE_MIME, TileDrop, TileSwap
from widgets.videowall.tile_picture import wrap_frame
from widgets.videowall.words import VideoWords

T0 = 1_767_225_600.0


def frame(
    size: tuple[int, int], bgr: tuple[int, int, int], seq: int = 1, quality: Quality = Quality.SUB
) -> Frame:
    width, height = size
    image = np.empty((height, width, 4), np.uint8)
    image[:] = (*bgr, 255)
    image.flags.writeable = False
    return Frame("cam", quality, image, image[:, :, :3], seq, 0.0, T0 + seq / 25, None)


def status(health: Health, *, last_wall: float | None = T0, reason: Reason | None = None) -> StreamStatus:
    return StreamStatus("cam", Quality.SUB, health, reason, "", 0.0, 0.0, last_wall, 10, 25.0, 0, None)


@pytest.fixture
def words(qapp: QApplication) -> VideoWords:
    return VideoWords()


@pytest.fixture
def tile(qtbot: QtBot, palette: Palette, words: VideoWords) -> VideoTile:
    tile = VideoTile(3, palette, words)
    qtbot.addWidget(tile)
    tile.resize(480, 270)
    tile.show()
    tile.show_camera("cam", "青年路与建国路交叉口·北向")
    return tile


@pytest.fixture
def chinese_video(qapp: QApplication) -> Iterator[None]:
    translator = QTranslator()
    assert translator.load("video_zh_CN", str(resources.files("resources") / "i18n"))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def pixel(image: QImage, x: int, y: int) -> QColor:
    return image.pixelColor(x, y)


def test_the_frame_buffer_is_wrapped_not_copied() -> None:
    pixels = np.zeros((4, 6, 4), np.uint8)
    image = wrap_frame(pixels)
    pixels[1, 2] = (0, 0, 255, 255)
    assert pixel(image, 2, 1).name() == "#ff0000"


def test_a_tile_sized_frame_is_painted_one_to_one(tile: VideoTile) -> None:
    assert tile.frame_size() == (480, 270)
    assert tile.show_frame(frame(tile.frame_size(), (0, 128, 255)))

    shot = tile.grab().toImage()

    assert pixel(shot, 240, 200).name() == "#ff8000"
    assert pixel(shot, 2, 268).name() == "#ff8000"


def test_a_narrower_frame_is_centred_between_letterbox_bands(tile: VideoTile, palette: Palette) -> None:
    # 16 tiles on 1080p: 478x250 tiles, 444x250 frames (the stream's 16:9 kept).
    tile.resize(478, 250)
    assert tile.show_frame(frame((444, 250), (0, 128, 255)))
    shot = tile.grab().toImage()
    assert pixel(shot, 16, 200) == palette.color("video_bg")
    assert pixel(shot, 17, 200).name() == "#ff8000"
    assert pixel(shot, 460, 200).name() == "#ff8000"
    assert pixel(shot, 461, 200) == palette.color("video_bg")


def test_a_frame_of_the_old_size_fills_the_tile_until_the_worker_catches_up(tile: VideoTile) -> None:
    assert tile.show_frame(frame((240, 135), (255, 0, 0)))
    shot = tile.grab().toImage()
    assert pixel(shot, 2, 268).name() == "#0000ff"
    assert pixel(shot, 477, 200).name() == "#0000ff"
    tile.resize(240, 135)
    assert tile.show_frame(frame((240, 135), (0, 255, 0), seq=2))
    assert pixel(tile.grab().toImage(), 239, 134).name() == "#00ff00"


def test_the_same_frame_is_not_painted_twice(tile: VideoTile) -> None:
    assert tile.show_frame(frame((480, 270), (0, 0, 0), seq=5))
    assert not tile.show_frame(frame((480, 270), (0, 0, 0), seq=5))
    assert tile.show_frame(frame((480, 270), (0, 0, 0), seq=5, quality=Quality.MAIN))
    assert tile.shown_seq == 5


def test_a_frozen_stream_is_greyed_and_says_since_when(tile: VideoTile, words: VideoWords) -> None:
    tile.show_frame(frame((480, 270), (0, 0, 255)))
    tile.show_status(status(Health.LIVE))
    live = tile.grab().toImage()
    tile.show_status(status(Health.STALE, last_wall=T0, reason=Reason.NO_FRAMES))
    frozen = tile.grab().toImage()

    red_live, grey = pixel(live, 20, 250), pixel(frozen, 20, 250)
    assert red_live.red() > 200
    assert red_live.green() < 30
    assert grey.red() == grey.green() == grey.blue()
    assert words.lost_since(tile.status) == "Signal lost " + time.strftime("%H:%M:%S", time.localtime(T0))  # type: ignore[arg-type]


def test_a_delayed_stream_keeps_its_picture_in_colour_and_says_so(tile: VideoTile, words: VideoWords) -> None:
    tile.show_frame(frame((480, 270), (0, 0, 255)))
    tile.show_status(status(Health.BEHIND))
    delayed = pixel(tile.grab().toImage(), 240, 135)  # mid-picture: the caption band below says "Delayed"
    assert delayed.red() > 200
    assert delayed.green() < 30
    assert words.health(Health.BEHIND) == "Delayed"


def test_signal_lost_reads_in_chinese(chinese_video: None) -> None:
    words = VideoWords()
    lost = words.lost_since(status(Health.STALE, last_wall=T0))
    assert lost == "信号中断 " + time.strftime("%H:%M:%S", time.localtime(T0))
    assert words.status_line(status(Health.OFFLINE, reason=Reason.NOT_FOUND)) == "离线 · 视频流不存在"


def test_an_alarm_draws_a_red_border(tile: VideoTile, palette: Palette) -> None:
    tile.show_frame(frame((480, 270), (0, 0, 0)))
    tile.set_alarm(True)
    shot = tile.grab().toImage()
    assert pixel(shot, 1, 135) == palette.color("sev1")
    assert pixel(shot, 478, 135) == palette.color("sev1")


def drop(tile: VideoTile, data: QMimeData) -> None:
    point = QPointF(tile.width() / 2, tile.height() / 2)
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, data, buttons, modifiers)
    QApplication.sendEvent(tile, enter)
    if enter.isAccepted():
        QApplication.sendEvent(tile, QDropEvent(point, actions, data, buttons, modifiers))


def mime(kind: str, text: str) -> QMimeData:
    data = QMimeData()
    data.setData(kind, QByteArray(text.encode()))
    return data


def test_a_camera_dropped_on_the_tile_is_requested_there(qtbot: QtBot, tile: VideoTile) -> None:
    with qtbot.waitSignal(tile.camera_dropped) as dropped:
        drop(tile, mime(CAMERA_MIME, "33990100001320000007"))
    assert dropped.args == [TileDrop(3, "33990100001320000007")]


def test_a_tile_dropped_on_another_asks_for_a_swap(qtbot: QtBot, tile: VideoTile) -> None:
    with qtbot.waitSignal(tile.swap_requested) as swapped:
        drop(tile, mime(TILE_MIME, "0"))
    assert swapped.args == [TileSwap(0, 3)]
    with qtbot.assertNotEmitted(tile.swap_requested):
        drop(tile, mime(TILE_MIME, "3"))


def test_dragging_a_tile_carries_its_index_and_camera(tile: VideoTile) -> None:
    data = tile.drag_data()
    assert bytes(data.data(TILE_MIME).data()) == b"3"
    assert bytes(data.data(CAMERA_MIME).data()) == b"cam"


def test_double_click_asks_to_maximise(qtbot: QtBot, tile: VideoTile) -> None:
    with qtbot.waitSignal(tile.activated) as activated:
        qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert activated.args == [3]


def test_an_empty_tile_invites_a_drop(qtbot: QtBot, palette: Palette, words: VideoWords) -> None:
    tile = VideoTile(0, palette, words)
    qtbot.addWidget(tile)
    tile.resize(320, 180)
    tile.show_camera("cam", "x")
    tile.show_frame(frame((320, 180), (255, 255, 255)))
    tile.show_camera(None)
    assert tile.grab_pixels() is None
    assert pixel(tile.grab().toImage(), 5, 5) == palette.color("video_bg")
