"""Unit recommendation: rank field units by travel time over the road network to an incident."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import networkx as nx
import numpy as np

from core.geo import distance_m
from dispatch.atlas.model import Atlas

# Between a point and its nearest junction a crew moves off the modelled roads: side streets, yards,
# walking the last stretch. 20 km/h along the straight line is a deliberately slow guess so that
# a unit sitting far from any junction is not favoured over one on the road.
LOCAL_SPEED_KMH = 20.0
_LOCAL_SPEED_MPS = LOCAL_SPEED_KMH / 3.6
_WEIGHT = "travel_s"
# Metres per degree on each axis at the equator, taken from distance_m so the fast projection below
# agrees with it up to the change of cos(latitude) across the city: well under a per mille. Keeping
# every junction within this slack of the projected best lets distance_m make the final, exact choice.
_M_PER_DEG_LON = distance_m(0.0, 0.0, 1.0, 0.0)
_M_PER_DEG_LAT = distance_m(0.0, 0.0, 0.0, 1.0)
_SHORTLIST_SLACK = 1.01


class RoadNode(Protocol):
    """A junction: an atlas's Junction, or any value with these fields."""

    @property
    def id(self) -> int: ...
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...


class _RoadLink(Protocol):
    @property
    def a(self) -> int: ...
    @property
    def b(self) -> int: ...
    @property
    def travel_s(self) -> float: ...


class RoadMap(Protocol):
    """Junctions and the links between them, the shape of the demo city's road graph."""

    @property
    def nodes(self) -> Sequence[RoadNode]: ...
    @property
    def edges(self) -> Sequence[_RoadLink]: ...


class _Base(Protocol):
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...


