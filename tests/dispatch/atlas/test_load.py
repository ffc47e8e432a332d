"""An atlas loaded from a directory the test writes; each bad file names its file, place and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core.geo import distance_m
from dispatch.atlas import AtlasError, Datum, PlaceKind, load_atlas
from dispatch.casework.recommend import RoadNetwork, UnitPosition, base_positions, recommend
from tests.dispatch.atlas import small_city
from tests.dispatch.atlas.small_city import EAST, WEST


def test_a_small_city_loads_with_its_units_roads_and_places(tmp_path: Path) -> None:
    atlas = load_atlas(small_city.write(tmp_path, small_city.files()))

    assert (atlas.name, atlas.code, atlas.datum) == ("测试市", "330100", Datum.WGS84)
    assert [(d.code, d.name) for d in atlas.districts] == [("330101", "西区"), ("330102", "东区")]
    assert [(s.code, s.district_code) for s in atlas.streets] == [
        ("330101001", "330101"),
        ("330102001", "330102"),
    ]
    assert [(c.code, c.district_code) for c in atlas.cells] == [
        ("330101001001", "330101"),
        ("330102001001", "330102"),
    ]
    # Two roads meeting at a shared vertex share the junction: four junctions, three segments.
    assert len(atlas.junctions) == 4
    assert [(s.road, s.road_class, s.speed_kmh) for s in atlas.segments] == [
        ("长街", "arterial", 50.0), ("长街", "arterial", 50.0), ("北路", "branch", 20.0)
    ]  # fmt: skip
    north = atlas.segments[2]
    assert north.travel_s == pytest.approx(distance_m(120.05, 30.02, 120.05, 30.04) / (20 / 3.6))
    command_centre = atlas.unit("U0")
    assert command_centre is not None
    assert (command_centre.base, command_centre.district_code) == (None, None)
    assert [(c.id, c.access, c.main) for c in atlas.cameras] == [
        ("C1", "public", "rtsp://cam.example/c1/main"), ("C2", "restricted", "rtsp://cam.example/c2")
    ]  # fmt: skip
    assert [(p.kind, p.district_code) for p in atlas.places] == [
        (PlaceKind.HOSPITAL, "330101"), (PlaceKind.UNDERPASS, None)
    ]  # fmt: skip
    assert atlas.names()["U2"] == "东区消防站"


def test_a_gcj02_layer_lands_on_the_wgs84_ground_within_a_metre(tmp_path: Path) -> None:
    atlas = load_atlas(small_city.write(tmp_path, small_city.files()))

    for district, intended in zip(atlas.districts, (WEST, EAST), strict=True):
        for (lon, lat), (want_lon, want_lat) in zip(district.outline[0], intended, strict=True):
            assert distance_m(lon, lat, want_lon, want_lat) < 1.0


def test_the_same_files_in_gcj02_working_datum_move_wgs84_layers_by_hundreds_of_metres(
    tmp_path: Path,
) -> None:
    atlas = load_atlas(small_city.write(tmp_path, small_city.files()), Datum.GCJ02)

    first = atlas.junctions[0]
    assert 100.0 < distance_m(first.lon, first.lat, 120.00, 30.02) < 1000.0


def test_recommendation_runs_on_the_atlas_roads(tmp_path: Path) -> None:
    atlas = load_atlas(small_city.write(tmp_path, small_city.files()))
    network = RoadNetwork.from_atlas(atlas)

    ranked = recommend(network, 120.05, 30.04, base_positions(atlas))

    # Both crews are 5 km along 长街 from the junction, then 2.2 km up 北路 at 20 km/h.
    assert [r.unit_id for r in ranked] == ["U1", "U2"]
    assert ranked[0].travel_s == pytest.approx(ranked[1].travel_s, rel=0.01)
    assert recommend(network, 120.0, 30.02, [UnitPosition("X", 120.10, 30.02, True)])[0].travel_s > 0


def _with(name: str, text: str) -> dict[str, str]:
    texts = small_city.files()
    texts[name] = text
    return texts


def _geojson_with(name: str, index: int, key: str, value: object) -> dict[str, str]:
    texts = small_city.files()
    data = json.loads(texts[name])
    data["features"][index]["properties"][key] = value
    texts[name] = json.dumps(data)
    return texts


def _manifest_with(layer: str, entry: dict[str, object] | None) -> dict[str, str]:
    texts = small_city.files()
    manifest = yaml.safe_load(texts["atlas.yaml"])
    if entry is None:
        del manifest["layers"][layer]
    else:
        manifest["layers"][layer] = entry
    texts["atlas.yaml"] = yaml.safe_dump(manifest)
    return texts


def _camera_with(index: int, key: str, value: object) -> dict[str, str]:
    texts = small_city.files()
    cameras = yaml.safe_load(texts["cameras.yaml"])
    cameras["cameras"][index][key] = value
    texts["cameras.yaml"] = yaml.safe_dump(cameras)
    return texts


BAD = {
    "district code too short": (
        _geojson_with("districts.geojson", 1, "code", "33"),
        ("districts.geojson", "feature 1", "properties.code"), "expected a code of 6 digits, got '33'",
    ),
    "street in an unknown district": (
        _with("streets.csv", "code,name,district\n330101001,西门街道,330101\n330199001,无名街道,330199\n"),
        ("streets.csv", "line 3", "district"), "unknown value '330199'",
    ),
    "street code outside its district": (
        _with("streets.csv", "code,name,district\n330102001,西门街道,330101\n"),
        ("streets.csv", "line 2", "code"), "does not start with its district's code 330101",
    ),
    "unit longitude not a number": (
        _with("units.csv", "id,name,kind,district,lon,lat\nU1,城管,urban_management,330101,东经120,30\n"),
        ("units.csv", "line 2", "lon"), "expected a number, got '东经120'",
    ),
    "unit id twice": (
        _with("units.csv", "id,name,kind\nU1,甲,fire\n\nU1,乙,fire\n"),
        ("units.csv", "line 4", "id"), "'U1' already used by line 2",
    ),
    "units file without a kind column": (
        _with("units.csv", "id,name\nU1,甲\n"), ("units.csv", "line 1", "kind"), "missing column",
    ),
    "road class unknown": (
        _geojson_with("network/roads.geojson", 0, "class", "motorway"),
        ("network/roads.geojson", "feature 0", "properties.class"), "unknown value 'motorway'",
    ),
    "road speed not positive": (
        _geojson_with("network/roads.geojson", 1, "speed_kmh", 0),
        ("network/roads.geojson", "feature 1", "properties.speed_kmh"), "0 is outside 1..200",
    ),
    "roads not JSON": (
        _with("network/roads.geojson", '{"type": "FeatureCollection",\n "features": [,]}'),
        ("network/roads.geojson", "line 2", ""), "not valid JSON",
    ),
    "grid cell outside its street": (
        _geojson_with("grid.geojson", 0, "code", "330102001001"),
        ("grid.geojson", "feature 0", "properties.code"), "does not start with its street's code 330101001",
    ),
    "place of an unknown kind": (
        _geojson_with("places.geojson", 1, "kind", "mall"),
        ("places.geojson", "feature 1", "properties.kind"), "unknown value 'mall'",
    ),
    "camera id twice": (
        _camera_with(1, "id", "C1"), ("cameras.yaml", "cameras[1]", "id"), "'C1' already used by cameras[0]",
    ),
    "camera field misspelt": (
        _camera_with(0, "heading_deg", 90), ("cameras.yaml", "cameras[0]", "heading_deg"), "unknown field",
    ),
    "layer without a datum": (
        _manifest_with("roads", {"file": "network/roads.geojson"}), ("atlas.yaml", "", "layers.roads.datum"),
        "declare the layer's datum (wgs84 or gcj02)",
    ),
    "layer in an unknown datum": (
        _manifest_with("units", {"datum": "bd09"}), ("atlas.yaml", "", "layers.units.datum"),
        "unknown value 'bd09'",
    ),
    "required layer missing": (
        _manifest_with("streets", None), ("atlas.yaml", "", "layers.streets"), "missing layer",
    ),
    "layer file outside the atlas": (
        _manifest_with("places", {"file": "../places.geojson", "datum": "wgs84"}),
        ("atlas.yaml", "", "layers.places.file"), "must name a file inside the atlas directory",
    ),
    "manifest not YAML": (
        _with("atlas.yaml", "name: 测试市\nlayers: [\n"), ("atlas.yaml", "line 3", ""), "not valid YAML",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_file_gives_its_file_place_and_field(tmp_path: Path, case: str) -> None:
    texts, (file, where, field), message = BAD[case]

    with pytest.raises(AtlasError) as caught:
        load_atlas(small_city.write(tmp_path, texts))

    assert (caught.value.file, caught.value.where, caught.value.field) == (file, where, field)
    assert message in caught.value.message
    assert str(caught.value).startswith(": ".join(p for p in (file, where, field) if p) + ": ")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    texts = small_city.files()
    del texts["places.geojson"]

    with pytest.raises(AtlasError, match=r"^places\.geojson: cannot read"):
        load_atlas(small_city.write(tmp_path, texts))


def test_a_layer_file_name_no_system_can_open_is_named(tmp_path: Path) -> None:
    texts = _manifest_with("places", {"file": "places\x00.geojson", "datum": "wgs84"})

    with pytest.raises(AtlasError, match=r"^'places\\x00\.geojson': cannot read"):
        load_atlas(small_city.write(tmp_path, texts))


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    small_city.write(tmp_path, small_city.files())
    (tmp_path / "streets.csv").write_bytes(
        "code,name,district\n330101001,西门街道,330101\n".encode("gb18030")
    )

    with pytest.raises(AtlasError, match=r"^streets\.csv: byte \d+: not UTF-8 text"):
        load_atlas(tmp_path)
