"""Where the demo city's reports happen: picks a spot on the map with its address, grid cell and camera."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from core.geo import M_PER_DEG_LAT, distance_m
from sim.catalog import Category
from sim.city import Camera, City, Landmark, LandmarkKind, RoadEdge, SpeedClass

_COMPASS = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")
# A camera closer than this to a landmark is taken to be watching it.
_WATCHING_M = 800.0


@dataclass(frozen=True, slots=True)
class Spot:
    """A place for one report: `place` is how a title names it, `address` the postal-style address."""

    lon: float
    lat: float
    place: str
    address: str
    grid: str
    camera_id: str | None = None


class Places:
    """Indexes the city by district once, then draws spots with the generator's random stream."""

    def __init__(self, city: City, rng: random.Random) -> None:
        self._city = city
        self._rng = rng
        self._streets: dict[str | None, list[RoadEdge]] = {None: []}
        for edge in city.edges:
            if edge.speed_class in (SpeedClass.EXPRESSWAY, SpeedClass.RAMP):
                continue
            a, b = city.nodes[edge.a], city.nodes[edge.b]
            cell = city.cell_at((a.lon + b.lon) / 2, (a.lat + b.lat) / 2)
            self._streets[None].append(edge)
            if cell is not None:
                self._streets.setdefault(cell.district_code, []).append(edge)
        self._junctions: dict[str | None, list[int]] = {None: []}
        for node in city.nodes:
            cell = city.cell_at(node.lon, node.lat)
            if node.name.endswith("交叉口") and cell is not None:
                self._junctions[None].append(node.id)
                self._junctions.setdefault(cell.district_code, []).append(node.id)

    def spot(self, category: Category, source: str, district: str | None = None) -> Spot:
        """A believable spot for this kind of report from this source, inside `district` if given."""
        rng = self._rng
        landmark = None
        if category.places and rng.random() < category.place_share:
            landmark = self._landmark(category.places, district)
        if source == "video_ai":
            return self._camera_view(landmark, district)
        if landmark is not None:
            return self._near_landmark(landmark)
        if category.at_junction:
            node = self._city.nodes[rng.choice(self._junctions.get(district) or self._junctions[None])]
            lon, lat = self._jitter(node.lon, node.lat, 15.0)
            return self._spot(lon, lat, node.name, node.name)
        edge = rng.choice(self._streets.get(district) or self._streets[None])
        a, b = self._city.nodes[edge.a], self._city.nodes[edge.b]
        t = rng.random()
        lon, lat = self._jitter(a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat), 10.0)
        number = max(1, round((edge.start_m + t * edge.length_m) / 12.0))
        address = f"{edge.road}{number}号附近"
        return self._spot(lon, lat, address, address)

    def landmark_spot(self, kind: LandmarkKind) -> Spot:
        landmark = self._landmark((kind,), None)
        if landmark is None:
            raise LookupError(f"the city has no {kind.value}")
        return self._near_landmark(landmark)

    def _landmark(self, kinds: tuple[LandmarkKind, ...], district: str | None) -> Landmark | None:
        pool = [
            lm for lm in self._city.landmarks if lm.kind in kinds and district in (None, lm.district_code)
        ]
        return self._rng.choice(pool) if pool else None

    def _near_landmark(self, landmark: Landmark) -> Spot:
        lon, lat = self._jitter(landmark.lon, landmark.lat, 40.0)
        return self._spot(lon, lat, landmark.name, landmark.address)

    def _camera_view(self, landmark: Landmark | None, district: str | None) -> Spot:
        """A spot in a camera's field of view: the camera watching the landmark if any does."""
        cameras = [c for c in self._city.cameras if district in (None, c.district_code)]
        camera: Camera | None = None
        if landmark is not None:
            lm_lon, lm_lat = landmark.lon, landmark.lat
            camera = min(cameras, key=lambda c: distance_m(c.lon, c.lat, lm_lon, lm_lat))
            if distance_m(camera.lon, camera.lat, lm_lon, lm_lat) > _WATCHING_M:
                camera, landmark = None, None
        if camera is None:
            camera = self._rng.choice(cameras)
        bearing = math.radians(camera.heading_deg + self._rng.uniform(-camera.fov_deg, camera.fov_deg) / 2)
        reach = self._rng.uniform(20.0, 80.0)
        lat = camera.lat + reach * math.cos(bearing) / M_PER_DEG_LAT
        lon = camera.lon + reach * math.sin(bearing) / (M_PER_DEG_LAT * math.cos(math.radians(camera.lat)))
        junction = self._city.nodes[camera.node_id].name
        side = _COMPASS[round(camera.heading_deg / 45.0) % 8]
        address = f"{junction}{side}侧"
        place = landmark.name if landmark is not None else junction
        return self._spot(lon, lat, place, address, camera.id)

    def _jitter(self, lon: float, lat: float, metres: float) -> tuple[float, float]:
        dy = self._rng.uniform(-metres, metres) / M_PER_DEG_LAT
        dx = self._rng.uniform(-metres, metres) / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
        return lon + dx, lat + dy

    def _spot(self, lon: float, lat: float, place: str, address: str, camera_id: str | None = None) -> Spot:
        lon, lat = _inside(self._city, lon, lat)
        cell = self._city.cell_at(lon, lat)
        assert cell is not None, "every point is clamped into the city"
        return Spot(lon, lat, place, address, cell.code, camera_id)


def _inside(city: City, lon: float, lat: float) -> tuple[float, float]:
    b = city.bounds
    return min(max(lon, b.west), b.east), min(max(lat, b.south), b.north)
