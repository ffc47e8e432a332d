"""What the map's search finds: the atlas's districts, roads, key sites and cameras, the units, and cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from core.mercator import fit
from dispatch.atlas import Atlas
from dispatch.casework.records.map_cases import FoundCase
from widgets.situation.map_toolbar import Found

Wgs84 = Callable[[float, float], tuple[float, float]]
FOUND_MAX = 12
# How close a hit is shown: a district whole, a road along a few blocks, a site or a unit up close.
ZOOM = {"district": 13.0, "road": 15.0, "place": 16.5, "camera": 17.0, "unit": 16.5, "case": 16.5}
# Of equally good matches, the kinds an officer most often means come first.
KIND_ORDER = ("case", "unit", "district", "place", "road", "camera")


def _kind_word(kind: str) -> str:
    words = {
        "district": QCoreApplication.translate("MapSearch", "District"),
        "road": QCoreApplication.translate("MapSearch", "Road"),
        "place": QCoreApplication.translate("MapSearch", "Key site"),
        "camera": QCoreApplication.translate("MapSearch", "Camera"),
        "unit": QCoreApplication.translate("MapSearch", "Unit"),
        "case": QCoreApplication.translate("MapSearch", "Case"),
    }
    return words.get(kind, kind)


@dataclass(frozen=True, slots=True)
class _Entry:
    found: Found
    keys: tuple[str, ...]  # lower-cased words it answers to: its name first, then id or address


class SearchIndex:
    """The city's named things in memory (a few thousand at most; a case is searched in the store)."""

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self._entries = tuple(entries)

    @classmethod
    def of_atlas(cls, atlas: Atlas, wgs84: Wgs84) -> SearchIndex:
        entries: list[_Entry] = []
        for district in atlas.districts:
            points = [p for ring in district.outline for p in ring]
            if not points:
                continue
            west, south = min(p[0] for p in points), min(p[1] for p in points)
            east, north = max(p[0] for p in points), max(p[1] for p in points)
            lon, lat = wgs84((west + east) / 2, (south + north) / 2)
            zoom = min(ZOOM["district"], fit(west, south, east, north, 900, 600).zoom)
            entries.append(_entry("district", district.name, "", lon, lat, zoom, (district.code,)))
        for road, (lon, lat) in _roads(atlas).items():
            entries.append(_entry("road", road, "", *wgs84(lon, lat), ZOOM["road"]))
        for place in atlas.places:
            lon, lat = wgs84(place.lon, place.lat)
            entries.append(_entry("place", place.name, place.address, lon, lat, ZOOM["place"]))
        for camera in atlas.cameras:
            lon, lat = wgs84(camera.lon, camera.lat)
            zoom = ZOOM["camera"]
            entries.append(_entry("camera", camera.name, camera.group, lon, lat, zoom, (camera.id,)))
        return cls(entries)

    def find(self, text: str, units: Sequence[tuple[str, str, float, float]] = ()) -> tuple[Found, ...]:
        """The best matches for `text`: whole name, then names starting with it, then names holding it,
        then other words (an address, an id); `units` are (id, name, lon, lat) where each unit is now."""
        needle = text.strip().lower()
        if not needle:
            return ()
        unit_entries = (
            _entry("unit", name, unit_id, lon, lat, ZOOM["unit"], (unit_id,))
            for unit_id, name, lon, lat in units
        )
        scored = []
        for entry in (*self._entries, *unit_entries):
            rank = _rank(needle, entry.keys)
            if rank is not None:
                scored.append((rank, KIND_ORDER.index(entry.found.kind), entry.found.label, entry.found))
        scored.sort(key=lambda s: s[:3])
        return tuple(s[3] for s in scored[:FOUND_MAX])


def case_hits(cases: Sequence[FoundCase]) -> tuple[Found, ...]:
    zoom = ZOOM["case"]
    return tuple(
        Found("case", f"{c.code} {c.title}", c.address or _kind_word("case"), c.lon, c.lat, zoom, str(c.id))
        for c in cases
    )


def _entry(
    kind: str, name: str, detail: str, lon: float, lat: float, zoom: float, more: tuple[str, ...] = ()
) -> _Entry:
    shown = f"{_kind_word(kind)} · {detail}" if detail else _kind_word(kind)
    keys = tuple(k.lower() for k in (name, detail, *more) if k)
    return _Entry(Found(kind, name, shown, lon, lat, zoom), keys)


def _rank(needle: str, keys: tuple[str, ...]) -> int | None:
    if not keys:
        return None
    name = keys[0]
    if name == needle:
        return 0
    if name.startswith(needle):
        return 1
    if needle in name:
        return 2
    if any(needle in key for key in keys[1:]):
        return 3
    return None


def _roads(atlas: Atlas) -> dict[str, tuple[float, float]]:
    """Each named road at the middle junction of its segments (a point on the road, not beside it)."""
    junctions = {j.id: (j.lon, j.lat) for j in atlas.junctions}
    ends: dict[str, list[tuple[float, float]]] = {}
    for segment in atlas.segments:
        if segment.road and segment.a in junctions:
            ends.setdefault(segment.road, []).append(junctions[segment.a])
    return {road: sorted(points)[len(points) // 2] for road, points in ends.items()}
