"""WGS-84 ↔ GCJ-02 against reference points published with the widely used open implementations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.geo import distance_m
from dispatch.atlas.datum import gcj02_to_wgs84, wgs84_to_gcj02, wgs84_to_gcj02_arrays

# (WGS-84 lon, lat) → (GCJ-02 lon, lat): eviltransform's test table (Shanghai, Shenzhen, Beijing) and
# coordtransform's README example (Tiananmen).
REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_wgs84_to_gcj02_lands_on_the_published_point(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert distance_m(*wgs84_to_gcj02(*wgs), *gcj) < 0.01


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_to_wgs84_finds_the_gps_position_again(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    # The published offset is hundreds of metres here; the inverse must bring it back to the centimetre.
    assert distance_m(*wgs, *gcj) > 300.0
    assert distance_m(*gcj02_to_wgs84(*gcj), *wgs) < 0.01


@settings(max_examples=50)
@given(st.lists(st.tuples(st.floats(-180.0, 180.0), st.floats(-90.0, 90.0)), min_size=1, max_size=40))
def test_arrays_convert_exactly_like_single_positions(points: list[tuple[float, float]]) -> None:
    lon, lat = wgs84_to_gcj02_arrays(np.array([p[0] for p in points]), np.array([p[1] for p in points]))

    for (plon, plat), alon, alat in zip(points, lon, lat, strict=True):
        slon, slat = wgs84_to_gcj02(plon, plat)
        assert abs(alon - slon) < 1e-9
        assert abs(alat - slat) < 1e-9


def test_arrays_land_on_the_published_points() -> None:
    lon, lat = wgs84_to_gcj02_arrays(
        np.array([w[0] for w, _ in REFERENCE]), np.array([w[1] for w, _ in REFERENCE])
    )

    for (_, gcj), alon, alat in zip(REFERENCE, lon, lat, strict=True):
        assert distance_m(alon, alat, *gcj) < 0.01
