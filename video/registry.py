"""Camera registry: where each camera is and looks, its two stream URLs, and which roles may view it."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import yaml

Point = tuple[float, float]
KeyPath = tuple[str | int, ...]


class Quality(enum.StrEnum):
    """Grid tiles show the sub-stream; a focused or pop-up tile shows the main stream."""

    SUB = "sub"
    MAIN = "main"


class SourceKind(enum.StrEnum):
    RTSP = "rtsp"
    HTTP = "http"
    FILE = "file"


# 视频资源分级: a camera names a level (or explicit roles); a level is the set of roles that may view it.
# Role names are the dispatch roles plus "wall_viewer" (a screen that only shows the wall). A config file
# may redefine or add levels under `access_levels`.
ACCESS_LEVELS: Mapping[str, frozenset[str]] = {
    "public": frozenset(
        {"wall_viewer", "viewer", "intake", "dispatcher", "shift_lead", "supervisor", "supervision"}
    ),
    "restricted": frozenset({"dispatcher", "shift_lead", "supervisor", "supervision"}),
    "confidential": frozenset({"shift_lead", "supervisor"}),
}
# A camera without a level is not shown to everyone by accident.
DEFAULT_LEVEL = "restricted"
# Where the demo scenes' passer-by walks (normalised x, y): the demo cameras' motion region.
DEMO_MOTION_ZONE: tuple[Point, ...] = ((0.62, 0.56), (0.97, 0.56), (0.97, 0.95), (0.62, 0.95))


@dataclass(frozen=True, slots=True)
class CameraInfo:
    """One camera. `heading_deg` is clockwise from north; `roi` is a polygon in normalised coordinates."""

    id: str
    name: str
    group: str
    lon: float
    lat: float
    heading_deg: float
    fov_deg: float
    sub_url: str
    main_url: str
    roles: frozenset[str]
    roi: tuple[Point, ...] | None = None

    def url(self, quality: Quality) -> str:
        return self.main_url if quality is Quality.MAIN else self.sub_url

    def visible_to(self, role: str) -> bool:
        return role in self.roles


def source_kind(url: str) -> SourceKind:
    """RTSP, HTTP (MJPEG or HLS) or a local file; anything else raises ValueError."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("rtsp", "rtsps"):
        return SourceKind.RTSP
    if scheme in ("http", "https"):
        return SourceKind.HTTP
    if scheme in ("", "file"):
        return SourceKind.FILE
    raise ValueError(f"unsupported stream URL scheme {scheme!r} (use rtsp, http(s) or a file path)")


class CameraRegistry:
    """All configured cameras by id, in configuration order, with optional display names for groups."""

    def __init__(self, cameras: Iterable[CameraInfo], group_names: Mapping[str, str] | None = None) -> None:
        self.cameras = tuple(cameras)
        self._by_id: dict[str, CameraInfo] = {}
        for camera in self.cameras:
            if camera.id in self._by_id:
                raise ValueError(f"camera id {camera.id!r} appears twice")
            self._by_id[camera.id] = camera
        self.group_names: Mapping[str, str] = dict(group_names or {})

    def __len__(self) -> int:
        return len(self.cameras)

    def __iter__(self) -> Iterator[CameraInfo]:
        return iter(self.cameras)

    def __contains__(self, camera_id: object) -> bool:
        return camera_id in self._by_id

    def get(self, camera_id: str) -> CameraInfo:
        """The camera with this id; KeyError if there is none."""
        return self._by_id[camera_id]

    def visible_to(self, role: str) -> tuple[CameraInfo, ...]:
        return tuple(c for c in self.cameras if c.visible_to(role))

    def groups(self, role: str | None = None) -> dict[str, tuple[CameraInfo, ...]]:
        """Cameras by group in configuration order, only those `role` may view when a role is given."""
        out: dict[str, list[CameraInfo]] = {}
        for camera in self.cameras:
            if role is None or camera.visible_to(role):
                out.setdefault(camera.group, []).append(camera)
        return {group: tuple(cams) for group, cams in out.items()}

    def cameras_seeing(
        self,
        lon: float,
        lat: float,
        *,
        role: str | None = None,
        max_distance_m: float = 400.0,
        limit: int = 4,
    ) -> list[CameraView]:
        """Cameras within `max_distance_m` of the place, those whose field of view covers it first, then
        by distance; only cameras `role` may view when a role is given. For incident linkage (视频联动)."""
        views = [view_of(c, lon, lat) for c in self.cameras if role is None or c.visible_to(role)]
        near = [v for v in views if v.distance_m <= max_distance_m]
        near.sort(key=lambda v: (not v.sees, v.distance_m))
        return near[:limit]


