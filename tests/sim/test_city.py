"""The demo city: complete, connected, consistent and inside its own bounds."""

from __future__ import annotations

import re
from collections import deque

from core.geo import distance_m
from sim.city import SpeedClass, UnitKind, demo_city


def test_demo_city_is_built_once() -> None:
    assert demo_city() is demo_city()


def test_districts_streets_and_grid_cells_nest_by_code() -> None:
    city = demo_city()
    assert len(city.districts) == 6
    assert len({d.name for d in city.districts}) == 6
    for district in city.districts:
        assert re.fullmatch(r"\d{6}", district.code)
        assert len(district.street_codes) >= 3
        assert city.bounds.contains(district.centre.lon, district.centre.lat)
        for code in district.street_codes:
            street = city.street(code)
            assert street.district_code == district.code
            assert street.name.endswith("街道")
            assert code.startswith(district.code)
    codes = [c.code for c in city.cells]
    assert len(codes) == len(set(codes))
    streets_with_cells = {c.street_code for c in city.cells}
    assert streets_with_cells == {s.code for s in city.streets}
    for cell in city.cells:
        assert re.fullmatch(r"\d{12}", cell.code)
        assert cell.code.startswith(cell.street_code)
        assert city.street(cell.street_code).district_code == cell.district_code


def test_cell_lookup_finds_each_cell_from_its_centre_and_nothing_outside() -> None:
    city = demo_city()
    for cell in city.cells:
        assert city.cell_at(cell.centre.lon, cell.centre.lat) == cell
    b = city.bounds
    assert city.cell_at(b.west - 0.01, b.south) is None
    assert city.cell_at(b.east, b.north + 0.01) is None


def test_road_graph_is_a_believable_connected_network() -> None:
    city = demo_city()
    assert 150 <= len(city.nodes) <= 400
    assert all(node.id == i for i, node in enumerate(city.nodes))
    assert all(city.bounds.contains(n.lon, n.lat) for n in city.nodes)
    classes = {e.speed_class for e in city.edges}
    assert classes == set(SpeedClass)
    ring = [e for e in city.edges if e.road == "环城高架"]
    assert len(ring) >= 20
    for edge in city.edges:
        a, b = city.nodes[edge.a], city.nodes[edge.b]
        assert edge.a != edge.b
        assert abs(edge.length_m - distance_m(a.lon, a.lat, b.lon, b.lat)) < 1e-6
        assert 10 < edge.length_m < 3000
        assert edge.travel_s == edge.length_m / (edge.speed_class.kmh / 3.6)
    seen = {0}
    todo = deque([0])
    while todo:
        node = todo.popleft()
        for edge in city.edges_at(node):
            other = edge.other(node)
            if other not in seen:
                seen.add(other)
                todo.append(other)
    assert len(seen) == len(city.nodes)


def test_cameras_sit_on_junctions_inside_the_city() -> None:
    city = demo_city()
    assert 35 <= len(city.cameras) <= 45
    assert len({c.id for c in city.cameras}) == len(city.cameras)
    assert {c.district_code for c in city.cameras} == {d.code for d in city.districts}
    for camera in city.cameras:
        assert re.fullmatch(r"\d{20}", camera.id)
        assert city.camera(camera.id) is camera
        assert city.bounds.contains(camera.lon, camera.lat)
        assert 0 <= camera.heading_deg < 360
        assert 0 < camera.fov_deg <= 180
        node = city.nodes[camera.node_id]
        assert (node.lon, node.lat) == (camera.lon, camera.lat)
        assert camera.road in {e.road for e in city.edges_at(camera.node_id)}
        assert "交叉口" in camera.name


def test_responsible_units_cover_every_kind_and_mobile_ones_have_a_base() -> None:
    city = demo_city()
    assert len(city.units) >= 28
    assert len({u.id for u in city.units}) == len(city.units)
    assert {u.kind for u in city.units} == set(UnitKind)
    assert any(u.name == "钟楼区城管执法队" for u in city.units)
    for unit in city.units:
        assert unit.district_code is None or unit.district_code in {d.code for d in city.districts}
        if unit.mobile:
            assert unit.base is not None
            assert unit.base_node is not None
            assert city.bounds.contains(unit.base.lon, unit.base.lat)
        else:
            assert unit.base_node is None


def test_landmarks_have_addresses_and_grid_cells() -> None:
    city = demo_city()
    assert len(city.landmarks) >= 40
    codes = {c.code for c in city.cells}
    for landmark in city.landmarks:
        assert city.bounds.contains(landmark.lon, landmark.lat)
        assert landmark.grid_code in codes
        assert re.fullmatch(r"\w+?(路|街)\d+号", landmark.address), landmark.address


def test_address_at_names_the_nearest_street_with_a_number() -> None:
    city = demo_city()
    node = next(n for n in city.nodes if n.name.startswith("解放路与中山路"))
    address = city.address_at(node.lon, node.lat)
    assert re.fullmatch(r"(解放路|中山路)\d+号", address)


def test_district_outline_is_a_closed_ring_around_the_district() -> None:
    city = demo_city()
    for district in city.districts:
        ring = city.district_outline(district.code)
        assert len(ring) >= 4
        assert ring[0] == ring[-1]
        lons = [p.lon for p in ring]
        lats = [p.lat for p in ring]
        assert min(lons) <= district.centre.lon <= max(lons)
        assert min(lats) <= district.centre.lat <= max(lats)
