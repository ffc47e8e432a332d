"""Builds the demo city from the gazetteer: a deterministic layout in a local km frame around the centre."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random

from core.geo import distance_m
from sim import gazetteer as gz
from sim.city import (
    Bounds,
    Camera,
    City,
    District,
    GridCell,
    Landmark,
    LandmarkKind,
    LonLat,
    ResponsibleUnit,
    RoadEdge,
    RoadNode,
    SpeedClass,
    Street,
    UnitKind,
)

_KM_PER_DEG_LON = 111.320 * math.cos(math.radians(gz.CENTRE_LAT))
_KM_PER_DEG_LAT = 110.574
_CELL_KM = 0.5
_LAKE = (-2.8, 1.6, 1.0, 1.2)  # centre x, centre y, radius x, radius y (km)
_RING_RADII = (5.2, 4.4)
_RING_NODES = 28
_BRIDGE_COLUMNS = frozenset({2, 6, 8, 10, 14})
_COMPASS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")
_SEED = 20260101


def _lonlat(x: float, y: float) -> tuple[float, float]:
    return gz.CENTRE_LON + x / _KM_PER_DEG_LON, gz.CENTRE_LAT + y / _KM_PER_DEG_LAT


def _river_y(x: float) -> float:
    """The river's north bank as a function of x: it crosses the south of the city, rising eastwards."""
    return -4.0 + 0.25 * x + 0.6 * math.sin(x / 2.5)


def _in_lake(x: float, y: float) -> bool:
    cx, cy, rx, ry = _LAKE
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1.0


def _district_code_at(x: float, y: float) -> str:
    if (x / 3.2) ** 2 + (y / 2.8) ** 2 <= 1.0:
        return gz.CENTRE_DISTRICT[0]
    bearing = math.degrees(math.atan2(y, x))
    first = gz.SECTOR_DISTRICTS[0][0]
    if bearing < first:
        bearing += 360.0
    return [code for start, code, _, _ in gz.SECTOR_DISTRICTS if start <= bearing][-1]