class _Crew(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def base(self) -> _Base | None: ...


class Roster(Protocol):
    """A city's units, each with the base a mobile crew starts from."""

    @property
    def units(self) -> Sequence[_Crew]: ...


@dataclass(frozen=True, slots=True)
class UnitPosition:
    """Where a unit is now and whether it can take a new order."""

    unit_id: str
    lon: float
    lat: float
    available: bool


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ranked unit: road travel time to the incident and, for reference only, the straight line."""

    unit_id: str
    travel_s: float  # math.inf when no road leads from the unit to the incident
    straight_m: float
    available: bool


class RoadNetwork:
    """An undirected road graph weighted by free-flow travel time, with nearest-junction lookup.

    Built once and then only read, so one instance may serve several threads.
    """

    __slots__ = ("_graph", "_ids", "_nodes", "_x", "_y")

    def __init__(self, nodes: Sequence[RoadNode], links: Iterable[tuple[int, int, float]]) -> None:
        """`links` are (node id, node id, travel seconds); of parallel links the quickest counts."""
        if not nodes:
            raise ValueError("a road network needs at least one node")
        graph = nx.Graph()
        graph.add_nodes_from(node.id for node in nodes)
        for a, b, travel_s in links:
            if a not in graph or b not in graph:
                raise ValueError(f"link {a}–{b} names a node that is not in the network")
            known = graph.get_edge_data(a, b)
            if known is None or travel_s < known[_WEIGHT]:
                graph.add_edge(a, b, **{_WEIGHT: travel_s})
        self._graph = graph
        self._nodes = {node.id: node for node in nodes}
        self._ids = np.array([node.id for node in nodes])
        self._x = np.array([node.lon for node in nodes])
        self._y = np.array([node.lat for node in nodes])

    @classmethod
    def from_city(cls, city: RoadMap) -> RoadNetwork:
        return cls(city.nodes, ((edge.a, edge.b, edge.travel_s) for edge in city.edges))

    @classmethod
    def from_atlas(cls, atlas: Atlas) -> RoadNetwork:
        """The atlas's roads, travel times at each segment's free-flow speed."""
        return cls(atlas.junctions, ((s.a, s.b, s.travel_s) for s in atlas.segments))

    def nearest_node(self, lon: float, lat: float) -> RoadNode:
        """The junction closest by `distance_m`; on a tie the one listed first, as City.nearest_node."""
        # A flat projection at the query's latitude finds the few candidates fast; distance_m decides.
        kx = _M_PER_DEG_LON * math.cos(math.radians(lat))
        approx = np.hypot((self._x - lon) * kx, (self._y - lat) * _M_PER_DEG_LAT)
        shortlist = self._ids[approx <= approx.min() * _SHORTLIST_SLACK + 1e-6]
        by_id = self._nodes
        return min((by_id[int(i)] for i in shortlist), key=lambda n: distance_m(lon, lat, n.lon, n.lat))

    def travel_times_to(self, lon: float, lat: float) -> TravelTimes:
        """Travel times from everywhere to one point: roads run both ways, so one Dijkstra from the
        point's nearest junction serves every unit instead of one search per unit."""
        target = self.nearest_node(lon, lat)
        previous, seconds = nx.dijkstra_predecessor_and_distance(self._graph, target.id, weight=_WEIGHT)
        access_s = distance_m(lon, lat, target.lon, target.lat) / _LOCAL_SPEED_MPS
        return TravelTimes(self, lon, lat, target.id, access_s, seconds, previous)

    def path_to(self, unit: UnitPosition, lon: float, lat: float) -> tuple[int, ...]:
        """Junction ids of the quickest road route from a unit to a point; empty when none exists."""
        return self.travel_times_to(lon, lat).path_from(unit.lon, unit.lat)

    def route(self, from_lon: float, from_lat: float, to_lon: float, to_lat: float) -> RoadRoute | None:
        """The quickest road route between two points as a line to draw (the start, the junctions on the
        way, the end) with its travel time, measured as `recommend` measures it; None when no road leads
        there."""
        times = self.travel_times_to(to_lon, to_lat)
        path = times.path_from(from_lon, from_lat)
        if not path:
            return None
        on_roads = tuple((self._nodes[i].lon, self._nodes[i].lat) for i in path)
        seconds = times.from_point(from_lon, from_lat)
        return RoadRoute(((from_lon, from_lat), *on_roads, (to_lon, to_lat)), seconds)


@dataclass(frozen=True, slots=True)
class RoadRoute:
    """A road route as a line of (lon, lat) points, and the seconds it takes."""

    points: tuple[tuple[float, float], ...]
    travel_s: float


@dataclass(frozen=True, slots=True)
class TravelTimes:
    """The result of one Dijkstra towards an incident; answers for any number of starting points."""

    network: RoadNetwork
    lon: float
    lat: float
    node: int  # the incident's nearest junction
    access_s: float  # from that junction to the incident point at the local speed
    by_node: Mapping[int, float]  # road seconds from each reachable junction to `node`
    previous: Mapping[int, list[int]]  # Dijkstra predecessors, pointing back towards `node`

    def from_point(self, lon: float, lat: float) -> float:
        """Seconds from a point to the incident: local stretch, roads, local stretch; inf if cut off."""
        start = self.network.nearest_node(lon, lat)
        road_s = self.by_node.get(start.id)
        if road_s is None:
            return math.inf
        return distance_m(lon, lat, start.lon, start.lat) / _LOCAL_SPEED_MPS + road_s + self.access_s

    def path_from(self, lon: float, lat: float) -> tuple[int, ...]:
        """Junction ids from the point's nearest junction to the incident's; empty if cut off."""
        current = self.network.nearest_node(lon, lat).id
        if current not in self.by_node:
            return ()
        path = [current]
        while current != self.node:
            current = self.previous[current][0]
            path.append(current)
        return tuple(path)


def recommend(
    network: RoadNetwork, lon: float, lat: float, candidates: Sequence[UnitPosition], limit: int = 5
) -> list[Recommendation]:
    """The best `limit` units for an incident: available ones by road travel time, then unavailable ones.

    Straight-line distance never orders units: across a river or an expressway the nearest unit can be
    the slowest. Ties go to the lower unit id so the list is the same every time it is opened.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    times = network.travel_times_to(lon, lat)
    ranked = sorted(
        (
            Recommendation(
                unit.unit_id,
                times.from_point(unit.lon, unit.lat),
                distance_m(unit.lon, unit.lat, lon, lat),
                unit.available,
            )
            for unit in candidates
        ),
        key=lambda r: (not r.available, r.travel_s, r.unit_id),
    )
    return ranked[:limit]


def base_positions(city: Roster) -> tuple[UnitPosition, ...]:
    """Every mobile unit at its base and available: the start of a shift before any unit reports."""
    return tuple(
        UnitPosition(unit.id, unit.base.lon, unit.base.lat, True)
        for unit in city.units
        if unit.base is not None
    )
