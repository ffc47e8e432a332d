"""A city's geography and resources as frozen values: districts, grid, roads, units, cameras, places."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dispatch.atlas.datum import Datum

Ring = tuple[tuple[float, float], ...]  # closed: the last point repeats the first, lon first

# Free-flow speeds of each road class when a segment does not give its own (urban design speeds).
CLASS_SPEED_KMH: dict[str, float] = {
    "expressway": 80.0,
    "arterial": 50.0,
    "secondary": 40.0,
    "branch": 30.0,
    "ramp": 40.0,
}


class PlaceKind(enum.StrEnum):
    """Points of interest a dispatcher plans around."""

    HOSPITAL = "hospital"
    SHELTER = "shelter"
    SCHOOL = "school"
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"
    UNDERPASS = "underpass"


@dataclass(frozen=True, slots=True)
class LonLat:
    """A position in the atlas's working datum, longitude first as in GeoJSON."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class District:
    """A 区/县 by its six-digit 行政区划代码, with its outline (outer rings of its polygons)."""

    code: str
    name: str
    outline: tuple[Ring, ...]


@dataclass(frozen=True, slots=True)
class Street:
    """A 街道/乡镇: its nine-digit code starts with its district's code."""

    code: str
    name: str
    district_code: str


@dataclass(frozen=True, slots=True)
class GridCell:
    """A 单元网格: its code starts with its street's code."""

    code: str
    street_code: str
    district_code: str
    outline: Ring


@dataclass(frozen=True, slots=True)
class Junction:
    """A road vertex; `id` is also its index in Atlas.junctions."""

    id: int
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class RoadSegment:
    """A straight stretch of a named road between two junctions, travelled both ways."""

    id: int
    a: int
    b: int
    road: str
    road_class: str
    speed_kmh: float
    length_m: float

    @property
    def travel_s(self) -> float:
        return self.length_m / (self.speed_kmh / 3.6)


@dataclass(frozen=True, slots=True)
class Unit:
    """A 责任单位. `district_code` None means city-wide; a unit with a `base` is a mobile crew."""

    id: str
    name: str
    kind: str
    district_code: str | None
    base: LonLat | None


@dataclass(frozen=True, slots=True)
class Camera:
    """A camera with the camera file's settings (see docs/video.md), its position in the working datum."""

    id: str
    name: str
    group: str
    lon: float
    lat: float
    heading_deg: float
    fov_deg: float
    sub: str
    main: str
    access: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """A point of interest."""

    name: str
    kind: PlaceKind
    lon: float
    lat: float
    address: str
    district_code: str | None


@dataclass(frozen=True, slots=True)
class Category:
    """A case category the city's console offers in its filters."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Basemap:
    """A raster basemap (MBTiles) and the datum its pictures are drawn in."""

    path: Path
    datum: Datum
    min_zoom: int
    max_zoom: int


@dataclass(frozen=True, slots=True)
class Atlas:
    """Everything one city's files say, every position in `datum` (the working datum)."""

    name: str
    code: str
    datum: Datum
    districts: tuple[District, ...]
    streets: tuple[Street, ...]
    cells: tuple[GridCell, ...]
    junctions: tuple[Junction, ...]
    segments: tuple[RoadSegment, ...]
    units: tuple[Unit, ...]
    cameras: tuple[Camera, ...] = ()
    places: tuple[Place, ...] = ()
    categories: tuple[Category, ...] = ()
    files: Mapping[str, Path] = field(default_factory=dict)  # layer → the file it was read from
    basemap: Basemap | None = None
    directory: Path | None = None  # where it was loaded from (to load it again in another datum)
    _units: dict[str, Unit] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_units", {u.id: u for u in self.units})

    def unit(self, unit_id: str) -> Unit | None:
        return self._units.get(unit_id)

    def names(self) -> dict[str, str]:
        """Display names by code or id: districts, streets and units."""
        return {
            **{d.code: d.name for d in self.districts},
            **{s.code: s.name for s in self.streets},
            **{u.id: u.name for u in self.units},
        }