class _Builder:
    """Accumulates the city piece by piece; each method adds one layer."""

    def __init__(self) -> None:
        self.rng = random.Random(_SEED)
        self.nodes: list[RoadNode] = []
        self.edges: list[RoadEdge] = []
        self.grid_nodes: dict[tuple[int, int], int] = {}
        self.xy: list[tuple[float, float]] = []

    # -- administrative layer --------------------------------------------------------------------

    def cells(self) -> tuple[list[District], list[Street], list[GridCell]]:
        cols, rows = round(2 * gz.HALF_WIDTH_KM / _CELL_KM), round(2 * gz.HALF_HEIGHT_KM / _CELL_KM)
        by_district: dict[str, list[tuple[int, int, float, float]]] = {}
        for col in range(cols):
            for row in range(rows):
                x = -gz.HALF_WIDTH_KM + (col + 0.5) * _CELL_KM
                y = -gz.HALF_HEIGHT_KM + (row + 0.5) * _CELL_KM
                by_district.setdefault(_district_code_at(x, y), []).append((col, row, x, y))
        districts: list[District] = []
        streets: list[Street] = []
        cells: list[GridCell] = []
        table = [gz.CENTRE_DISTRICT] + [(code, name, sts) for _, code, name, sts in gz.SECTOR_DISTRICTS]
        for code, name, street_names in table:
            members = by_district[code]
            cx = sum(m[2] for m in members) / len(members)
            cy = sum(m[3] for m in members) / len(members)
            seeds = _spread_seeds([(m[2], m[3]) for m in members], (cx, cy), len(street_names))
            street_codes = tuple(f"{code}{i + 1:03d}" for i in range(len(street_names)))
            streets += [Street(sc, sn, code) for sc, sn in zip(street_codes, street_names, strict=True)]
            districts.append(District(code, name, street_codes, LonLat(*_lonlat(cx, cy))))
            per_street: dict[str, list[tuple[int, int]]] = {sc: [] for sc in street_codes}
            for col, row, x, y in members:
                nearest = min(range(len(seeds)), key=lambda k: math.dist((x, y), seeds[k]))
                per_street[street_codes[nearest]].append((col, row))
            for street_code, positions in per_street.items():
                for n, (col, row) in enumerate(sorted(positions, key=lambda p: (-p[1], p[0]))):
                    west, south = _lonlat(
                        -gz.HALF_WIDTH_KM + col * _CELL_KM, -gz.HALF_HEIGHT_KM + row * _CELL_KM
                    )
                    east, north = _lonlat(
                        -gz.HALF_WIDTH_KM + (col + 1) * _CELL_KM, -gz.HALF_HEIGHT_KM + (row + 1) * _CELL_KM
                    )
                    cells.append(
                        GridCell(
                            f"{street_code}{n + 1:03d}", code, street_code, col, row, west, south, east, north
                        )
                    )
        return districts, streets, cells

    # -- road layer --------------------------------------------------------------------------------

    def add_node(self, x: float, y: float, name: str = "") -> int:
        lon, lat = _lonlat(x, y)
        self.nodes.append(RoadNode(len(self.nodes), lon, lat, name))
        self.xy.append((x, y))
        return len(self.nodes) - 1

    def add_edge(self, a: int, b: int, road: str, speed: SpeedClass, start_m: float = 0.0) -> None:
        na, nb = self.nodes[a], self.nodes[b]
        length = distance_m(na.lon, na.lat, nb.lon, nb.lat)
        self.edges.append(RoadEdge(len(self.edges), a, b, road, speed, length, start_m))

    def street_grid(self) -> None:
        for i, ns in enumerate(gz.NS_ROADS):
            for j, ew in enumerate(gz.EW_ROADS):
                x, y = -7.5 + i, -6.5 + j
                if _in_lake(x, y):
                    continue
                jx, jy = self.rng.uniform(-0.12, 0.12), self.rng.uniform(-0.12, 0.12)
                self.grid_nodes[i, j] = self.add_node(x + jx, y + jy, f"{ew}与{ns}交叉口")
        for (i, j), node in sorted(self.grid_nodes.items()):
            east = self.grid_nodes.get((i + 1, j))
            if east is not None and not self._crosses_river(node, east):
                speed = _grid_speed(j % 3 == 2, j)
                self.add_edge(node, east, gz.EW_ROADS[j], speed, (self.xy[node][0] + gz.HALF_WIDTH_KM) * 1000)
            north = self.grid_nodes.get((i, j + 1))
            if north is not None and (i in _BRIDGE_COLUMNS or not self._crosses_river(node, north)):
                speed = _grid_speed(i % 4 == 2, i)
                self.add_edge(
                    node, north, gz.NS_ROADS[i], speed, (self.xy[node][1] + gz.HALF_HEIGHT_KM) * 1000
                )

    def _crosses_river(self, a: int, b: int) -> bool:
        (ax, ay), (bx, by) = self.xy[a], self.xy[b]
        return (ay > _river_y(ax)) != (by > _river_y(bx))

    def _ramp_to_street(self, node: int) -> None:
        x, y = self.xy[node]
        target = min(self.grid_nodes.values(), key=lambda n: math.dist((x, y), self.xy[n]))
        self.add_edge(node, target, f"{self.nodes[node].name or gz.RING_ROAD}匝道", SpeedClass.RAMP)

    def expressways(self) -> None:
        rx, ry = _RING_RADII
        ring: list[int] = []
        for k in range(_RING_NODES):
            angle = math.radians(90.0 - k * 360.0 / _RING_NODES)
            ring.append(self.add_node(rx * math.cos(angle), ry * math.sin(angle)))
        along = 0.0
        for k, node in enumerate(ring):
            nxt = ring[(k + 1) % len(ring)]
            self.add_edge(node, nxt, gz.RING_ROAD, SpeedClass.EXPRESSWAY, along)
            along += self.edges[-1].length_m
            if k % 2 == 0:
                self._ramp_to_street(node)
        for name, bearing in gz.RADIALS:
            ux, uy = math.cos(math.radians(bearing)), math.sin(math.radians(bearing))
            reach = min(
                (gz.HALF_WIDTH_KM - 0.3) / abs(ux) if ux else math.inf,
                (gz.HALF_HEIGHT_KM - 0.3) / abs(uy) if uy else math.inf,
            )
            ring_node = min(ring, key=lambda n: math.dist((ux, uy), _unit(self.xy[n])))
            inner = [self.add_node(r * ux, r * uy, name) for r in (1.6, 3.2)]
            mid = (math.hypot(*self.xy[ring_node]) + reach) / 2
            outer = [self.add_node(r * ux, r * uy, name) for r in (mid, reach)]
            chain = [*inner, ring_node, *outer]
            along = 0.0
            for a, b in itertools.pairwise(chain):
                self.add_edge(a, b, name, SpeedClass.EXPRESSWAY, along)
                along += self.edges[-1].length_m
            for node in (*inner, *outer):
                self._ramp_to_street(node)

    # -- things placed on the map ------------------------------------------------------------------

    def nodes_in(self, city: City, district_code: str) -> list[int]:
        found = []
        for node in sorted(self.grid_nodes.values()):
            cell = city.cell_at(self.nodes[node].lon, self.nodes[node].lat)
            if cell is not None and cell.district_code == district_code:
                found.append(node)
        return found

    def cameras(self, city: City) -> list[Camera]:
        watched = (LandmarkKind.STATION, LandmarkKind.MALL, LandmarkKind.SQUARE, LandmarkKind.STADIUM)
        wanted: dict[str, list[int]] = {code: [] for code in gz.CAMERAS_PER_DISTRICT}
        for name, kind, x, y in gz.LANDMARKS:
            if LandmarkKind(kind) in watched or name.endswith("市场"):
                node = min(self.grid_nodes.values(), key=lambda n: math.dist((x, y), self.xy[n]))
                code = _district_code_at(*self.xy[node])
                if node not in wanted[code]:
                    wanted[code].append(node)
        cameras: list[Camera] = []
        for code, quota in gz.CAMERAS_PER_DISTRICT.items():
            pool = [n for n in self.nodes_in(city, code) if n not in wanted[code]]
            chosen = wanted[code][:quota] + self.rng.sample(pool, max(0, quota - len(wanted[code])))
            for node in chosen:
                edge = self.rng.choice(city.edges_at(node))
                heading = _heading(self.xy[node], self.xy[edge.other(node)])
                direction = _COMPASS[round(heading / 45.0) % 8]
                cameras.append(
                    Camera(
                        id=f"{code}0000132{len(cameras) + 1:07d}",
                        name=f"{self.nodes[node].name}·{direction}向",
                        district_code=code,
                        lon=self.nodes[node].lon,
                        lat=self.nodes[node].lat,
                        heading_deg=round(heading, 1),
                        fov_deg=self.rng.choice((60.0, 75.0, 90.0, 110.0)),
                        node_id=node,
                        road=edge.road,
                    )
                )
        return cameras

    def units(self, city: City) -> list[ResponsibleUnit]:
        units: list[ResponsibleUnit] = []
        for district in city.districts:
            bases = self.rng.sample(self.nodes_in(city, district.code), len(gz.DISTRICT_UNITS))
            for (suffix, label, kind, mobile), node in zip(gz.DISTRICT_UNITS, bases, strict=True):
                units.append(
                    self._unit(
                        f"U-{district.code}-{suffix}",
                        district.name + label,
                        kind,
                        district.code,
                        node if mobile else None,
                    )
                )
        central = self.nodes_in(city, gz.CENTRE_DISTRICT[0])
        for unit_id, name, kind, mobile in gz.CITY_UNITS:
            units.append(self._unit(unit_id, name, kind, None, self.rng.choice(central) if mobile else None))
        return units

    def _unit(
        self, unit_id: str, name: str, kind: str, district: str | None, node: int | None
    ) -> ResponsibleUnit:
        if node is None:
            return ResponsibleUnit(unit_id, name, UnitKind(kind), district)
        base = LonLat(self.nodes[node].lon, self.nodes[node].lat)
        return ResponsibleUnit(unit_id, name, UnitKind(kind), district, base, node)

    def _dry_spot(self) -> tuple[float, float]:
        """A random point on land: neither in the lake nor within 200 m of the river."""
        while True:
            x, y = self.rng.uniform(-7.0, 7.0), self.rng.uniform(-6.0, 6.0)
            if not _in_lake(x, y) and abs(y - _river_y(x)) > 0.2:
                return x, y

    def landmarks(self, city: City) -> list[Landmark]:
        places: list[tuple[str, LandmarkKind, float, float]] = [
            (name, LandmarkKind(kind), x, y) for name, kind, x, y in gz.LANDMARKS
        ]
        for district in city.districts:
            lon, lat = district.centre.lon, district.centre.lat
            places.append((f"{district.name}环境监测站", LandmarkKind.AIR_MONITOR, *_local(lon, lat)))
        for name in gz.RESIDENTIAL:
            places.append((name, LandmarkKind.RESIDENTIAL, *self._dry_spot()))
        for n in range(gz.CONSTRUCTION_SITE_COUNT):
            x, y = self._dry_spot()
            cell = city.cell_at(*_lonlat(x, y))
            street = city.street(cell.street_code).name if cell else gz.CITY_NAME
            places.append((f"{street}{n + 3:02d}号地块工地", LandmarkKind.CONSTRUCTION_SITE, x, y))
        crossings = sorted(n for (i, j), n in self.grid_nodes.items() if i % 4 == 2 and j % 3 == 2)
        for node in self.rng.sample(crossings, gz.UNDERPASS_COUNT):
            ew, ns = self.nodes[node].name.removesuffix("交叉口").split("与")
            places.append((f"{ew}下穿{ns}隧道", LandmarkKind.UNDERPASS, *self.xy[node]))
        for edge in self.edges:
            if edge.road in gz.NS_ROADS and self._crosses_river(edge.a, edge.b):
                (ax, ay), (bx, by) = self.xy[edge.a], self.xy[edge.b]
                place = (f"{gz.RIVER}{edge.road}大桥水位站", LandmarkKind.GAUGE, (ax + bx) / 2, (ay + by) / 2)
                places.append(place)
        landmarks = []
        for name, kind, x, y in places:
            lon, lat = _lonlat(x, y)
            cell = city.cell_at(lon, lat)
            if cell is not None:
                address = city.address_at(lon, lat)
                landmarks.append(Landmark(name, kind, lon, lat, cell.district_code, cell.code, address))
        return landmarks


