"""A scenario against its city: areas, places, cameras and units it names must be in the atlas."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from dispatch.atlas.model import Atlas, LonLat
from dispatch.drill.scenario import (
    CameraScene,
    CapWarning,
    EventBody,
    Inject,
    PhoneCall,
    Scenario,
    UnitReport,
    Where,
)
from dispatch.drill.yaml_nodes import ScenarioError


def atlas_directory(scenario: Scenario) -> Path:
    """`demo` is the bundled demo city; anything else is a directory relative to the scenario file."""
    if scenario.atlas == "demo":
        return Path(str(resources.files("resources") / "atlas" / "demo"))
    return (Path(scenario.file).parent / scenario.atlas).resolve()


def check_against_atlas(scenario: Scenario, atlas: Atlas) -> None:
    """ScenarioError at the line of the first name the atlas does not know."""
    districts = {district.code for district in atlas.districts}
    for area in scenario.areas:
        if area not in districts:
            message = f"area {area!r} is no district of {atlas.name}"
            raise ScenarioError(scenario.file, scenario.area_line, message)
    units = {unit.id: unit for unit in atlas.units}
    kinds = {unit.kind for unit in atlas.units}
    for expected in scenario.expected:
        if expected.unit and expected.unit not in units:
            raise ScenarioError(scenario.file, expected.line, f"unit {expected.unit!r} is not in the atlas")
        if expected.unit_kind and expected.unit_kind not in kinds:
            known = ", ".join(sorted(kinds))
            message = f"unit_kind {expected.unit_kind!r} is no kind of unit in the atlas ({known})"
            raise ScenarioError(scenario.file, expected.line, message)
    for inject in scenario.injects:
        _check_inject(scenario, inject, atlas, frozenset(units))


def _check_inject(scenario: Scenario, inject: Inject, atlas: Atlas, units: frozenset[str]) -> None:
    body = inject.body
    where = f"inject {inject.id}"
    cameras = {camera.id for camera in atlas.cameras}
    camera = body.camera if isinstance(body, EventBody | CameraScene) else ""
    if camera and camera not in cameras:
        raise ScenarioError(scenario.file, inject.line, f"{where}: camera {camera!r} is not in the atlas")
    if isinstance(body, UnitReport) and body.unit and body.unit not in units:
        raise ScenarioError(scenario.file, inject.line, f"{where}: unit {body.unit!r} is not in the atlas")
    spot = body.where if isinstance(body, EventBody | CapWarning | PhoneCall) else None
    if spot is not None and spot.place and place_of(atlas, spot) is None:
        raise ScenarioError(scenario.file, inject.line, f"{where}: place {spot.place!r} is not in the atlas")


def place_of(atlas: Atlas, where: Where) -> tuple[LonLat, str] | None:
    """The position and address `where` stands for: an atlas place by name, or its own lon/lat."""
    if where.place:
        for place in atlas.places:
            if place.name == where.place:
                return LonLat(place.lon, place.lat), where.address or f"{place.name}（{place.address}）"
        return None
    if where.lon is None or where.lat is None:
        return None
    return LonLat(where.lon, where.lat), where.address


def camera_position(atlas: Atlas, camera_id: str) -> tuple[LonLat, str] | None:
    for camera in atlas.cameras:
        if camera.id == camera_id:
            return LonLat(camera.lon, camera.lat), camera.name
    return None
