"""A city's geography and resources as data, loaded from a directory of plain files (docs/atlas.md)."""

from __future__ import annotations

from dispatch.atlas.datum import Datum, gcj02_to_wgs84, wgs84_to_gcj02
from dispatch.atlas.errors import AtlasError
from dispatch.atlas.load import load_atlas
from dispatch.atlas.model import (
    Atlas,
    Basemap,
    Camera,
    District,
    GridCell,
    Junction,
    Place,
    PlaceKind,
    RoadSegment,
    Street,
    Unit,
)

__all__ = [
    "Atlas",
    "AtlasError",
    "Basemap",
    "Camera",
    "Datum",
    "District",
    "GridCell",
    "Junction",
    "Place",
    "PlaceKind",
    "RoadSegment",
    "Street",
    "Unit",
    "gcj02_to_wgs84",
    "load_atlas",
    "wgs84_to_gcj02",
]
