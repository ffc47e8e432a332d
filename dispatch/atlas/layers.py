"""Each layer of an atlas from its file: the checks one feature, row or entry must pass on its own."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from pathlib import Path

from core.geo import distance_m
from dispatch.atlas.fields import At
from dispatch.atlas.files import Convert, lines, outer_rings, point, read_csv, read_features, read_yaml
from dispatch.atlas.model import (
    CLASS_SPEED_KMH,
    Camera,
    Category,
    District,
    GridCell,
    Junction,
    LonLat,
    Place,
    PlaceKind,
    RoadSegment,
    Street,
    Unit,
)

DISTRICT_DIGITS = (6,)
STREET_DIGITS = (9,)
# 数字城管 grid codes: street code + community and cell digits (GB/T 30428 uses 14, older systems 12).
GRID_DIGITS = (12, 13, 14)
# Junctions are shared by position; this many decimals (~1 cm) absorbs printing noise in exported files.
_JUNCTION_DECIMALS = 7
_MAX_SPEED_KMH = 200.0


def _unique(at: At, field: str, value: str, seen: dict[str, str]) -> None:
    if value in seen:
        raise at.error(field, f"{value!r} already used by {seen[value]}")
    seen[value] = at.where


def districts(directory: Path, name: str, to_working: Convert) -> tuple[District, ...]:
    out: list[District] = []
    seen: dict[str, str] = {}
    for f in read_features(directory, name, ("Polygon", "MultiPolygon"), to_working):
        f.at.only(f.properties, ("code", "name"))
        code = f.at.code(f.properties.get("code"), "properties.code", DISTRICT_DIGITS)
        _unique(f.at, "properties.code", code, seen)
        out.append(District(code, f.at.text(f.properties.get("name"), "properties.name"), outer_rings(f)))
    return tuple(out)


def streets(directory: Path, name: str, district_codes: Collection[str]) -> tuple[Street, ...]:
    out: list[Street] = []
    seen: dict[str, str] = {}
    for row in read_csv(directory, name, ("code", "name", "district"), ()):
        district = row.at.choice(row.get("district"), "district", district_codes)
        code = row.at.code(row.get("code"), "code", STREET_DIGITS)
        if not code.startswith(district):
            raise row.at.error("code", f"{code} does not start with its district's code {district}")
        _unique(row.at, "code", code, seen)
        out.append(Street(code, row.at.text(row.get("name"), "name"), district))
    return tuple(out)


def grid(directory: Path, name: str, to_working: Convert, streets: Iterable[Street]) -> tuple[GridCell, ...]:
    district_of = {s.code: s.district_code for s in streets}
    out: list[GridCell] = []
    seen: dict[str, str] = {}
    for f in read_features(directory, name, ("Polygon",), to_working):
        f.at.only(f.properties, ("code", "street"))
        street = f.at.choice(f.properties.get("street"), "properties.street", district_of)
        code = f.at.code(f.properties.get("code"), "properties.code", GRID_DIGITS)
        if not code.startswith(street):
            raise f.at.error("properties.code", f"{code} does not start with its street's code {street}")
        _unique(f.at, "properties.code", code, seen)
        out.append(GridCell(code, street, district_of[street], outer_rings(f)[0]))
    return tuple(out)


def roads(
    directory: Path, name: str, to_working: Convert
) -> tuple[tuple[Junction, ...], tuple[RoadSegment, ...]]:
    """Every vertex of a road line is a junction; lines meet where they share a vertex."""
    junctions: list[Junction] = []
    by_position: dict[tuple[float, float], int] = {}
    segments: list[RoadSegment] = []

    def junction(point: tuple[float, float]) -> int:
        key = (round(point[0], _JUNCTION_DECIMALS), round(point[1], _JUNCTION_DECIMALS))
        if key not in by_position:
            by_position[key] = len(junctions)
            junctions.append(Junction(len(junctions), point[0], point[1]))
        return by_position[key]

    for f in read_features(directory, name, ("LineString", "MultiLineString"), to_working):
        f.at.only(f.properties, ("name", "class", "speed_kmh", "length_m"))
        road = f.at.text(f.properties.get("name"), "properties.name")
        road_class = f.at.choice(f.properties.get("class"), "properties.class", CLASS_SPEED_KMH)
        speed = CLASS_SPEED_KMH[road_class]
        if f.properties.get("speed_kmh") is not None:
            speed = f.at.number(f.properties["speed_kmh"], "properties.speed_kmh", 1.0, _MAX_SPEED_KMH)
        road_lines = lines(f)
        given_length = f.properties.get("length_m")
        if given_length is not None and (len(road_lines) != 1 or len(road_lines[0]) != 2):
            raise f.at.error("properties.length_m", "a length may be given only for a line of two positions")
        for line in road_lines:
            for start, end in itertools.pairwise(line):
                a, b = junction(start), junction(end)
                if a == b:
                    continue  # a repeated vertex: nothing to travel
                if given_length is not None:
                    length = f.at.number(given_length, "properties.length_m", 0.01, 1_000_000.0)
                else:
                    length = distance_m(start[0], start[1], end[0], end[1])
                segments.append(RoadSegment(len(segments), a, b, road, road_class, speed, length))
    if not segments:
        raise At(name).error("features", "a road network needs at least one road segment")
    return tuple(junctions), tuple(segments)


def units(
    directory: Path, name: str, to_working: Convert, district_codes: Collection[str]
) -> tuple[Unit, ...]:
    out: list[Unit] = []
    seen: dict[str, str] = {}
    for row in read_csv(directory, name, ("id", "name", "kind"), ("district", "lon", "lat")):
        unit_id = row.at.text(row.get("id"), "id")
        _unique(row.at, "id", unit_id, seen)
        district = row.get("district")
        if district and district not in district_codes:
            raise row.at.error("district", f"unknown district {district!r} (empty means city-wide)")
        base = None
        if row.get("lon") or row.get("lat"):
            lon = row.at.number(row.get("lon"), "lon", -180.0, 180.0)
            lat = row.at.number(row.get("lat"), "lat", -90.0, 90.0)
            base = LonLat(*to_working(lon, lat))
        kind = row.at.slug(row.get("kind"), "kind")
        out.append(Unit(unit_id, row.at.text(row.get("name"), "name"), kind, district or None, base))
    return tuple(out)


_CAMERA_FIELDS = (
    "id",
    "name",
    "group",
    "lon",
    "lat",
    "heading",
    "fov",
    "sub",
    "main",
    "access",
    "roles",
    "roi",
)


def cameras(directory: Path, name: str, to_working: Convert) -> tuple[Camera, ...]:
    """The `cameras:` list of a camera file (docs/video.md); its other sections belong to the wall."""
    top = At(name).mapping(read_yaml(directory, name), "")
    out: list[Camera] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(At(name).sequence(top.get("cameras"), "cameras")):
        at = At(name, f"cameras[{index}]")
        fields = at.mapping(raw, "")
        at.only(fields, _CAMERA_FIELDS)
        camera_id = at.text(fields.get("id"), "id")
        _unique(at, "id", camera_id, seen)
        lon = at.number(fields.get("lon"), "lon", -180.0, 180.0)
        lat = at.number(fields.get("lat"), "lat", -90.0, 90.0)
        sub = at.text(fields.get("sub"), "sub")
        roles = tuple(at.text(r, "roles") for r in at.sequence(fields.get("roles", []), "roles"))
        out.append(
            Camera(
                camera_id, at.text(fields.get("name"), "name"),
                at.text(fields.get("group"), "group", required=False), *to_working(lon, lat),
                heading_deg=at.number(fields.get("heading", 0.0), "heading", 0.0, 360.0),
                fov_deg=at.number(fields.get("fov", 60.0), "fov", 1.0, 360.0),
                sub=sub, main=at.text(fields.get("main", sub), "main"),
                access=at.text(fields.get("access", "restricted"), "access"), roles=roles,
            )
        )  # fmt: skip
    return tuple(out)


def places(
    directory: Path, name: str, to_working: Convert, district_codes: Collection[str]
) -> tuple[Place, ...]:
    out: list[Place] = []
    for f in read_features(directory, name, ("Point",), to_working):
        f.at.only(f.properties, ("name", "kind", "address", "district"))
        kind = PlaceKind(
            f.at.choice(f.properties.get("kind"), "properties.kind", [k.value for k in PlaceKind])
        )
        district = f.at.text(f.properties.get("district"), "properties.district", required=False)
        if district and district not in district_codes:
            raise f.at.error("properties.district", f"unknown district {district!r}")
        lon, lat = point(f)
        address = f.at.text(f.properties.get("address"), "properties.address", required=False)
        out.append(
            Place(
                f.at.text(f.properties.get("name"), "properties.name"),
                kind,
                lon,
                lat,
                address,
                district or None,
            )
        )
    return tuple(out)


def categories(directory: Path, name: str) -> tuple[Category, ...]:
    out: list[Category] = []
    seen: dict[str, str] = {}
    for row in read_csv(directory, name, ("code", "name"), ()):
        code = row.at.slug(row.get("code"), "code")
        _unique(row.at, "code", code, seen)
        out.append(Category(code, row.at.text(row.get("name"), "name")))
    return tuple(out)
