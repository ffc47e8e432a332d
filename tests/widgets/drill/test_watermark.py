"""The DRILL watermark: across the whole window, above what opens later, and clicks pass through it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from widgets.common.palette import Palette
from widgets.drill.watermark import DrillWatermark


def quadrants_differ(plain: QImage, marked: QImage) -> list[bool]:
    """For each quarter of the picture: does any pixel differ?"""
    w, h = plain.width(), plain.height()
    found = []
    for x0, y0 in ((0, 0), (w // 2, 0), (0, h // 2), (w // 2, h // 2)):
        found.append(
            any(
                plain.pixel(x, y) != marked.pixel(x, y)
                for x in range(x0, x0 + w // 2, 3)
                for y in range(y0, y0 + h // 2, 3)
            )
        )
    return found


def test_the_mark_covers_every_quarter_and_follows_the_window(qtbot: QtBot, palette: Palette) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(640, 400)
    window.show()
    plain = window.grab().toImage()
    mark = DrillWatermark(palette, window)
    assert quadrants_differ(plain, window.grab().toImage()) == [True] * 4
    window.resize(900, 500)
    qtbot.waitUntil(lambda: mark.geometry() == window.rect())
    # A panel added afterwards (a dock, a dialog's sheet) stays under the mark.
    late = QWidget(window)
    late.show()
    qtbot.waitUntil(lambda: window.children()[-1] is mark)
    # One raised over everything later (the seat's lock screen covering the window) goes under it too.
    cover = QWidget(window)
    cover.setGeometry(window.rect())
    qtbot.waitUntil(lambda: window.children()[-1] is mark)
    cover.raise_()
    qtbot.waitUntil(lambda: window.children()[-1] is mark)
    cover.hide()
    cover.show()
    cover.raise_()
    assert window.children()[-1] is mark


def test_a_click_on_the_mark_reaches_the_button_under_it(qtbot: QtBot, palette: Palette) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("OK", window)
    QVBoxLayout(window).addWidget(button)
    window.resize(400, 300)
    window.show()
    qtbot.waitExposed(window)
    mark = DrillWatermark(palette, window)
    centre = button.mapTo(window, button.rect().center())
    assert mark.geometry().contains(centre)
    with qtbot.waitSignal(button.clicked):
        # Through the window, so Qt picks the widget under the pointer as for a real click.
        QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(centre))  # fmt: skip
