"""The situation map: clicks find the case under them, clusters count, datums line up, layers switch."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.mercator import View
from dispatch.atlas import Atlas, Datum, load_atlas, wgs84_to_gcj02
from widgets.common.palette import Palette
from widgets.situation.map_ages import AgePolicy
from widgets.situation.map_layers import BasemapInfo
from widgets.situation.map_marks import CameraMarks, IncidentMarks, UnitMarks, UnitStatus
from widgets.situation.map_shapes import RouteLine, WarningArea
from widgets.situation.map_view import SituationMap
from widgets.situation.map_words import MapLayer

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"
NOW = 1_800_000_000.0
POLICY = AgePolicy()


@pytest.fixture(scope="module")
def demo_atlas_gcj02() -> Atlas:
    return load_atlas(DEMO, Datum.GCJ02)


def a_map(qtbot: QtBot, palette: Palette, atlas: Atlas, size: tuple[int, int] = (1200, 800)) -> SituationMap:
    view = SituationMap(palette)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.set_atlas(atlas)
    view.tick(NOW)
    return view


def incident(case_id: str, lon: float, lat: float, level: int = 2, **times: float | None) -> tuple:
    opened = times.get("opened", NOW - 600)
    return (case_id, lon, lat, level, opened, times.get("closed"), times.get("seen", NOW - 60))


def point(view: SituationMap, lon: float, lat: float) -> QPoint:
    x, y = view.view.to_screen(lon, lat)
    return QPoint(round(x), round(y))


def close_in(view: SituationMap, lon: float, lat: float, zoom: float = 16.0) -> None:
    view.set_view(View(lon, lat, zoom, view.width(), view.height()))


def test_clicking_an_incident_opens_its_case(qtbot: QtBot, palette: Palette, demo_atlas: Atlas) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27)
    view.show_incidents(IncidentMarks.of([incident("C-1", 120.15, 30.27), incident("C-2", 120.152, 30.27)]))

    with qtbot.waitSignal(view.case_clicked) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, 120.152, 30.27) + QPoint(3, -2))

    assert clicked.args == ["C-2"]


def test_a_click_on_empty_ground_opens_nothing(qtbot: QtBot, palette: Palette, demo_atlas: Atlas) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27)
    view.show_incidents(IncidentMarks.of([incident("C-1", 120.15, 30.27)]))

    with qtbot.assertNotEmitted(view.case_clicked), qtbot.assertNotEmitted(view.camera_clicked):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, 120.15, 30.27) + QPoint(40, 40))


def test_clicking_a_camera_names_it(qtbot: QtBot, palette: Palette, demo_atlas: Atlas) -> None:
    camera = demo_atlas.cameras[0]
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, camera.lon, camera.lat)
    view.show_cameras(
        CameraMarks.of([(c.id, c.lon, c.lat, c.heading_deg, c.fov_deg) for c in demo_atlas.cameras])
    )

    with qtbot.waitSignal(view.camera_clicked) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, camera.lon, camera.lat))

    assert clicked.args == [camera.id]


def test_a_click_in_a_cameras_field_of_view_opens_it_and_one_beside_it_does_not(
    qtbot: QtBot, palette: Palette
) -> None:
    view = a_map(qtbot, palette, load_atlas(DEMO))
    close_in(view, 120.15, 30.27, zoom=17.0)
    view.show_cameras(CameraMarks.of([("K-east", 120.15, 30.27, 90.0, 60.0)], ["东向"]))
    x, y = view.view.to_screen(120.15, 30.27)
    clicked: list[str] = []
    view.camera_clicked.connect(clicked.append)

    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x) + 60, round(y) + 10))  # in the cone
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x) - 60, round(y)))  # behind it
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y) - 60))  # beside it

    assert clicked == ["K-east"]


def test_a_closed_case_fades_and_then_cannot_be_clicked(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27)
    view.show_incidents(IncidentMarks.of([incident("C-1", 120.15, 30.27, closed=NOW, seen=NOW)]))
    at = point(view, 120.15, 30.27)

    view.tick(NOW + POLICY.fade_s / 2)
    assert view.mark_at(at.x(), at.y()) == ("case", "C-1")
    view.tick(NOW + POLICY.fade_s + 1)
    assert view.mark_at(at.x(), at.y()) is None


def test_a_silent_case_greys_and_then_leaves_the_map(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27)
    view.show_incidents(IncidentMarks.of([incident("C-1", 120.15, 30.27, level=1, seen=NOW)]))
    at = point(view, 120.15, 30.27)

    live = view.grab().toImage().pixelColor(at)
    view.tick(NOW + POLICY.incident_stale_s + 1)
    stale = view.grab().toImage().pixelColor(at)
    view.tick(NOW + POLICY.incident_gone_s + 1)

    assert _near(live, palette.color("sev1"))
    assert _near(stale, palette.color("map_stale"))
    assert view.mark_at(at.x(), at.y()) is None


def test_zoomed_out_nearby_cases_gather_into_a_counted_cluster(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27, zoom=12.0)
    view.show_incidents(
        IncidentMarks.of([incident(f"C-{i}", 120.15 + i * 1e-4, 30.27, level=1 + i % 4) for i in range(5)])
    )

    groups = view.clusters()
    assert sorted(groups.count.tolist()) == [5]
    at = QPoint(round(groups.x[0]), round(groups.y[0]))
    with qtbot.assertNotEmitted(view.case_clicked):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=at)
    # A click on a cluster looks closer, where each case is its own mark again.
    assert view.view.zoom == 14.0
    with qtbot.waitSignal(view.case_clicked) as clicked:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=point(view, 120.15 + 4e-4, 30.27))
    assert clicked.args == ["C-4"]


def test_markers_sit_on_the_gcj02_street_of_a_gcj02_map(
    qtbot: QtBot, palette: Palette, demo_atlas_gcj02: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas_gcj02)
    wgs = (120.15, 30.27)
    gcj = wgs84_to_gcj02(*wgs)
    close_in(view, *gcj, zoom=17.0)
    view.show_incidents(IncidentMarks.of([incident("C-1", *wgs)]))

    on_street = point(view, *gcj)
    raw = point(view, *wgs)
    # Hundreds of metres apart: far more than a marker at zoom 17.
    assert (on_street - raw).manhattanLength() > 200
    assert view.mark_at(on_street.x(), on_street.y()) == ("case", "C-1")
    assert view.mark_at(raw.x(), raw.y()) is None


def test_dragging_pans_and_the_wheel_zooms_about_the_pointer(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27, zoom=14.0)
    start = view.view

    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(600, 400))
    qtbot.mouseMove(view, QPoint(700, 450))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(700, 450))

    x, y = view.view.to_screen(start.lon, start.lat)
    assert abs(x - 700) < 1
    assert abs(y - 450) < 1


def test_keys_pan_and_zoom(qtbot: QtBot, palette: Palette, demo_atlas: Atlas) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27, zoom=14.0)
    view.setFocus()

    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.view.zoom == 15.0
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.view.lon > 120.15
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.view.zoom < 15.0


def test_switching_a_layer_off_in_the_legend_hides_it(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27)
    view.show_incidents(IncidentMarks.of([incident("C-1", 120.15, 30.27)]))
    at = point(view, 120.15, 30.27)

    view.legend.boxes[MapLayer.INCIDENTS].click()

    assert MapLayer.INCIDENTS not in view.visible
    assert view.mark_at(at.x(), at.y()) is None
    view.set_layer_visible(MapLayer.INCIDENTS, True)
    assert view.legend.boxes[MapLayer.INCIDENTS].isChecked()
    assert view.mark_at(at.x(), at.y()) == ("case", "C-1")


def test_the_basemap_asks_for_its_tiles_and_draws_them(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27, zoom=15.0)
    for layer in (MapLayer.DISTRICTS, MapLayer.GRID, MapLayer.ROADS, MapLayer.GRID_LOAD, MapLayer.HEAT):
        view.set_layer_visible(layer, False)

    with qtbot.waitSignal(view.tiles_wanted) as wanted:
        view.set_basemap(BasemapInfo(10, 15))
        view.grab()
    keys = wanted.args[0]
    assert keys
    assert all(z == 15 for z, _, _ in keys)
    tile = QImage(256, 256, QImage.Format.Format_ARGB32)
    tile.fill(QColor("#123456"))
    view.show_tiles(dict.fromkeys(keys, tile))

    assert view.grab().toImage().pixelColor(QPoint(300, 300)) == QColor("#123456")


def _near(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= tolerance


def test_every_layer_at_1920x1080(qtbot: QtBot, palette: Palette, demo_atlas: Atlas, tmp_path: Path) -> None:
    view = a_map(qtbot, palette, demo_atlas, (1920, 1080))
    close_in(view, 120.15, 30.27, zoom=15.0)
    rng = np.random.default_rng(7)
    lon0, lat0 = view.view.to_lonlat(0, 0)
    lon1, lat1 = view.view.to_lonlat(1920, 1080)
    rows = [
        incident(
            f"C-{i}", rng.uniform(lon0, lon1), rng.uniform(lat1, lat0), level=1 + i % 4, opened=NOW - 3600
        )
        for i in range(120)
    ]
    view.show_incidents(IncidentMarks.of(rows, [f"积水 {i}" for i in range(120)]))
    kinds = sorted({u.kind for u in demo_atlas.units})
    view.show_units(
        UnitMarks.of(
            [
                (f"U-{i}", rng.uniform(lon0, lon1), rng.uniform(lat1, lat0), float(rng.uniform(0, 360)),
                 kinds[i % len(kinds)], UnitStatus(i % 4), NOW - rng.uniform(0, 900))
                for i in range(60)
            ]
        )
    )  # fmt: skip
    view.show_cameras(
        CameraMarks.of([(c.id, c.lon, c.lat, c.heading_deg, c.fov_deg) for c in demo_atlas.cameras])
    )
    view.show_grid_load({c.code: 1 + i % 4 for i, c in enumerate(demo_atlas.cells)})
    d = 0.004
    square = (
        (120.15 - d, 30.27 - d),
        (120.15 + d, 30.27 - d),
        (120.15 + d, 30.27 + d),
        (120.15 - d, 30.27 + d),
    )
    view.show_warning_areas((WarningArea("cap-1", "暴雨橙色预警", 2, (square,)),))
    legs = ((lon0 + 0.002, lat1 + 0.002), (120.15, lat1 + 0.002), (120.15, 30.27))
    view.show_route(RouteLine("钟楼区城管执法队", legs, 300.0, True), bring_into_view=False)

    image = view.grab().toImage()
    out = Path(os.environ.get("MAP_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    image.save(str(out / "map-every-layer-1920x1080.png"))

    colours = _colours(image)
    for token in ("sev1", "sev2", "sev3", "sev4", "map_camera", "map_road_major", "ok", "warn", "accent"):
        assert _has(colours, palette.color(token)), token


def _colours(image: QImage) -> np.ndarray:
    small = image.convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(small.constBits(), dtype=np.uint8).reshape(
        small.height(), small.bytesPerLine() // 4, 4
    )
    return data[:, : small.width(), :3].reshape(-1, 3)[:, ::-1].astype(np.int16)


def _has(colours: np.ndarray, colour: QColor) -> bool:
    target = np.array([colour.red(), colour.green(), colour.blue()], dtype=np.int16)
    return bool((np.abs(colours - target).max(axis=1) <= 6).sum() >= 20)


def test_the_city_fills_the_window_it_is_given_until_the_operator_moves_the_map(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = SituationMap(palette)
    qtbot.addWidget(view)
    view.set_atlas(demo_atlas)  # before the layout has given the map its size

    view.resize(1600, 900)
    view.show()
    qtbot.waitExposed(view)
    lons = [p[0] for d in demo_atlas.districts for r in d.outline for p in r]
    lats = [p[1] for d in demo_atlas.districts for r in d.outline for p in r]
    left, top = view.view.to_screen(min(lons), max(lats))
    right, bottom = view.view.to_screen(max(lons), min(lats))
    assert min(left, top) >= -1
    assert right <= 1601
    assert bottom <= 901
    assert max(right - left, bottom - top) > 800  # it fills the window, not a corner of it

    view.set_view(view.view.zoomed(view.view.zoom + 1, 800, 450))
    zoom = view.view.zoom
    view.resize(1200, 800)
    assert view.view.zoom == zoom


def test_a_wheel_gesture_moves_the_last_base_and_draws_afresh_once_it_settles(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27, zoom=14.0)
    view.set_basemap(BasemapInfo(10, 18))
    view.gesture_settle_s = 3600.0  # a gesture that has not paused, however slow the machine
    asked: list[int] = []
    view.tiles_wanted.connect(lambda keys: asked.extend(z for z, _, _ in keys))
    view.grab()
    assert set(asked) == {14}

    wheel = QWheelEvent(
        QPointF(600, 400), QPointF(view.mapToGlobal(QPoint(600, 400))), QPoint(0, 0), QPoint(0, 240),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(view, wheel)
    assert view.view.zoom == 15.0
    view.grab()
    # Mid-gesture the last base stands in: nothing is drawn (or asked for) at the new zoom yet.
    assert set(asked) == {14}

    view.gesture_settle_s = 0.0  # the gesture pauses
    view.grab()
    assert 15 in asked


def heat_red(image: QImage, x: int, y: int) -> int:
    return QColor(image.pixel(x, y)).red()


def test_fresh_heat_is_composed_over_several_frames_and_then_shown_whole(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    """The once-a-second heat costs a band of rows per clock tick, never one long frame; the map keeps the
    last picture until the new one is whole."""
    view = a_map(qtbot, palette, demo_atlas)
    close_in(view, 120.15, 30.27, zoom=15.0)
    for layer in (MapLayer.INCIDENTS, MapLayer.GRID_LOAD, MapLayer.DISTRICTS, MapLayer.ROADS):
        view.set_layer_visible(layer, False)
    before = view.grab().toImage()
    x, y = point(view, 120.15, 30.27).x(), point(view, 120.15, 30.27).y()
    crowd = [incident(f"C-{i}", 120.15 + (i % 5) * 1e-4, 30.27 + (i // 5) * 1e-4) for i in range(25)]
    view.show_incidents(IncidentMarks.of(crowd))

    reds = []
    for frame in range(20):  # the FrameClock's ticks, each followed by a frame; the heat is due at once
        view.tick(NOW + 1.5 + frame / 30)
        reds.append(heat_red(view.grab().toImage(), x, y))
    glowing = [red > heat_red(before, x, y) + 30 for red in reds]
    first = glowing.index(True)  # the crowd glows...
    assert first >= 3  # ...after a few frames of bands, not in one long frame
    assert all(red == heat_red(before, x, y) for red in reds[:first])  # the last picture stands till then
    assert all(glowing[first:])  # and the new one is shown whole, once


def test_a_tick_repaints_only_when_what_the_map_shows_changes(
    qtbot: QtBot, palette: Palette, demo_atlas: Atlas
) -> None:
    """The FrameClock ticks 30 times a second; a map of 5,000 units costs ~7 ms a frame, so a tick that
    changes nothing on it paints nothing."""
    view = a_map(qtbot, palette, demo_atlas)
    view.set_layer_visible(MapLayer.HEAT, False)
    view.show_incidents(IncidentMarks.of([incident("C-1", 120.15, 30.27, opened=NOW - 3600)]))
    view.tick(NOW)
    qtbot.waitUntil(lambda: view.painted_at[0] == NOW)

    view.tick(NOW + 0.2)
    QApplication.processEvents()
    assert view.painted_at[0] == NOW  # nothing moved: no frame

    view.tick(NOW + 1.0)  # a second on: ages may have moved
    qtbot.waitUntil(lambda: view.painted_at[0] == NOW + 1.0)

    # A new case pulses: the ticks in which its pulse steps are painted, the others are not.
    view.show_incidents(IncidentMarks.of([incident("C-2", 120.15, 30.27, opened=NOW + 1.0)]))
    qtbot.waitUntil(lambda: view.painted_at[0] == NOW + 1.0)
    painted = []
    for step in range(1, 31):
        view.tick(NOW + 1.0 + step / 30)
        QApplication.processEvents()
        painted.append(view.painted_at[0] == NOW + 1.0 + step / 30)
    assert 4 <= sum(painted) < 30
