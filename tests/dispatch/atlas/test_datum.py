"""WGS-84 ↔ GCJ-02: the offset is hundreds of metres inside China, none outside, and the inverse undoes it."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.geo import distance_m
from dispatch.atlas.datum import (
    CHINA_EAST,
    CHINA_NORTH,
    CHINA_SOUTH,
    CHINA_WEST,
    Datum,
    convert,
    gcj02_to_wgs84,
    in_china,
    wgs84_to_gcj02,
)

# The offset is under 0.01°, so points this far inside the rectangle stay inside it once shifted.
_MARGIN = 0.02
china_lon = st.floats(CHINA_WEST + _MARGIN, CHINA_EAST - _MARGIN)
china_lat = st.floats(CHINA_SOUTH + _MARGIN, CHINA_NORTH - _MARGIN)


@settings(max_examples=400)
@given(china_lon, china_lat)
def test_wgs84_to_gcj02_and_back_lands_within_a_metre(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))

    assert distance_m(lon, lat, *back) < 1.0


@settings(max_examples=400)
@given(china_lon, china_lat)
def test_gcj02_to_wgs84_and_forward_lands_within_a_metre(lon: float, lat: float) -> None:
    again = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))

    assert distance_m(lon, lat, *again) < 1.0


@given(china_lon, china_lat)
def test_the_offset_inside_china_is_tens_to_hundreds_of_metres(lon: float, lat: float) -> None:
    shifted = wgs84_to_gcj02(lon, lat)

    # Published measurements put it at 100–700 m over the populated east; the formula never leaves 0–1 km.
    assert 0.0 < distance_m(lon, lat, *shifted) < 1000.0


def test_in_hangzhou_gcj02_sits_a_few_hundred_metres_east_south_east() -> None:
    lon, lat = wgs84_to_gcj02(120.15, 30.27)

    # What users see there: a GPS (WGS-84) marker drawn on a Chinese basemap lands ~500 m west-north-west
    # of the street it is on.
    assert 300.0 < distance_m(120.15, 30.27, lon, lat) < 700.0
    assert lon > 120.15
    assert lat < 30.27


@given(st.floats(-180, 180), st.floats(-90, 90))
def test_outside_china_both_datums_agree(lon: float, lat: float) -> None:
    assume(not in_china(lon, lat))
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_converting_within_one_datum_changes_nothing() -> None:
    assert convert(120.15, 30.27, Datum.GCJ02, Datum.GCJ02) == (120.15, 30.27)
    assert convert(120.15, 30.27, Datum.WGS84, Datum.GCJ02) == wgs84_to_gcj02(120.15, 30.27)
    assert convert(120.15, 30.27, Datum.GCJ02, Datum.WGS84) == gcj02_to_wgs84(120.15, 30.27)
