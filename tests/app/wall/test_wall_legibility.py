"""Every piece of text on every demo page, measured with the font it is drawn in, is tall enough to be read
from 10 m on 55-inch panels, at 1920x1080 and at 3840x2160."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.wall.pages_file import demo_pages_path
from tests.app.wall.walls import T0, level, wall_on
from widgets.common.tight_fit import FittedLabel
from widgets.wall.legibility import min_glyph_px
from widgets.wall.type_scale import glyph_height

DEMO = demo_pages_path().read_text(encoding="utf-8")


def at_ten_metres(size: tuple[int, int]) -> str:
    """The demo pages for a room whose farthest seat is 10 m from 55-inch panels of `size` pixels."""
    text = re.sub(r"distance_m: \d+", "distance_m: 10", DEMO)
    return text.replace("panel_resolution: 1920x1080", f"panel_resolution: {size[0]}x{size[1]}")


def drawn_font(label: QLabel) -> QFont:
    """The font the label paints with: a fitted number may be drawn smaller than its styled size."""
    font = QFont(label.font())
    if isinstance(label, FittedLabel):
        font.setPixelSize(max(1, round(font.pixelSize() * label.scale)))
    return font


@pytest.mark.parametrize(("size", "least"), [((1920, 1080), 74), ((3840, 2160), 147)])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_all_wall_text_is_legible_from_ten_metres(
    qtbot: QtBot, qapp: QApplication, size: tuple[int, int], least: int, language: str
) -> None:
    assert min_glyph_px(10, 55, size) == least
    with wall_on(qtbot, qapp, at_ten_metres(size), size=size, language=language) as wall:
        wall.readings(level(3.95, T0), level(4.05, T0, "339902"))
        measured = 0
        for index in range(wall.window.pages.count()):
            wall.window.show_page(index)
            qapp.processEvents()
            for label in wall.window.findChildren(QLabel):
                text = label.text()
                # Only what the room sees: the page in front (the others are hidden), text not pictures.
                if label.isVisibleTo(wall.window) and text and label.pixmap().isNull():
                    height = glyph_height(drawn_font(label), text)
                    assert height >= least, (label.objectName(), text, height)
                    measured += 1
            for trends in wall.parts.trends:
                for plot in trends.chart.view.ci.items:
                    for axis_name in ("left", "bottom"):
                        font = plot.getAxis(axis_name).style["tickFont"]
                        assert glyph_height(font, "0123456789") >= least
        # The map paints its words itself (district names, the scale, warnings): at its smallest, the scale.
        assert wall.parts.maps
        for city_map in wall.parts.maps:
            font = QFont(city_map.font())
            font.setPixelSize(city_map.text_px - 1)  # type: ignore[attr-defined]
            assert glyph_height(font, "钟楼区 5 公里") >= least
        assert measured > 20
