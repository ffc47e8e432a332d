"""Working with the map by hand: measure, select cases in a box or polygon, bookmarks, search, routes and
warning areas, with the map's keys ahead of the window's shortcuts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPolygonF
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from core.geo import distance_m
from dispatch.atlas import Atlas
from tests.widgets.situation.test_map_view import (
    _colours,
    _has,
    a_map,
    close_in,
    incident,
    point,
)
from widgets.common.palette import Palette
from widgets.situation.map_marks import IncidentMarks
from widgets.situation.map_shapes import RouteLine, WarningArea
from widgets.situation.map_toolbar import Found
from widgets.situation.map_tools import Tool, inside
from widgets.situation.map_view import SituationMap

LON, LAT = 120.15, 30.27


def three_cases(view: SituationMap) -> None:
    view.show_incidents(
        IncidentMarks.of(
            [
                incident("C-1", LON, LAT, level=3),
                incident("C-2", LON + 0.002, LAT + 0.001, level=1),
                incident("C-3", LON + 0.01, LAT + 0.01, level=2),
            ],
            ["积水 一", "火情 二", "拥堵 三"],
        )
    )


def drag(qtbot: QtBot, view: SituationMap, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)


def test_measuring_adds_up_the_ground_distance_click_by_click(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, LON, LAT, zoom=15.0)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_M)
    assert view.sketch.tool is Tool.MEASURE
    assert view.toolbar.tools[Tool.MEASURE].isChecked()
    stops = [(LON, LAT), (LON + 0.004, LAT), (LON + 0.004, LAT + 0.003)]
    for lon, lat in stops:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, lon, lat))

    expected = distance_m(*stops[0], *stops[1]) + distance_m(*stops[1], *stops[2])
    assert abs(view.sketch.lengths_m()[-1] - expected) < 10.0  # a pixel at zoom 15 is ~4 m
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert len(view.sketch.points) == 2
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.sketch.active()


def test_a_box_drawn_on_the_map_lists_the_cases_inside_most_severe_first(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, LON + 0.002, LAT + 0.002, zoom=15.0)
    three_cases(view)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_R)

    with qtbot.waitSignal(view.area_selected) as selected:
        drag(qtbot, view, point(view, LON - 0.001, LAT + 0.002), point(view, LON + 0.003, LAT - 0.001))

    assert selected.args == [("C-2", "C-1")]  # level I before level III; C-3 lies outside
    assert "2" in view.toolbar.heading.text()
    assert view.toolbar.list.count() == 2
    with qtbot.waitSignal(view.case_clicked) as opened:
        qtbot.mouseClick(
            view.toolbar.list.viewport(),
            Qt.MouseButton.LeftButton,
            pos=view.toolbar.list.visualItemRect(view.toolbar.list.item(1)).center(),
        )
    assert opened.args == ["C-1"]


def test_a_polygon_closes_on_enter_and_lists_what_it_encloses(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, LON + 0.005, LAT + 0.005, zoom=14.0)
    three_cases(view)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_P)
    # A slanted strip from C-2 up to C-3 that leaves C-1 (just south-west of C-2) out.
    for dx, dy in ((1.5, 0.0), (11.0, 9.0), (10.0, 11.0), (1.0, 1.5)):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, LON + dx / 1000, LAT + dy / 1000))
    with qtbot.waitSignal(view.area_selected) as selected:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert selected.args == [("C-2", "C-3")]


@settings(max_examples=150, deadline=None)
@given(
    ring=st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50)), min_size=3, max_size=9, unique=True),
    points=st.lists(st.tuples(st.floats(-60, 60), st.floats(-60, 60)), min_size=1, max_size=30),
)
def test_inside_agrees_with_qt_on_any_polygon(
    ring: list[tuple[float, float]], points: list[tuple[float, float]]
) -> None:
    polygon = QPolygonF([QPointF(x, y) for x, y in ring])
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    ours = inside(xs, ys, np.array([p[0] for p in ring]), np.array([p[1] for p in ring]))
    for (x, y), got in zip(points, ours, strict=True):
        # Points on an edge may go either way; judge only those clearly off every edge.
        near_edge = any(_distance_to_segment(x, y, ring[i - 1], ring[i]) < 1e-6 for i in range(len(ring)))
        if not near_edge:
            assert got == polygon.containsPoint(QPointF(x, y), Qt.FillRule.OddEvenFill), (x, y)


def _distance_to_segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay, bx, by = *a, *b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length))
    return float(np.hypot(x - (ax + t * dx), y - (ay + t * dy)))


def test_number_keys_go_to_bookmarks_and_ctrl_number_keeps_one(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    view.work.set_bookmarks({1: ("明湖区", 120.10, 30.30, 14.0)})
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert (round(view.view.lon, 6), round(view.view.lat, 6), view.view.zoom) == (120.1, 30.3, 14.0)
    assert "明湖区" in view.toolbar.heading.text()

    close_in(view, LON, LAT, zoom=16.0)
    with qtbot.waitSignal(view.bookmark_saved) as saved:
        qtbot.keyClick(view, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    number, (_, lon, lat, zoom) = saved.args[0]
    assert (number, round(lon, 6), round(lat, 6), zoom) == (3, LON, LAT, 16.0)
    qtbot.keyClick(view, Qt.Key.Key_0)  # the whole city
    assert view.view.zoom < 16.0
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert (round(view.view.lon, 6), view.view.zoom) == (LON, 16.0)


def test_the_maps_keys_come_before_the_windows_shortcuts(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    """The desk's Esc (back to the queue) and letter keys are window shortcuts: while the map has the
    keyboard and a tool in hand, Esc puts the tool down instead."""
    window = QMainWindow()
    qtbot.addWidget(window)
    fired: list[str] = []
    for key in ("Esc", "M", "1"):
        action = QAction(window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, key=key: fired.append(key))
        window.addAction(action)
    view = SituationMap(palette)
    window.setCentralWidget(view)
    window.resize(1000, 700)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    view.set_atlas(demo_atlas)
    view.setFocus()

    qtbot.keyClick(view, Qt.Key.Key_M)
    assert view.sketch.tool is Tool.MEASURE
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.sketch.active()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert fired == []
    assert view.toolbar.heading.isVisibleTo(view)
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # Esc takes the message away
    assert fired == []
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # nothing of the map's is open: Esc is the window's again
    assert fired == ["Esc"]


def test_typing_asks_for_hits_and_enter_goes_to_the_first(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Slash)
    assert view.window().focusWidget() is view.toolbar.search
    asked: list[str] = []
    view.search_changed.connect(asked.append)
    qtbot.keyClicks(view.toolbar.search, "1207-4")  # a case code, as an officer reads it off a call
    assert asked[-1] == "1207-4"
    hits = (
        Found("case", "20261207-4 积水", "解放路", LON + 0.003, LAT, 16.0, case_id="4"),
        Found("road", "解放路", "道路", LON, LAT, 15.0),
    )
    view.work.show_found(hits)
    assert view.toolbar.list.count() == 2

    with qtbot.waitSignal(view.case_clicked) as opened:
        qtbot.keyClick(view.toolbar.search, Qt.Key.Key_Return)
    assert opened.args == ["4"]
    assert view.highlighted == "4"
    assert abs(view.view.lon - (LON + 0.003)) < 1e-6
    assert view.view.zoom >= 16.0

    assert not view.toolbar.has_list()  # the list has done its work: the map shows where
    view.work.show_found(hits)
    qtbot.keyClick(view.toolbar.search, Qt.Key.Key_Down)
    qtbot.keyClick(view.toolbar.search, Qt.Key.Key_Return)
    assert abs(view.view.lon - LON) < 1e-6
    view.work.show_found(())
    assert view.toolbar.heading.text()  # "nothing found" when the field is not empty


def test_the_route_of_the_unit_being_sent_is_drawn_and_brought_into_view(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    # The pixels looked at lie where the legend and the toolbar float (their size follows the font).
    view.legend.hide()
    view.toolbar.hide()
    close_in(view, LON, LAT, zoom=17.0)
    legs = ((LON - 0.02, LAT), (LON - 0.02, LAT + 0.01), (LON, LAT + 0.01))
    route = RouteLine("城西养护所", legs, 420.0, True)
    before = view.view.zoom

    view.show_route(route)

    assert view.view.zoom < before  # zoomed out until the whole route shows
    for lon, lat in route.points:
        x, y = view.view.to_screen(lon, lat)
        assert 0 <= x <= view.width()
        assert 0 <= y <= view.height()
    image = view.grab().toImage()
    x0, y0 = view.view.to_screen(LON - 0.02, LAT + 0.005)  # halfway along the first leg
    assert QColor(image.pixel(round(x0), round(y0))) == palette.color("accent")
    assert view.work.route_label(route).startswith("城西养护所")
    assert "7" in view.work.route_label(route)

    view.show_route(None)
    image = view.grab().toImage()
    assert QColor(image.pixel(round(x0), round(y0))) != palette.color("accent")


def test_warning_areas_are_washed_in_their_level_colour(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, LON, LAT, zoom=14.0)
    view.legend.hide()  # its key shows the level colours too
    d = 0.01
    ring = ((LON - d, LAT - d), (LON + d, LAT - d), (LON + d, LAT + d), (LON - d, LAT + d))
    plain = _colours(view.grab().toImage())

    view.show_warning_areas((WarningArea("cap-1", "暴雨红色预警", 1, (ring,)),))

    washed = _colours(view.grab().toImage())
    assert _has(washed, palette.color("sev1"))  # the dashed edge and the label
    assert not _has(plain, palette.color("sev1"))


def test_c_brings_the_case_open_on_the_desk_to_the_middle(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    three_cases(view)
    close_in(view, LON + 0.03, LAT + 0.03, zoom=16.0)
    view.highlight_case("C-3")  # the desk opened C-3: ringed, the map left where the officer had it
    assert abs(view.view.lon - (LON + 0.03)) < 1e-9
    view.setFocus()

    qtbot.keyClick(view, Qt.Key.Key_C)

    x, y = view.view.to_screen(LON + 0.01, LAT + 0.01)
    assert (round(x), round(y)) == (view.width() // 2, view.height() // 2)
    assert view.view.zoom == 16.0
