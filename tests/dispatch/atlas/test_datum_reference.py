"""WGS-84 ↔ GCJ-02 against reference points published with the widely used open implementations."""

from __future__ import annotations

import pytest

from core.geo import distance_m
from dispatch.atlas.datum import gcj02_to_wgs84, wgs84_to_gcj02

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
