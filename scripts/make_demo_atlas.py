"""Writes resources/atlas/demo/: the demo city (sim) as an atlas, the way a city ships its own."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import yaml

from dispatch.atlas.datum import wgs84_to_gcj02
from sim.catalog import CATEGORIES
from sim.city import City, LandmarkKind, demo_city

OUT = Path(__file__).resolve().parent.parent / "resources" / "atlas" / "demo"
# The demo city has no shelters or chemical works of its own: its parks and squares are where people
# gather in an emergency (应急避难场所 usually are), its industrial estates the sites to plan around.
PLACE_KINDS = {
    LandmarkKind.HOSPITAL: "hospital",
    LandmarkKind.SCHOOL: "school",
    LandmarkKind.UNDERPASS: "underpass",
    LandmarkKind.PARK: "shelter",
    LandmarkKind.SQUARE: "shelter",
    LandmarkKind.INDUSTRIAL: "hazardous_chemicals",
}
# Demo cameras stream from a server the demo starts itself; in the atlas they name no real stream.
NO_STREAM = "rtsp://demo-camera.invalid/{id}"


def _collection(features: list[dict[str, object]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"


def _feature(geometry_type: str, coordinates: object, properties: dict[str, object]) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": geometry_type, "coordinates": coordinates},
        "properties": properties,
    }


def _csv(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def atlas_files(city: City) -> dict[str, str]:
    """File name → content. District outlines are written in GCJ-02, as published outlines are."""
    manifest = {
        "name": city.name,
        "code": city.code,
        "layers": {
            "districts": {"file": "districts.geojson", "datum": "gcj02"},
            "streets": {"file": "streets.csv"},
            "grid": {"file": "grid.geojson", "datum": "wgs84"},
            "roads": {"file": "roads.geojson", "datum": "wgs84"},
            "units": {"file": "units.csv", "datum": "wgs84"},
            "cameras": {"file": "cameras.yaml", "datum": "wgs84"},
            "places": {"file": "places.geojson", "datum": "wgs84"},
            "categories": {"file": "categories.csv"},
        },
    }
    districts = [
        _feature(
            "Polygon",
            [[list(wgs84_to_gcj02(p.lon, p.lat)) for p in city.district_outline(d.code)]],
            {"code": d.code, "name": d.name},
        )
        for d in city.districts
    ]
    grid = [
        _feature(
            "Polygon",
            [[[c.west, c.south], [c.east, c.south], [c.east, c.north], [c.west, c.north], [c.west, c.south]]],
            {"code": c.code, "street": c.street_code},
        )
        for c in city.cells
    ]
    roads = [
        _feature(
            "LineString",
            [[city.nodes[e.a].lon, city.nodes[e.a].lat], [city.nodes[e.b].lon, city.nodes[e.b].lat]],
            {"name": e.road, "class": e.speed_class.value},
        )
        for e in city.edges
    ]
    cameras = {
        "cameras": [
            {"id": c.id, "name": c.name, "group": c.district_code, "lon": c.lon, "lat": c.lat,
             "heading": c.heading_deg, "fov": c.fov_deg, "sub": NO_STREAM.format(id=c.id)}
            for c in city.cameras
        ]
    }  # fmt: skip
    places = [
        _feature(
            "Point",
            [p.lon, p.lat],
            {"name": p.name, "kind": PLACE_KINDS[p.kind], "address": p.address, "district": p.district_code},
        )
        for p in city.landmarks
        if p.kind in PLACE_KINDS
    ]
    units = [
        (
            u.id,
            u.name,
            u.kind.value,
            u.district_code or "",
            *((u.base.lon, u.base.lat) if u.base else ("", "")),
        )
        for u in city.units
    ]
    return {
        "atlas.yaml": yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
        "districts.geojson": _collection(districts),
        "streets.csv": _csv(
            ("code", "name", "district"), [(s.code, s.name, s.district_code) for s in city.streets]
        ),
        "grid.geojson": _collection(grid),
        "roads.geojson": _collection(roads),
        "units.csv": _csv(("id", "name", "kind", "district", "lon", "lat"), units),
        "cameras.yaml": yaml.safe_dump(cameras, allow_unicode=True, sort_keys=False),
        "places.geojson": _collection(places),
        "categories.csv": _csv(("code", "name"), [(c.code, c.name) for c in CATEGORIES]),
    }


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in atlas_files(demo_city()).items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