def _grid_speed(arterial: bool, index: int) -> SpeedClass:
    if arterial:
        return SpeedClass.ARTERIAL
    return SpeedClass.SECONDARY if index % 2 == 0 else SpeedClass.BRANCH


def _unit(xy: tuple[float, float]) -> tuple[float, float]:
    norm = math.hypot(*xy) or 1.0
    return xy[0] / norm, xy[1] / norm


def _heading(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Compass bearing from a to b in degrees clockwise from north."""
    return math.degrees(math.atan2(b[0] - a[0], b[1] - a[1])) % 360.0


def _local(lon: float, lat: float) -> tuple[float, float]:
    return (lon - gz.CENTRE_LON) * _KM_PER_DEG_LON, (lat - gz.CENTRE_LAT) * _KM_PER_DEG_LAT


def _spread_seeds(
    points: list[tuple[float, float]], centre: tuple[float, float], count: int
) -> list[tuple[float, float]]:
    """Street seeds: farthest-point start, then a few Lloyd rounds so streets come out compact and even."""
    seeds = [min(points, key=lambda p: math.dist(p, centre))]
    while len(seeds) < count:
        seeds.append(max(points, key=lambda p: min(math.dist(p, s) for s in seeds)))
    for _ in range(12):
        groups: list[list[tuple[float, float]]] = [[] for _ in seeds]
        for p in points:
            groups[min(range(count), key=lambda k: math.dist(p, seeds[k]))].append(p)
        seeds = [
            (sum(p[0] for p in g) / len(g), sum(p[1] for p in g) / len(g)) if g else seed
            for g, seed in zip(groups, seeds, strict=True)
        ]
    return seeds


def _city(builder: _Builder) -> City:
    districts, streets, cells = builder.cells()
    west, south = _lonlat(-gz.HALF_WIDTH_KM, -gz.HALF_HEIGHT_KM)
    east, north = _lonlat(gz.HALF_WIDTH_KM, gz.HALF_HEIGHT_KM)
    return City(
        name=gz.CITY_NAME,
        code=gz.CITY_CODE,
        centre=LonLat(gz.CENTRE_LON, gz.CENTRE_LAT),
        bounds=Bounds(west, south, east, north),
        cell_cols=round(2 * gz.HALF_WIDTH_KM / _CELL_KM),
        cell_rows=round(2 * gz.HALF_HEIGHT_KM / _CELL_KM),
        districts=tuple(districts),
        streets=tuple(streets),
        cells=tuple(cells),
        nodes=tuple(builder.nodes),
        edges=tuple(builder.edges),
        cameras=(),
        units=(),
        landmarks=(),
    )


def build_demo_city() -> City:
    """Lay out the city; the fixed seed makes the jitter and placements identical on every run."""
    builder = _Builder()
    builder.street_grid()
    builder.expressways()
    city = _city(builder)
    cameras = tuple(builder.cameras(city))
    units = tuple(builder.units(city))
    landmarks = tuple(builder.landmarks(city))
    return dataclasses.replace(city, cameras=cameras, units=units, landmarks=landmarks)
