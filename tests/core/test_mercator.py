"""Web-Mercator: positions survive the round trip to pixels, tiles and views keep their promises."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from core.mercator import (
    MAX_LAT,
    TILE_SIZE,
    View,
    fit,
    metres_per_pixel,
    project,
    tile_of,
    tiles_covering,
    tms_row,
    to_lonlat,
    to_world,
    world_size,
    zoom_for_scale,
)

lons = st.floats(-180.0, 180.0)
lats = st.floats(-MAX_LAT, MAX_LAT)
zooms = st.floats(0.0, 22.0)
int_zooms = st.integers(0, 22)


@given(lons, lats, zooms)
def test_a_position_comes_back_from_its_world_pixel(lon: float, lat: float, zoom: float) -> None:
    back_lon, back_lat = to_lonlat(*to_world(lon, lat, zoom), zoom)

    assert math.isclose(back_lon, lon, abs_tol=1e-9)
    assert math.isclose(back_lat, lat, abs_tol=1e-9)


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), zooms)
def test_a_world_pixel_comes_back_from_its_position(fx: float, fy: float, zoom: float) -> None:
    size = world_size(zoom)
    x, y = fx * size, fy * size

    back_x, back_y = to_world(*to_lonlat(x, y, zoom), zoom)

    # Within a thousandth of a pixel: far below what anyone can see, at every zoom.
    assert math.isclose(back_x, x, abs_tol=1e-3)
    assert math.isclose(back_y, min(max(y, 0.0), size), abs_tol=max(1e-3, size * 1e-12))


@given(st.lists(st.tuples(lons, lats), min_size=1, max_size=50), zooms)
def test_arrays_project_exactly_like_single_positions(points: list[tuple[float, float]], zoom: float) -> None:
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])

    xs, ys = project(lon, lat, zoom)

    for (plon, plat), x, y in zip(points, xs, ys, strict=True):
        sx, sy = to_world(plon, plat, zoom)
        assert math.isclose(x, sx, rel_tol=1e-12, abs_tol=1e-6)
        assert math.isclose(y, sy, rel_tol=1e-12, abs_tol=1e-6)


def test_the_world_is_one_tile_at_zoom_0_and_north_is_up() -> None:
    corner = to_world(-180.0, MAX_LAT, 0)
    assert math.isclose(corner[0], 0.0, abs_tol=1e-9)
    assert math.isclose(corner[1], 0.0, abs_tol=1e-9)
    assert to_world(0.0, 0.0, 0) == (TILE_SIZE / 2, TILE_SIZE / 2)
    assert to_world(120.15, 30.3, 12)[1] < to_world(120.15, 30.2, 12)[1]
    # Beyond the cut the map stops at its edge rather than wrapping.
    assert math.isclose(to_world(-179.0, 89.9, 1)[1], 0.0, abs_tol=1e-9)


@given(lons, lats, int_zooms)
def test_a_position_lies_inside_its_tile(lon: float, lat: float, zoom: int) -> None:
    col, row = tile_of(lon, lat, zoom)
    x, y = to_world(lon, lat, zoom)

    assert 0 <= col < 2**zoom
    assert 0 <= row < 2**zoom
    assert col * TILE_SIZE <= x <= (col + 1) * TILE_SIZE
    assert row * TILE_SIZE <= y <= (row + 1) * TILE_SIZE


@given(st.floats(-179.9, 179.9), st.floats(-85.0, 85.0), int_zooms)
def test_tiles_are_numbered_as_openstreetmap_numbers_them(lon: float, lat: float, zoom: int) -> None:
    # The OpenStreetMap wiki's formula (asinh of the tangent), written independently of ours.
    n = 2**zoom
    col = (lon + 180.0) / 360.0 * n
    row = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    # A position a hair from a tile edge may round either way in two formulations.
    assume(abs(col - round(col)) > 1e-6 and abs(row - round(row)) > 1e-6)

    assert tile_of(lon, lat, zoom) == (int(col), int(row))


def test_china_is_in_the_north_east_tile_at_zoom_1() -> None:
    assert tile_of(120.15, 30.25, 1) == (1, 0)
    assert tile_of(-70.0, -33.0, 1) == (0, 1)


@given(int_zooms, st.data())
def test_the_tms_flip_is_its_own_inverse(zoom: int, data: st.DataObject) -> None:
    row = data.draw(st.integers(0, 2**zoom - 1))

    assert tms_row(tms_row(row, zoom), zoom) == row
    assert 0 <= tms_row(row, zoom) < 2**zoom


def test_the_tms_flip_turns_the_northmost_row_into_the_last() -> None:
    assert tms_row(0, 3) == 7
    assert tms_row(7, 3) == 0


@given(lats, zooms)
def test_metres_per_pixel_halves_with_each_zoom_and_inverts(lat: float, zoom: float) -> None:
    scale = metres_per_pixel(lat, zoom)

    assert math.isclose(metres_per_pixel(lat, zoom + 1), scale / 2, rel_tol=1e-12)
    assert math.isclose(zoom_for_scale(scale, lat), zoom, abs_tol=1e-9)


def test_metres_per_pixel_at_the_equator_is_the_published_figure() -> None:
    # OpenStreetMap's zoom-level table: 156,543.03 m per pixel at zoom 0, 2.3887 at zoom 16.
    assert math.isclose(metres_per_pixel(0.0, 0), 156_543.03, rel_tol=1e-6)
    assert math.isclose(metres_per_pixel(0.0, 16), 2.3887, rel_tol=1e-4)
    assert math.isclose(metres_per_pixel(60.0, 16), 2.3887 / 2, rel_tol=1e-4)


@given(int_zooms, st.data())
def test_the_tiles_covering_a_rectangle_hold_every_corner(zoom: int, data: st.DataObject) -> None:
    size = world_size(zoom)
    # A window's worth of tiles (up to ~24 across), anywhere in the world.
    left = data.draw(st.floats(0.0, size))
    top = data.draw(st.floats(0.0, size))
    right = min(size, left + data.draw(st.floats(0.0, 6000.0)))
    bottom = min(size, top + data.draw(st.floats(0.0, 6000.0)))

    tiles = tiles_covering(left, top, right, bottom, zoom)

    cells = set(tiles)
    assert len(cells) == len(tiles)
    for x, y in ((left, top), (right, bottom), (left, bottom), (right, top)):
        col = min(2**zoom - 1, int(x // TILE_SIZE))
        row = min(2**zoom - 1, int(y // TILE_SIZE))
        assert (col, row) in cells
    assert all(0 <= col < 2**zoom and 0 <= row < 2**zoom for col, row in cells)


# Views a city map shows: a province down to a house, over China (at zoom 8 and up even a 6000-pixel window
# stays far inside the world, which screen points beyond its edge would leave).
city_views = st.builds(
    View,
    lon=st.floats(73.0, 135.0),
    lat=st.floats(18.0, 53.0),
    zoom=st.floats(8.0, 19.0),
    width=st.integers(1, 6000),
    height=st.integers(1, 3000),
)


@given(city_views, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_a_screen_point_comes_back_from_its_position(view: View, fx: float, fy: float) -> None:
    sx, sy = fx * view.width, fy * view.height

    back = view.to_screen(*view.to_lonlat(sx, sy))

    assert math.isclose(back[0], sx, abs_tol=1e-3)
    assert math.isclose(back[1], sy, abs_tol=1e-3)


@given(city_views, st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(-3.0, 3.0))
def test_zooming_keeps_the_point_under_the_pointer(view: View, fx: float, fy: float, step: float) -> None:
    sx, sy = fx * view.width, fy * view.height
    under = view.to_lonlat(sx, sy)

    zoomed = view.zoomed(view.zoom + step, sx, sy)

    assert zoomed.zoom == view.zoom + step
    back = zoomed.to_screen(*under)
    assert math.isclose(back[0], sx, abs_tol=1e-3)
    assert math.isclose(back[1], sy, abs_tol=1e-3)


@given(city_views, st.floats(-500.0, 500.0), st.floats(-500.0, 500.0))
def test_panning_moves_the_map_by_the_drag(view: View, dx: float, dy: float) -> None:
    centre = (view.lon, view.lat)

    panned = view.panned(dx, dy)

    # What was at the centre is now dragged the opposite way.
    x, y = panned.to_screen(*centre)
    assert math.isclose(x, view.width / 2 - dx, abs_tol=1e-3)
    assert math.isclose(y, view.height / 2 - dy, abs_tol=1e-3)


@given(
    st.floats(73.0, 134.0),
    st.floats(18.0, 52.0),
    st.floats(0.001, 1.0),
    st.floats(0.001, 1.0),
    st.integers(200, 6000),
    st.integers(200, 3000),
)
def test_fitting_a_box_shows_all_of_it(
    west: float, south: float, dlon: float, dlat: float, width: int, height: int
) -> None:
    east, north = west + dlon, south + dlat

    view = fit(west, south, east, north, width, height)

    for lon, lat in ((west, south), (east, north), (west, north), (east, south)):
        x, y = view.to_screen(lon, lat)
        assert -1e-6 <= x <= width + 1e-6
        assert -1e-6 <= y <= height + 1e-6
