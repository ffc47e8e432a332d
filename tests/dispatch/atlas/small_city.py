"""A two-district atlas written by tests: district outlines in GCJ-02, everything else in WGS-84."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from dispatch.atlas import wgs84_to_gcj02

WEST = ((120.00, 30.00), (120.05, 30.00), (120.05, 30.05), (120.00, 30.05), (120.00, 30.00))
EAST = ((120.05, 30.00), (120.10, 30.00), (120.10, 30.05), (120.05, 30.05), (120.05, 30.00))


def _feature(kind: str, coordinates: object, properties: dict[str, object]) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": properties,
    }


def geojson(*features: dict[str, object]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


def files() -> dict[str, str]:
    """File name → text of a valid atlas."""
    manifest = {
        "name": "测试市",
        "code": "330100",
        "layers": {
            "districts": {"datum": "gcj02"},
            "streets": {},
            "grid": {"datum": "wgs84"},
            "roads": {"file": "network/roads.geojson", "datum": "wgs84"},
            "units": {"datum": "wgs84"},
            "cameras": {"datum": "wgs84"},
            "places": {"datum": "wgs84"},
            "categories": {},
        },
    }
    districts = geojson(
        _feature("Polygon", [[list(wgs84_to_gcj02(*p)) for p in WEST]], {"code": "330101", "name": "西区"}),
        _feature("Polygon", [[list(wgs84_to_gcj02(*p)) for p in EAST]], {"code": 330102, "name": "东区"}),
    )
    grid = geojson(
        _feature("Polygon", [[list(p) for p in WEST]], {"code": "330101001001", "street": "330101001"}),
        _feature("Polygon", [[list(p) for p in EAST]], {"code": "330102001001", "street": "330102001"}),
    )
    roads = geojson(
        _feature("LineString", [[120.00, 30.02], [120.05, 30.02], [120.10, 30.02]],
                 {"name": "长街", "class": "arterial"}),
        _feature("LineString", [[120.05, 30.02], [120.05, 30.04]],
                 {"name": "北路", "class": "branch", "speed_kmh": 20}),
    )  # fmt: skip
    cameras = {
        "cameras": [
            {"id": "C1", "name": "长街东口", "group": "330102", "lon": 120.10, "lat": 30.02, "heading": 270,
             "sub": "rtsp://cam.example/c1/sub", "main": "rtsp://cam.example/c1/main", "access": "public"},
            {"id": "C2", "name": "北路口", "lon": 120.05, "lat": 30.02, "sub": "rtsp://cam.example/c2"},
        ]
    }  # fmt: skip
    places = geojson(
        _feature("Point", [120.03, 30.01], {"name": "西区医院", "kind": "hospital", "district": "330101"}),
        _feature("Point", [120.05, 30.03], {"name": "北路下穿", "kind": "underpass"}),
    )
    return {
        "atlas.yaml": yaml.safe_dump(manifest, allow_unicode=True),
        "districts.geojson": districts,
        "streets.csv": "code,name,district\n330101001,西门街道,330101\n330102001,东门街道,330102\n",
        "grid.geojson": grid,
        "network/roads.geojson": roads,
        "units.csv": "id,name,kind,district,lon,lat\n"
        "U1,西区城管执法队,urban_management,330101,120.00,30.02\n"
        "U2,东区消防站,fire,330102,120.10,30.02\n"
        "U0,城市运行中心,command,,,\n",
        "cameras.yaml": yaml.safe_dump(cameras, allow_unicode=True),
        "places.geojson": places,
        "categories.csv": "code,name\nmanhole_cover,井盖\n",
    }


def write(directory: Path, texts: dict[str, str]) -> Path:
    for name, text in texts.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory
