"""Geodetic datums of map layers: WGS-84 and GCJ-02, and the conversion between them."""

from __future__ import annotations

import enum
import math

import numpy as np
import numpy.typing as npt

# The published GCJ-02 constants: the Krasovsky 1940 ellipsoid's semi-major axis and eccentricity².
_A = 6378245.0
_EE = 0.00669342162296594323
# The offset is defined only inside this rectangle around China; outside it GCJ-02 equals WGS-84.
CHINA_WEST, CHINA_EAST = 72.004, 137.8347
CHINA_SOUTH, CHINA_NORTH = 0.8293, 55.8271
# The inverse stops once a further step moves the point by less than ~1 mm.
_INVERSE_TOLERANCE_DEG = 1e-8
_INVERSE_MAX_STEPS = 30
FloatArray = npt.NDArray[np.float64]


class Datum(enum.StrEnum):
    """How a layer's coordinates are to be read. GeoJSON says WGS-84, but Chinese basemaps and most
    published outlines are GCJ-02 while labelled WGS-84, so every layer declares its own."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


def in_china(lon: float, lat: float) -> bool:
    """Whether GCJ-02 shifts this point (the published rectangle; outside it the datums agree)."""
    return CHINA_WEST <= lon <= CHINA_EAST and CHINA_SOUTH <= lat <= CHINA_NORTH


def _offset(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 shift (degrees of longitude, latitude) at a WGS-84 point inside China."""
    x, y = lon - 105.0, lat - 35.0
    wave = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + wave
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + wave
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The published closed-form forward offset; identity outside China."""
    if not in_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The inverse by fixed-point iteration: the offset changes slowly, so each step divides the error
    by ~1000 and three or four steps reach the millimetre."""
    if not in_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(_INVERSE_MAX_STEPS):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        step_lon, step_lat = lon - g_lon, lat - g_lat
        w_lon, w_lat = w_lon + step_lon, w_lat + step_lat
        if abs(step_lon) < _INVERSE_TOLERANCE_DEG and abs(step_lat) < _INVERSE_TOLERANCE_DEG:
            break
    return w_lon, w_lat


def convert(lon: float, lat: float, source: Datum, target: Datum) -> tuple[float, float]:
    """A point from one datum into another."""
    if source is target:
        return lon, lat
    if source is Datum.WGS84:
        return wgs84_to_gcj02(lon, lat)
    return gcj02_to_wgs84(lon, lat)


def wgs84_to_gcj02_arrays(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """`wgs84_to_gcj02` for arrays of positions (live units every frame); identity outside China."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    x, y = lon - 105.0, lat - 35.0
    wave = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + wave
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + wave
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = (lon >= CHINA_WEST) & (lon <= CHINA_EAST) & (lat >= CHINA_SOUTH) & (lat <= CHINA_NORTH)
    return np.where(inside, lon + d_lon, lon), np.where(inside, lat + d_lat, lat)