@dataclass(frozen=True, slots=True)
class CameraView:
    """A camera near a place: how far, the bearing to it, and whether the field of view covers it."""

    camera: CameraInfo
    distance_m: float
    bearing_deg: float
    sees: bool


def view_of(camera: CameraInfo, lon: float, lat: float) -> CameraView:
    """Where (lon, lat) lies for `camera` (flat-earth approximation, good to well under 1 % within 2 km)."""
    east = (lon - camera.lon) * 111_320.0 * math.cos(math.radians((lat + camera.lat) / 2.0))
    north = (lat - camera.lat) * 110_574.0
    distance = math.hypot(east, north)
    bearing = math.degrees(math.atan2(east, north)) % 360.0
    off_axis = abs((bearing - camera.heading_deg + 180.0) % 360.0 - 180.0)
    # Right under the camera the bearing means nothing; anything within 15 m is in the picture.
    return CameraView(camera, distance, bearing, distance <= 15.0 or off_axis <= camera.fov_deg / 2.0)


class RegistryError(ValueError):
    """A configuration problem, naming the file, the line (YAML) and the setting."""


class CameraSite(Protocol):
    """The shape of the demo city's cameras (sim.city.Camera), without importing dispatch."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def district_code(self) -> str: ...
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...
    @property
    def heading_deg(self) -> float: ...
    @property
    def fov_deg(self) -> float: ...


def demo_registry(
    sites: Iterable[CameraSite],
    base_url: str,
    *,
    group_names: Mapping[str, str] | None = None,
    restricted_every: int = 5,
) -> CameraRegistry:
    """The demo city's cameras, streaming from a `DemoStreamServer` at `base_url`.

    Every `restricted_every`-th camera is `restricted` (so access filtering shows), the rest `public`;
    all watch the demo scenes' motion zone.
    """
    base = base_url.rstrip("/")
    cameras = [
        CameraInfo(
            id=s.id,
            name=s.name,
            group=s.district_code,
            lon=s.lon,
            lat=s.lat,
            heading_deg=s.heading_deg,
            fov_deg=s.fov_deg,
            sub_url=f"{base}/{s.id}/{Quality.SUB.value}.mjpg",
            main_url=f"{base}/{s.id}/{Quality.MAIN.value}.mjpg",
            roles=ACCESS_LEVELS["restricted" if (i + 1) % restricted_every == 0 else "public"],
            roi=DEMO_MOTION_ZONE,
        )
        for i, s in enumerate(sites)
    ]
    return CameraRegistry(cameras, group_names)


def load_registry(path: Path) -> CameraRegistry:
    """Read a camera registry from a .yaml/.yml or .json file; RegistryError says where anything is wrong."""
    text = path.read_text(encoding="utf-8")
    lines: dict[KeyPath, int] = {}
    if path.suffix.lower() == ".json":
        try:
            data: object = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    else:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            raise RegistryError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
        if node is not None:
            _index_lines(node, (), lines, path)
    try:
        return _build(data, path.parent)
    except _Invalid as exc:
        raise RegistryError(_where(path, exc.path, lines) + exc.message) from None


class _Invalid(Exception):
    def __init__(self, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.path, self.message = path, message


def _where(file: Path, path: KeyPath, lines: Mapping[KeyPath, int]) -> str:
    name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "(top)"
    for depth in range(len(path), -1, -1):
        if path[:depth] in lines:
            return f"{file}:{lines[path[:depth]]}: {name}: "
    return f"{file}: {name}: "


def _index_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], file: Path) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise RegistryError(f"{file}:{key.start_mark.line + 1}: duplicate key {name!r}")
            seen.add(name)
            _index_lines(value, (*path, name), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines, file)


def _build(data: object, base_dir: Path) -> CameraRegistry:
    top = _mapping(data, ())
    levels = dict(ACCESS_LEVELS)
    for name, roles in _mapping(top.get("access_levels", {}), ("access_levels",)).items():
        levels[name] = frozenset(_strings(roles, ("access_levels", name)))
    groups = {k: _text(v, ("groups", k)) for k, v in _mapping(top.get("groups", {}), ("groups",)).items()}
    raw = top.get("cameras")
    if not isinstance(raw, list) or not raw:
        raise _Invalid(("cameras",), "a non-empty list of cameras is required")
    cameras = [_camera(item, ("cameras", i), levels, base_dir) for i, item in enumerate(raw)]
    seen: dict[str, int] = {}
    for i, camera in enumerate(cameras):
        if camera.id in seen:
            first = seen[camera.id]
            raise _Invalid(("cameras", i, "id"), f"camera id {camera.id!r} already used by cameras[{first}]")
        seen[camera.id] = i
    return CameraRegistry(cameras, groups)


def _camera(item: object, at: KeyPath, levels: Mapping[str, frozenset[str]], base_dir: Path) -> CameraInfo:
    fields = _mapping(item, at)
    known = {"id", "name", "group", "lon", "lat", "heading", "fov", "sub", "main", "access", "roles", "roi"}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise _Invalid((*at, unknown[0]), f"unknown setting (known: {', '.join(sorted(known))})")
    for required in ("id", "name", "lon", "lat", "sub"):
        if required not in fields:
            raise _Invalid(at, f"missing required setting {required!r}")
    level = _text(fields.get("access", DEFAULT_LEVEL), (*at, "access"))
    if level not in levels:
        known_levels = ", ".join(sorted(levels))
        raise _Invalid((*at, "access"), f"unknown access level {level!r} (known: {known_levels})")
    roles = levels[level] | frozenset(_strings(fields.get("roles", []), (*at, "roles")))
    sub = _url(fields["sub"], (*at, "sub"), base_dir)
    return CameraInfo(
        id=_text(fields["id"], (*at, "id")),
        name=_text(fields["name"], (*at, "name")),
        group=_text(fields.get("group", ""), (*at, "group"), allow_empty=True),
        lon=_number(fields["lon"], (*at, "lon"), -180.0, 180.0),
        lat=_number(fields["lat"], (*at, "lat"), -90.0, 90.0),
        heading_deg=_number(fields.get("heading", 0.0), (*at, "heading"), 0.0, 360.0),
        fov_deg=_number(fields.get("fov", 60.0), (*at, "fov"), 1.0, 360.0),
        sub_url=sub,
        main_url=_url(fields["main"], (*at, "main"), base_dir) if "main" in fields else sub,
        roles=roles,
        roi=_polygon(fields["roi"], (*at, "roi")) if "roi" in fields else None,
    )


def _mapping(value: object, at: KeyPath) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Invalid(at, "expected a mapping of settings")
    return {str(k): v for k, v in value.items()}


def _text(value: object, at: KeyPath, *, allow_empty: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Invalid(at, f"expected text, got {value!r}")
    text = str(value).strip()
    if not text and not allow_empty:
        raise _Invalid(at, "must not be empty")
    return text


def _strings(value: object, at: KeyPath) -> list[str]:
    if not isinstance(value, list):
        raise _Invalid(at, "expected a list of role names")
    return [_text(v, (*at, i)) for i, v in enumerate(value)]


def _number(value: object, at: KeyPath, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid(at, f"expected a number, got {value!r}")
    if not low <= value <= high:
        raise _Invalid(at, f"{value} is outside {low:g}..{high:g}")
    return float(value)


def _url(value: object, at: KeyPath, base_dir: Path) -> str:
    url = _text(value, at)
    try:
        kind = source_kind(url)
    except ValueError as exc:
        raise _Invalid(at, str(exc)) from None
    if kind is SourceKind.FILE:
        local = Path(urlsplit(url).path if url.startswith("file:") else url).expanduser()
        return str(local if local.is_absolute() else (base_dir / local).resolve())
    if not urlsplit(url).hostname:
        raise _Invalid(at, f"{url!r} names no host")
    return url


def _polygon(value: object, at: KeyPath) -> tuple[Point, ...]:
    if not isinstance(value, list) or len(value) < 3:
        raise _Invalid(at, "a region of interest needs at least 3 [x, y] points")
    points: list[Point] = []
    for i, raw in enumerate(value):
        if not isinstance(raw, list | tuple) or len(raw) != 2:
            raise _Invalid((*at, i), "expected [x, y] in 0..1 of the frame width and height")
        points.append((_number(raw[0], (*at, i), 0.0, 1.0), _number(raw[1], (*at, i), 0.0, 1.0)))
    return tuple(points)
