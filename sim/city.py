"""The demo city as frozen data: districts, grid cells, road graph, cameras, units and landmarks."""

from __future__ import annotations

import enum
import functools
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from core.geo import distance_m

CITY_TZ = timezone(timedelta(hours=8))


def local_time_text(t: float, *, millis: bool = True) -> str:
    """RFC 3339 in the city's +08:00 offset; CAP wants whole seconds, the feed milliseconds."""
    moment = datetime.fromtimestamp(t, CITY_TZ)
    return moment.isoformat(timespec="milliseconds" if millis else "seconds")


@dataclass(frozen=True, slots=True)
class LonLat:
    """A WGS84 position, longitude first as in GeoJSON."""

    lon: float
    lat: float


class SpeedClass(enum.Enum):
    """Road class; its free-flow speed is what travel-time routing uses."""

    EXPRESSWAY = "expressway"
    ARTERIAL = "arterial"
    SECONDARY = "secondary"
    BRANCH = "branch"
    RAMP = "ramp"

    @property
    def kmh(self) -> float:
        return _FREE_FLOW_KMH[self]


_FREE_FLOW_KMH = {
    SpeedClass.EXPRESSWAY: 80.0,
    SpeedClass.ARTERIAL: 50.0,
    SpeedClass.SECONDARY: 40.0,
    SpeedClass.BRANCH: 30.0,
    SpeedClass.RAMP: 40.0,
}


class UnitKind(enum.Enum):
    """What a responsible unit (责任单位) handles."""

    URBAN_MANAGEMENT = "urban_management"
    WATER = "water"
    FIRE = "fire"
    POLICE_TRAFFIC = "police_traffic"
    ENVIRONMENT = "environment"
    EMERGENCY = "emergency"
    SANITATION = "sanitation"
    CONSTRUCTION = "construction"


class LandmarkKind(enum.Enum):
    """What kind of place a landmark is; the generator picks event places by kind."""

    SQUARE = "square"
    PARK = "park"
    HOSPITAL = "hospital"
    STADIUM = "stadium"
    MALL = "mall"
    STATION = "station"
    INDUSTRIAL = "industrial"
    SCHOOL = "school"
    MARKET = "market"
    RESIDENTIAL = "residential"
    CONSTRUCTION_SITE = "construction_site"
    UNDERPASS = "underpass"
    GAUGE = "gauge"
    AIR_MONITOR = "air_monitor"


@dataclass(frozen=True, slots=True)
class Street:
    """A 街道 (sub-district); its code is the district code plus three digits."""

    code: str
    name: str
    district_code: str


@dataclass(frozen=True, slots=True)
class District:
    """A 区 with its streets (codes, in order) and the centroid of its grid cells."""

    code: str
    name: str
    street_codes: tuple[str, ...]
    centre: LonLat


@dataclass(frozen=True, slots=True)
class GridCell:
    """A 单元网格: a lon/lat rectangle; code = street code + three digits (12 digits)."""

    code: str
    district_code: str
    street_code: str
    col: int
    row: int
    west: float
    south: float
    east: float
    north: float

    @property
    def centre(self) -> LonLat:
        return LonLat((self.west + self.east) / 2, (self.south + self.north) / 2)


@dataclass(frozen=True, slots=True)
class RoadNode:
    """A junction; `id` is also its index in City.nodes. `name` is empty for ramps and bends."""

    id: int
    lon: float
    lat: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class RoadEdge:
    """An undirected road segment between two nodes.

    Edges run in the direction of their road (south to north, west to east, clockwise on the ring), and
    `start_m` is the distance along the named road from its start to node `a`: surface streets use it
    for house numbers. Travel time is length over free-flow speed; congestion is applied by routing.
    """

    id: int
    a: int
    b: int
    road: str
    speed_class: SpeedClass
    length_m: float
    start_m: float = 0.0

    @property
    def travel_s(self) -> float:
        return self.length_m / (self.speed_class.kmh / 3.6)

    def other(self, node_id: int) -> int:
        return self.b if node_id == self.a else self.a


@dataclass(frozen=True, slots=True)
class Camera:
    """A fixed camera at a junction, looking along `heading_deg` (clockwise from north) with `fov_deg`."""

    id: str
    name: str
    district_code: str
    lon: float
    lat: float
    heading_deg: float
    fov_deg: float
    node_id: int
    road: str


@dataclass(frozen=True, slots=True)
class ResponsibleUnit:
    """A 责任单位. `district_code` None means city-wide; mobile crews start from `base_node`."""

    id: str
    name: str
    kind: UnitKind
    district_code: str | None
    base: LonLat | None = None
    base_node: int | None = None

    @property
    def mobile(self) -> bool:
        return self.base is not None


