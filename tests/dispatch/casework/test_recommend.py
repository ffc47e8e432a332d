"""Unit recommendation: units are ranked by road travel time, never by straight-line distance."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.geo import distance_m
from dispatch.casework.recommend import (
    LOCAL_SPEED_KMH,
    RoadNetwork,
    UnitPosition,
    base_positions,
    recommend,
)
from sim.city import City, RoadNode, demo_city

_LON0, _LAT0 = 120.0, 30.0
_KMH50_S_PER_KM = 3600.0 / 50.0
_LOCAL_S_PER_M = 3.6 / LOCAL_SPEED_KMH


def _at(x_km: float, y_km: float) -> tuple[float, float]:
    """A lon/lat a given number of km east and north of a fixed origin."""
    lon = _LON0 + x_km / (distance_m(_LON0, _LAT0, _LON0 + 1.0, _LAT0) / 1000.0)
    lat = _LAT0 + y_km / (distance_m(_LON0, _LAT0, _LON0, _LAT0 + 1.0) / 1000.0)
    return lon, lat


def _river_town_parts() -> tuple[list[RoadNode], list[tuple[int, int, float]]]:
    """Two 10 km bank roads 400 m apart (ids 0–10 north, 11–21 south), one bridge at the east end."""
    nodes = [RoadNode(i, *_at(i, 0.2)) for i in range(11)]
    nodes += [RoadNode(11 + i, *_at(i, -0.2)) for i in range(11)]
    links = [(i, i + 1, _KMH50_S_PER_KM) for i in range(10)]
    links += [(11 + i, 12 + i, _KMH50_S_PER_KM) for i in range(10)]
    links.append((10, 21, 0.4 * _KMH50_S_PER_KM))
    return nodes, links


def _river_town() -> RoadNetwork:
    return RoadNetwork(*_river_town_parts())


INCIDENT = _at(0.0, 0.25)  # 50 m north of junction 0
ACROSS_THE_RIVER = UnitPosition("U-A", *_at(0.0, -0.25), available=True)  # 500 m away, 20.4 km by road
UP_THE_BANK = UnitPosition("U-B", *_at(3.0, 0.25), available=True)  # 3 km away, 3 km by road


def test_the_nearest_unit_across_the_river_is_not_the_quickest() -> None:
    ranked = recommend(_river_town(), *INCIDENT, [ACROSS_THE_RIVER, UP_THE_BANK])
    assert [r.unit_id for r in ranked] == ["U-B", "U-A"]
    across, up = ranked[1], ranked[0]
    assert across.straight_m == pytest.approx(500.0, rel=1e-3)
    assert up.straight_m == pytest.approx(3000.0, rel=1e-3)
    # Each end is 50 m off the road at the local speed; the roads in between run at 50 km/h.
    assert up.travel_s == pytest.approx(100 * _LOCAL_S_PER_M + 3 * _KMH50_S_PER_KM, rel=1e-3)
    assert across.travel_s == pytest.approx(100 * _LOCAL_S_PER_M + 20.4 * _KMH50_S_PER_KM, rel=1e-3)


def test_the_route_from_across_the_river_goes_over_the_bridge() -> None:
    path = _river_town().path_to(ACROSS_THE_RIVER, *INCIDENT)
    assert path == (11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
    assert _river_town().path_to(UP_THE_BANK, *INCIDENT) == (3, 2, 1, 0)


def test_busy_units_come_after_every_available_one_and_say_so() -> None:
    busy = UnitPosition("U-B", UP_THE_BANK.lon, UP_THE_BANK.lat, available=False)
    ranked = recommend(_river_town(), *INCIDENT, [busy, ACROSS_THE_RIVER])
    assert [(r.unit_id, r.available) for r in ranked] == [("U-A", True), ("U-B", False)]
    assert ranked[1].travel_s < ranked[0].travel_s


def test_equal_travel_times_are_ordered_by_unit_id() -> None:
    lon, lat = _at(5.0, 0.2)
    twins = [UnitPosition(uid, lon, lat, available=True) for uid in ("U-3", "U-1", "U-2")]
    ranked = recommend(_river_town(), *INCIDENT, twins)
    assert [r.unit_id for r in ranked] == ["U-1", "U-2", "U-3"]
    assert len({r.travel_s for r in ranked}) == 1


def test_a_unit_with_no_road_to_the_incident_ranks_last_of_the_available_with_infinite_time() -> None:
    island = RoadNode(99, *_at(0.0, -5.0))
    nodes, links = _river_town_parts()
    network = RoadNetwork([*nodes, island], links)
    stranded = UnitPosition("U-0", island.lon, island.lat, available=True)
    busy = UnitPosition("U-9", *_at(1.0, 0.2), available=False)
    ranked = recommend(network, *INCIDENT, [stranded, busy, UP_THE_BANK])
    assert [r.unit_id for r in ranked] == ["U-B", "U-0", "U-9"]
    assert ranked[1].travel_s == math.inf
    assert network.path_to(stranded, *INCIDENT) == ()


def test_limit_keeps_the_best_few() -> None:
    positions = [UnitPosition(f"U-{k}", *_at(k, 0.2), available=True) for k in range(10)]
    network = _river_town()
    assert [r.unit_id for r in recommend(network, *INCIDENT, positions, limit=3)] == ["U-0", "U-1", "U-2"]
    assert len(recommend(network, *INCIDENT, positions)) == 5
    assert recommend(network, *INCIDENT, positions, limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        recommend(network, *INCIDENT, positions, limit=-1)


def test_of_parallel_links_the_quickest_counts() -> None:
    a, b = RoadNode(0, *_at(0.0, 0.0)), RoadNode(1, *_at(1.0, 0.0))
    network = RoadNetwork([a, b], [(0, 1, 300.0), (1, 0, 60.0), (0, 1, 120.0)])
    assert network.travel_times_to(b.lon, b.lat).from_point(a.lon, a.lat) == pytest.approx(60.0)


def test_a_network_refuses_links_to_unknown_junctions_and_an_empty_node_list() -> None:
    with pytest.raises(ValueError, match="not in the network"):
        RoadNetwork([RoadNode(0, _LON0, _LAT0)], [(0, 1, 10.0)])
    with pytest.raises(ValueError, match="at least one node"):
        RoadNetwork([], [])


# -- the demo city ---------------------------------------------------------------------------------


_CITY = demo_city()


@pytest.fixture(scope="module")
def network() -> RoadNetwork:
    return RoadNetwork.from_city(_CITY)


def test_every_mobile_unit_can_reach_every_grid_cell(network: RoadNetwork) -> None:
    units = base_positions(_CITY)
    assert len(units) == sum(u.mobile for u in _CITY.units) > 20
    for cell in _CITY.cells:
        times = network.travel_times_to(cell.centre.lon, cell.centre.lat)
        for unit in units:
            assert math.isfinite(times.from_point(unit.lon, unit.lat)), (cell.code, unit.unit_id)


def _road_graph(city: City) -> nx.Graph:
    graph = nx.Graph()
    # Slowest first, so of two parallel segments the quicker one is added last and kept.
    for edge in sorted(city.edges, key=lambda e: -e.travel_s):
        graph.add_edge(edge.a, edge.b, seconds=edge.travel_s)
    return graph


_ROAD_GRAPH = _road_graph(_CITY)
_POINTS = st.tuples(
    st.floats(_CITY.bounds.west, _CITY.bounds.east), st.floats(_CITY.bounds.south, _CITY.bounds.north)
)


def _expected_seconds(city: City, unit: UnitPosition, lon: float, lat: float) -> float:
    """Travel time computed independently: City.nearest_node and a point-to-point networkx query."""
    start, end = city.nearest_node(unit.lon, unit.lat), city.nearest_node(lon, lat)
    road = nx.shortest_path_length(_ROAD_GRAPH, start.id, end.id, weight="seconds")
    off_road = distance_m(unit.lon, unit.lat, start.lon, start.lat) + distance_m(lon, lat, end.lon, end.lat)
    return float(road) + off_road * _LOCAL_S_PER_M


@settings(max_examples=60, deadline=None)
@given(incident=_POINTS, seed=st.integers(0, 2**32 - 1))
def test_demo_city_ranking_follows_road_travel_times(
    network: RoadNetwork, incident: tuple[float, float], seed: int
) -> None:
    rng = random.Random(seed)
    b = _CITY.bounds
    units = [
        UnitPosition(
            u.unit_id, rng.uniform(b.west, b.east), rng.uniform(b.south, b.north), rng.random() < 0.7
        )
        for u in base_positions(_CITY)
    ]
    ranked = recommend(network, *incident, units, limit=len(units))
    assert sorted(r.unit_id for r in ranked) == sorted(u.unit_id for u in units)
    by_id = {u.unit_id: u for u in units}
    for r in ranked:
        unit = by_id[r.unit_id]
        assert r.travel_s == pytest.approx(_expected_seconds(_CITY, unit, *incident), rel=1e-9)
        assert r.straight_m == pytest.approx(distance_m(unit.lon, unit.lat, *incident))
        assert r.available == unit.available
    keys = [(not r.available, r.travel_s, r.unit_id) for r in ranked]
    assert keys == sorted(keys)
    assert recommend(network, *incident, units) == ranked[:5]


@settings(max_examples=200, deadline=None)
@given(point=_POINTS)
def test_nearest_junction_is_the_one_the_city_finds(network: RoadNetwork, point: tuple[float, float]) -> None:
    assert network.nearest_node(*point) == _CITY.nearest_node(*point)
