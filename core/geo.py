"""Distances on the ground at city scale (WGS84 lon/lat in, metres out)."""

from __future__ import annotations

import math

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


def distance_m(a_lon: float, a_lat: float, b_lon: float, b_lat: float) -> float:
    """Equirectangular distance: exact enough at city scale and much cheaper than haversine."""
    mean_lat = math.radians((a_lat + b_lat) / 2)
    dx = (b_lon - a_lon) * M_PER_DEG_LON_EQUATOR * math.cos(mean_lat)
    dy = (b_lat - a_lat) * M_PER_DEG_LAT
    return math.hypot(dx, dy)


def degrees_around(lat: float, radius_m: float) -> tuple[float, float]:
    """Half-widths (longitude, latitude) in degrees of a box holding every point within `radius_m`."""
    dlat = radius_m / M_PER_DEG_LAT
    return radius_m / (M_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(lat)), 0.01)), dlat
