"""The wall's toast: confirmations stack (newest last), stay a few seconds after the last one, fit the wall
whatever their length, and an error looks different."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from widgets.videowall.toast import MAX_LINES, SHOW_MS, WallToast


def test_confirmations_stack_and_go_together(qtbot: QtBot, qapp: QApplication) -> None:
    wall = QWidget()
    qtbot.addWidget(wall)
    wall.resize(1200, 700)
    wall.show()
    toast = WallToast(wall)
    assert toast.isHidden()
    for n in range(MAX_LINES + 2):
        toast.show_message(f"抓图已保存：摄像机{n} · cam{n}_20261207T032617303Z_{n}.jpg")
    assert toast.isVisible()
    assert toast.lines == [f"抓图已保存：摄像机{n} · cam{n}_20261207T032617303Z_{n}.jpg" for n in range(2, 6)]
    assert toast.hide_timer.isActive()
    assert toast.hide_timer.interval() == SHOW_MS
    assert toast.property("error") == "false"
    toast.show_message("抓图未能保存：磁盘已满", error=True)
    assert toast.property("error") == "true"
    toast.hide_timer.timeout.emit()
    assert toast.isHidden()
    assert toast.lines == []


def test_a_long_file_name_widens_the_toast_but_never_past_the_wall(qtbot: QtBot, qapp: QApplication) -> None:
    wall = QWidget()
    qtbot.addWidget(wall)
    wall.resize(900, 500)
    wall.show()
    toast = WallToast(wall)
    toast.show_message("x")
    narrow = toast.width()
    name = "33990100001320000001_20261207T032617303Z_697.jpg"
    toast.show_message(f"抓图已保存：青年路与建国路交叉口·北向 · {name}")
    assert toast.width() > narrow
    assert toast.fontMetrics().horizontalAdvance(toast.lines[-1]) <= toast.contentsRect().width()
    toast.show_message(name * 10)
    assert wall.rect().contains(toast.geometry())
    # Over the bottom of the wall, centred.
    assert abs(toast.geometry().center().x() - wall.rect().center().x()) <= 1
    assert toast.geometry().bottom() > wall.height() * 3 // 4
