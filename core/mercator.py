"""Web-Mercator (EPSG:3857) maths: lon/lat ↔ world pixels at a zoom, tiles, and metres per pixel."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

TILE_SIZE = 256
# The projection reaches infinity at the poles; web maps cut it where the world becomes a square.
MAX_LAT = 85.0511287798066
MIN_ZOOM = 0.0
MAX_ZOOM = 22.0
# The WGS-84 ellipsoid's equatorial radius, which Web-Mercator uses as a sphere's.
EARTH_RADIUS_M = 6378137.0
EQUATOR_M = 2.0 * math.pi * EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]


def world_size(zoom: float) -> float:
    """The width (and height) of the whole world in pixels at `zoom`; zoom may be fractional."""
    return float(TILE_SIZE * 2.0**zoom)


def clamp_lat(lat: float) -> float:
    return max(-MAX_LAT, min(MAX_LAT, lat))


def to_world(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """World pixel of a position: x grows east from 180° W, y grows south from MAX_LAT."""
    size = world_size(zoom)
    sin_lat = math.sin(math.radians(clamp_lat(lat)))
    x = (lon + 180.0) / 360.0 * size
    y = (0.5 - math.log((1.0 + sin_lat) / (1.0 - sin_lat)) / (4.0 * math.pi)) * size
    return x, min(size, max(0.0, y))  # rounding at the cut must not leave the world


def to_lonlat(x: float, y: float, zoom: float) -> tuple[float, float]:
    """The position at a world pixel (the inverse of `to_world`)."""
    size = world_size(zoom)
    lon = x / size * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / size))))
    return lon, lat


def project(lon: FloatArray, lat: FloatArray, zoom: float) -> tuple[FloatArray, FloatArray]:
    """`to_world` for arrays of positions at once (thousands of markers per frame)."""
    size = world_size(zoom)
    sin_lat = np.sin(np.radians(np.clip(lat, -MAX_LAT, MAX_LAT)))
    x = (np.asarray(lon, dtype=np.float64) + 180.0) / 360.0 * size
    y = (0.5 - np.log((1.0 + sin_lat) / (1.0 - sin_lat)) / (4.0 * math.pi)) * size
    return x, np.clip(y, 0.0, size)


def metres_per_pixel(lat: float, zoom: float) -> float:
    """Ground distance one pixel covers at this latitude (the scale shrinks towards the poles)."""
    return EQUATOR_M * math.cos(math.radians(clamp_lat(lat))) / world_size(zoom)


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The XYZ tile (column, row from the north) holding a position."""
    x, y = to_world(lon, lat, zoom)
    last = int(2**zoom) - 1
    return min(last, max(0, int(x // TILE_SIZE))), min(last, max(0, int(y // TILE_SIZE)))


def tms_row(row: int, zoom: int) -> int:
    """XYZ rows count from the north, TMS rows (MBTiles) from the south; the flip is its own inverse."""
    return int(2**zoom) - 1 - row


@dataclass(frozen=True, slots=True)
class TileRange:
    """The XYZ tiles a view needs at one integer zoom: columns and rows, both ends included."""

    zoom: int
    first_col: int
    last_col: int
    first_row: int
    last_row: int

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for row in range(self.first_row, self.last_row + 1):
            for col in range(self.first_col, self.last_col + 1):
                yield col, row

    def __len__(self) -> int:
        return (self.last_col - self.first_col + 1) * (self.last_row - self.first_row + 1)


def tiles_covering(left: float, top: float, right: float, bottom: float, zoom: int) -> TileRange:
    """The tiles at `zoom` that cover a rectangle of world pixels at that zoom (clipped to the world)."""
    last = int(2**zoom) - 1

    def index(value: float) -> int:
        return min(last, max(0, math.floor(value / TILE_SIZE)))

    return TileRange(zoom, index(left), index(right), index(top), index(bottom))


def zoom_for_scale(metres_per_px: float, lat: float) -> float:
    """The (fractional) zoom at which one pixel covers `metres_per_px` on the ground at `lat`."""
    return math.log2(EQUATOR_M * math.cos(math.radians(clamp_lat(lat))) / (TILE_SIZE * metres_per_px))


@dataclass(frozen=True, slots=True)
class View:
    """What a map window shows: the position at its centre, the zoom and its size in pixels."""

    lon: float
    lat: float
    zoom: float
    width: int
    height: int

    def origin(self) -> tuple[float, float]:
        """The world pixel at the window's top-left corner."""
        cx, cy = to_world(self.lon, self.lat, self.zoom)
        return cx - self.width / 2.0, cy - self.height / 2.0

    def to_screen(self, lon: float, lat: float) -> tuple[float, float]:
        ox, oy = self.origin()
        x, y = to_world(lon, lat, self.zoom)
        return x - ox, y - oy

    def to_lonlat(self, sx: float, sy: float) -> tuple[float, float]:
        ox, oy = self.origin()
        return to_lonlat(ox + sx, oy + sy, self.zoom)

    def panned(self, dx: float, dy: float) -> View:
        """The view moved so that what was at (dx, dy) from the centre is now at the centre."""
        cx, cy = to_world(self.lon, self.lat, self.zoom)
        size = world_size(self.zoom)
        lon, lat = to_lonlat(cx + dx, min(size, max(0.0, cy + dy)), self.zoom)
        return replace(self, lon=(lon + 180.0) % 360.0 - 180.0, lat=lat)

    def zoomed(self, zoom: float, sx: float, sy: float) -> View:
        """The view at `zoom` with the position under screen point (sx, sy) kept under it."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        lon, lat = self.to_lonlat(sx, sy)
        x, y = to_world(lon, lat, zoom)
        centre = to_lonlat(x - sx + self.width / 2.0, y - sy + self.height / 2.0, zoom)
        return replace(self, lon=centre[0], lat=centre[1], zoom=zoom)

    def resized(self, width: int, height: int) -> View:
        return replace(self, width=max(1, width), height=max(1, height))


def fit(west: float, south: float, east: float, north: float, width: int, height: int) -> View:
    """The closest view of `width` × `height` pixels that shows the whole box (a city's extent)."""
    x0, y0 = to_world(west, north, 0)
    x1, y1 = to_world(east, south, 0)
    span = max((x1 - x0) / max(1, width), (y1 - y0) / max(1, height), 1e-12)
    zoom = min(MAX_ZOOM, max(MIN_ZOOM, math.log2(1.0 / span)))
    lon, lat = to_lonlat((x0 + x1) / 2.0, (y0 + y1) / 2.0, 0)
    return View(lon, lat, zoom, max(1, width), max(1, height))