@dataclass(frozen=True, slots=True)
class Landmark:
    """A named place with a postal-style address on its nearest street."""

    name: str
    kind: LandmarkKind
    lon: float
    lat: float
    district_code: str
    grid_code: str
    address: str


@dataclass(frozen=True, slots=True)
class Bounds:
    """A lon/lat rectangle."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(frozen=True, slots=True)
class City:
    """Everything about the demo city. Node ids index `nodes`; edges are undirected."""

    name: str
    code: str
    centre: LonLat
    bounds: Bounds
    cell_cols: int
    cell_rows: int
    districts: tuple[District, ...]
    streets: tuple[Street, ...]
    cells: tuple[GridCell, ...]
    nodes: tuple[RoadNode, ...]
    edges: tuple[RoadEdge, ...]
    cameras: tuple[Camera, ...]
    units: tuple[ResponsibleUnit, ...]
    landmarks: tuple[Landmark, ...]
    _adjacency: tuple[tuple[int, ...], ...] = field(init=False, repr=False, compare=False)
    _cell_index: dict[tuple[int, int], GridCell] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        touching: list[list[int]] = [[] for _ in self.nodes]
        for edge in self.edges:
            touching[edge.a].append(edge.id)
            touching[edge.b].append(edge.id)
        object.__setattr__(self, "_adjacency", tuple(tuple(ids) for ids in touching))
        object.__setattr__(self, "_cell_index", {(c.col, c.row): c for c in self.cells})

    def district(self, code: str) -> District:
        return next(d for d in self.districts if d.code == code)

    def street(self, code: str) -> Street:
        return next(s for s in self.streets if s.code == code)

    def camera(self, camera_id: str) -> Camera:
        return next(c for c in self.cameras if c.id == camera_id)

    def unit(self, unit_id: str) -> ResponsibleUnit:
        return next(u for u in self.units if u.id == unit_id)

    def edges_at(self, node_id: int) -> tuple[RoadEdge, ...]:
        """The road segments that meet at a node."""
        return tuple(self.edges[i] for i in self._adjacency[node_id])

    def cell_at(self, lon: float, lat: float) -> GridCell | None:
        """The grid cell containing a point, or None outside the city."""
        if not self.bounds.contains(lon, lat):
            return None
        b = self.bounds
        col = min(int((lon - b.west) / (b.east - b.west) * self.cell_cols), self.cell_cols - 1)
        row = min(int((lat - b.south) / (b.north - b.south) * self.cell_rows), self.cell_rows - 1)
        return self._cell_index.get((col, row))

    def nearest_node(self, lon: float, lat: float) -> RoadNode:
        return min(self.nodes, key=lambda n: distance_m(lon, lat, n.lon, n.lat))

    def address_at(self, lon: float, lat: float) -> str:
        """A street address for a point: the nearest surface street and a house number on it."""
        best: tuple[float, RoadEdge, float] | None = None
        for edge in self.edges:
            if edge.speed_class in (SpeedClass.EXPRESSWAY, SpeedClass.RAMP):
                continue
            a, b = self.nodes[edge.a], self.nodes[edge.b]
            t = _projection(lon, lat, a, b)
            px, py = a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)
            d = distance_m(lon, lat, px, py)
            if best is None or d < best[0]:
                best = (d, edge, t)
        if best is None:
            return self.name
        _, edge, t = best
        number = max(1, round((edge.start_m + t * edge.length_m) / 12.0))
        return f"{edge.road}{number}号"

    def district_outline(self, code: str) -> tuple[LonLat, ...]:
        """Convex hull of a district's cells as a closed ring: coarse, but right for warning areas."""
        corners = sorted(
            {
                (lon, lat)
                for c in self.cells
                if c.district_code == code
                for lon in (c.west, c.east)
                for lat in (c.south, c.north)
            }
        )
        hull = _convex_hull(corners)
        return (*(LonLat(x, y) for x, y in hull), LonLat(*hull[0]))


def _projection(lon: float, lat: float, a: RoadNode, b: RoadNode) -> float:
    """Where the foot of the perpendicular from the point falls on segment a→b, clamped to [0, 1]."""
    k = math.cos(math.radians(lat))
    ax, ay, bx, by = a.lon * k, a.lat, b.lon * k, b.lat
    dx, dy = bx - ax, by - ay
    span = dx * dx + dy * dy
    if span == 0:
        return 0.0
    return min(1.0, max(0.0, ((lon * k - ax) * dx + (lat - ay) * dy) / span))


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain over sorted points, counter-clockwise."""

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


@functools.cache
def demo_city() -> City:
    """The one demo city, built once per process; the same on every machine."""
    from sim.city_build import build_demo_city

    return build_demo_city()
