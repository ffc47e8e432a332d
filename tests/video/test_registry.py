"""Camera registry: loading YAML/JSON with precise errors, access levels, groups, the demo city, linkage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.city import demo_city
from video.registry import (
    ACCESS_LEVELS,
    DEMO_MOTION_ZONE,
    CameraInfo,
    CameraRegistry,
    Quality,
    RegistryError,
    SourceKind,
    demo_registry,
    load_registry,
    source_kind,
)

GOOD_YAML = """\
groups:
  "339901": 钟楼区
access_levels:
  night_shift: [dispatcher]
cameras:
  - id: cam-1
    name: 青年路北向
    group: "339901"
    lon: 120.15
    lat: 30.27
    heading: 8
    fov: 60
    sub: rtsp://10.0.0.5/sub
    main: rtsp://10.0.0.5/main
    access: public
    roi: [[0.5, 0.5], [1, 0.5], [1, 1]]
  - id: cam-2
    name: 仓库
    lon: 120.16
    lat: 30.28
    sub: clips/yard.avi
    access: night_shift
    roles: [supervisor]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_registry_loads_with_defaults_and_levels(tmp_path: Path) -> None:
    registry = load_registry(write(tmp_path, "cameras.yaml", GOOD_YAML))
    assert len(registry) == 2
    first, second = registry.get("cam-1"), registry.get("cam-2")
    assert first.url(Quality.MAIN) == "rtsp://10.0.0.5/main"
    assert first.roles == ACCESS_LEVELS["public"]
    assert first.roi == ((0.5, 0.5), (1.0, 0.5), (1.0, 1.0))
    assert second.main_url == second.sub_url == str(tmp_path / "clips" / "yard.avi")
    assert second.roles == {"dispatcher", "supervisor"}
    assert (second.heading_deg, second.fov_deg, second.group) == (0.0, 60.0, "")
    assert registry.group_names == {"339901": "钟楼区"}
    assert "cam-1" in registry
    assert [c.id for c in registry] == ["cam-1", "cam-2"]


def test_a_json_registry_loads_too(tmp_path: Path) -> None:
    data = {"cameras": [{"id": "a", "name": "A", "lon": 1, "lat": 2, "sub": "http://h/a.mjpg"}]}
    registry = load_registry(write(tmp_path, "cameras.json", json.dumps(data)))
    camera = registry.get("a")
    assert camera.roles == ACCESS_LEVELS["restricted"]
    assert camera.sub_url == "http://h/a.mjpg"


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("lat: 30.27", "lat: 95", r"cameras\.yaml:10: cameras\[0\]\.lat: 95 is outside -90\.\.90"),
        ("heading: 8", "heading: north", r":11: cameras\[0\]\.heading: expected a number"),
        (
            "sub: rtsp://10.0.0.5/sub",
            "sub: ftp://x/y",
            r":13: cameras\[0\]\.sub: unsupported stream URL scheme 'ftp'",
        ),
        ("access: public", "access: top", r":15: cameras\[0\]\.access: unknown access level 'top'"),
        ("    fov: 60\n", "    fov: 60\n    zoom: 2\n", r":13: cameras\[0\]\.zoom: unknown setting"),
        ("id: cam-2", "id: cam-1", r":17: cameras\[1\]\.id: camera id 'cam-1' already used by cameras\[0\]"),
        (
            "roi: [[0.5, 0.5], [1, 0.5], [1, 1]]",
            "roi: [[0.5, 0.5]]",
            r":16: cameras\[0\]\.roi: a region of interest needs at least 3",
        ),
        ("    name: 仓库\n", "", r":17: cameras\[1\]: missing required setting 'name'"),
        ("    lon: 120.16\n", "    lon: 120.16\n    lon: 121\n", r":20: duplicate key 'lon'"),
        ("cameras:\n", "cameras: [\n", r":6: not valid YAML"),
    ],
)
def test_yaml_errors_name_the_line_and_the_setting(
    tmp_path: Path, replace: str, by: str, message: str
) -> None:
    assert replace in GOOD_YAML
    path = write(tmp_path, "cameras.yaml", GOOD_YAML.replace(replace, by, 1))
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def test_a_registry_without_cameras_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="non-empty list of cameras"):
        load_registry(write(tmp_path, "c.yml", "groups: {}\n"))
    with pytest.raises(RegistryError, match=r"c\.json:1: not valid JSON"):
        load_registry(write(tmp_path, "c.json", "{cameras"))


def test_source_kinds() -> None:
    assert source_kind("rtsp://h/x") is SourceKind.RTSP
    assert source_kind("https://h/live.m3u8") is SourceKind.HTTP
    assert source_kind("/var/clips/a.avi") is SourceKind.FILE
    assert source_kind("file:///var/clips/a.avi") is SourceKind.FILE
    with pytest.raises(ValueError, match="unsupported"):
        source_kind("udp://h:1234")


def test_the_demo_city_streams_from_the_demo_server_with_access_levels() -> None:
    city = demo_city()
    registry = demo_registry(city.cameras, "http://127.0.0.1:8554/", group_names={"339901": "钟楼区"})
    assert len(registry) == len(city.cameras) == 40
    first = registry.get(city.cameras[0].id)
    assert first.sub_url == f"http://127.0.0.1:8554/{first.id}/sub.mjpg"
    assert first.main_url == f"http://127.0.0.1:8554/{first.id}/main.mjpg"
    assert (first.lon, first.heading_deg, first.group) == (city.cameras[0].lon, 8.0, "339901")
    assert first.roi == DEMO_MOTION_ZONE
    assert len(registry.visible_to("wall_viewer")) == 32
    assert len(registry.visible_to("dispatcher")) == 40
    groups = registry.groups("wall_viewer")
    assert sum(len(cams) for cams in groups.values()) == 32
    assert set(groups) == {c.district_code for c in city.cameras}


def camera(camera_id: str, lon: float, lat: float, heading: float, fov: float = 60.0) -> CameraInfo:
    return CameraInfo(
        camera_id, camera_id, "g", lon, lat, heading, fov, "rtsp://h/s", "rtsp://h/m", frozenset({"x"})
    )


def test_cameras_that_can_see_a_place_come_first_then_by_distance() -> None:
    # The place is ~100 m north of the origin.
    place = (120.0, 30.0 + 100 / 110_574)
    registry = CameraRegistry(
        [
            camera("near-looking-away", 120.0, 30.0005, 180.0),
            camera("looking-north", 120.0, 30.0, 0.0),
            camera("far-looking-north", 120.0, 29.998, 0.0),
            camera("too-far", 120.0, 29.99, 0.0),
            camera("looking-west", 120.0, 30.0, 270.0),
        ]
    )
    views = registry.cameras_seeing(*place, max_distance_m=400.0)
    assert [v.camera.id for v in views] == [
        "looking-north",
        "far-looking-north",
        "near-looking-away",
        "looking-west",
    ]
    assert views[0].distance_m == pytest.approx(100.0, rel=0.01)
    assert views[0].bearing_deg == pytest.approx(0.0, abs=0.5)
    assert [v.sees for v in views] == [True, True, False, False]
    assert registry.cameras_seeing(*place, role="nobody") == []


def test_duplicate_ids_are_refused_in_code_too() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        CameraRegistry([camera("a", 0, 0, 0), camera("a", 1, 1, 0)])
