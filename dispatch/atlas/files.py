"""Reading an atlas's files: GeoJSON features, CSV rows and YAML documents, positions in the working datum."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import yaml

from dispatch.atlas.datum import Datum, convert
from dispatch.atlas.errors import AtlasError
from dispatch.atlas.fields import At
from dispatch.atlas.model import Ring

# A city's layer is megabytes at most; a larger file is a mistake (a tile dump, a database) and is
# refused before it is read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
Convert = Callable[[float, float], tuple[float, float]]


def converter(source: Datum, target: Datum) -> Convert:
    """Positions of a layer declared in `source`, into the atlas's working datum."""
    return lambda lon, lat: convert(lon, lat, source, target)


def read_text(directory: Path, name: str) -> str:
    """A layer file as text: UTF-8 (a BOM, as spreadsheets write, is dropped)."""
    path = directory / name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AtlasError(name, "", "", f"{size} bytes is more than a layer may hold ({MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as error:
        raise AtlasError(name, "", "", f"cannot read: {error.strerror or error}") from None
    except ValueError as error:  # a name the system cannot hold, such as one with a NUL character
        raise AtlasError(repr(name), "", "", f"cannot read: {error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AtlasError(name, f"byte {error.start}", "", "not UTF-8 text") from None


def read_yaml(directory: Path, name: str) -> object:
    text = read_text(directory, name)
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise AtlasError(name, where, "", f"not valid YAML: {error.problem or error}") from None
    # The YAML library fails in more ways than it declares (a date that does not exist, nesting too
    # deep, a key that cannot be hashed); any of them means the file is not usable YAML.
    except Exception as error:
        raise AtlasError(name, "", "", f"not valid YAML: {error}") from None


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV record, with the line it starts on (the header is line 1)."""

    at: At
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def read_csv(
    directory: Path, name: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> Iterator[Row]:
    """Rows of a CSV file whose header names `required` columns and may name `optional` ones."""
    text = read_text(directory, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
        missing = [column for column in required if column not in header]
        if missing:
            raise AtlasError(name, "line 1", missing[0], "missing column")
        At(name, "line 1").only(header, (*required, *optional))
        if len(set(header)) != len(header):
            twice = next(c for c in header if header.count(c) > 1)
            raise AtlasError(name, "line 1", twice, "column named twice")
        line = reader.line_num + 1
        for cells in reader:
            at = At(name, f"line {line}")
            line = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise at.error("", f"{len(cells)} cells, the header has {len(header)}")
            yield Row(at, {column: cell.strip() for column, cell in zip(header, cells, strict=True)})
    except csv.Error as error:
        raise AtlasError(name, f"line {reader.line_num}", "", f"not valid CSV: {error}") from None


@dataclass(frozen=True, slots=True)
class Feature:
    """One GeoJSON feature: its geometry type, coordinates already in the working datum, properties."""

    at: At
    kind: str
    coordinates: object
    properties: dict[str, object]


def read_features(
    directory: Path, name: str, kinds: tuple[str, ...], to_working: Convert
) -> Iterator[Feature]:
    """The features of a GeoJSON FeatureCollection, each of one of the geometry `kinds`."""
    text = read_text(directory, name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AtlasError(name, f"line {error.lineno}", "", f"not valid JSON: {error.msg}") from None
    except (ValueError, RecursionError) as error:
        raise AtlasError(name, "", "", f"not valid JSON: {error}") from None
    top = At(name)
    collection = top.mapping(data, "")
    if collection.get("type") != "FeatureCollection":
        raise top.error("type", "expected a GeoJSON FeatureCollection")
    for index, raw in enumerate(top.sequence(collection.get("features"), "features")):
        at = At(name, f"feature {index}")
        feature = at.mapping(raw, "")
        if feature.get("type") != "Feature":
            raise at.error("type", "expected a GeoJSON Feature")
        geometry = at.mapping(feature.get("geometry"), "geometry")
        kind = geometry.get("type")
        if kind not in kinds:
            raise at.error("geometry.type", f"expected {' or '.join(kinds)}, got {kind!r}")
        depth = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}[
            str(kind)
        ]
        coordinates = _positions(at, geometry.get("coordinates"), depth, to_working)
        properties = feature.get("properties")
        yield Feature(
            at, str(kind), coordinates, {} if properties is None else at.mapping(properties, "properties")
        )


def _positions(at: At, value: object, depth: int, to_working: Convert) -> object:
    """Nested lists of [lon, lat] checked and converted; `depth` is how many list levels wrap a position."""
    if depth == 0:
        position = at.sequence(value, "geometry.coordinates")
        if len(position) < 2:
            raise at.error("geometry.coordinates", "a position needs longitude and latitude")
        lon = at.number(position[0], "geometry.coordinates", -180.0, 180.0)
        lat = at.number(position[1], "geometry.coordinates", -90.0, 90.0)
        return to_working(lon, lat)
    return [
        _positions(at, item, depth - 1, to_working) for item in at.sequence(value, "geometry.coordinates")
    ]


def point(feature: Feature) -> tuple[float, float]:
    """A Point's position (read_features has checked and converted it)."""
    return cast(tuple[float, float], feature.coordinates)


def lines(feature: Feature) -> list[list[tuple[float, float]]]:
    """A LineString's or MultiLineString's lines, each of at least two positions."""
    raw = [feature.coordinates] if feature.kind == "LineString" else feature.coordinates
    checked: list[list[tuple[float, float]]] = []
    for line in cast(list[object], raw):
        if not isinstance(line, list) or len(line) < 2:
            raise feature.at.error("geometry.coordinates", "a line needs at least two positions")
        checked.append(line)
    return checked


def _ring(at: At, value: object) -> Ring:
    points = tuple(cast(list[tuple[float, float]], at.sequence(value, "geometry.coordinates")))
    if len(points) < 4 or points[0] != points[-1]:
        raise at.error(
            "geometry.coordinates", "a ring needs at least four positions, the last equal to the first"
        )
    return points


def outer_rings(feature: Feature) -> tuple[Ring, ...]:
    """The outer rings of a Polygon or MultiPolygon (holes do not matter for what the atlas answers)."""
    polygons = [feature.coordinates] if feature.kind == "Polygon" else feature.coordinates
    rings: list[Ring] = []
    for polygon in cast(list[object], polygons):
        if not isinstance(polygon, list) or not polygon:
            raise feature.at.error("geometry.coordinates", "a polygon needs an outer ring")
        rings.append(_ring(feature.at, polygon[0]))
    return tuple(rings)
