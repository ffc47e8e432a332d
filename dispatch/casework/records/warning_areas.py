"""CAP warnings in force with their areas, for the map: the newest revision of each, not cancelled or over."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime

# A warning without an expiry stays in force this long after it arrived (as on the wall).
WARNING_DEFAULT_S = 24 * 3600.0
WARNINGS_MAX = 50
CIRCLE_POINTS = 48
_KM_PER_DEG_LAT = 111.32

Ring = tuple[tuple[float, float], ...]  # (lon, lat), WGS-84


@dataclass(frozen=True, slots=True)
class WarningArea:
    """A warning in force: its event id, headline, level (1 = I … 4 = IV), expiry, and area rings."""

    event_id: str
    title: str
    severity: int
    expires: float | None
    rings: tuple[Ring, ...]
    area: str = ""  # the areas' descriptions, as CAP names them


def warnings_mark(conn: sqlite3.Connection) -> int:
    """Grows whenever a CAP warning (or a revision) is stored: re-read the areas only when it moved."""
    row = conn.execute("SELECT max(rowid) FROM events WHERE source = 'cap'").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def warning_areas(
    conn: sqlite3.Connection, now: float, *, exercise: bool = False, limit: int = WARNINGS_MAX
) -> tuple[WarningArea, ...]:
    """Warnings whose newest revision is neither cancelled nor over at `now`, most severe first (the map's
    areas and the wall's list). A stored warning whose payload cannot be read is shown without its area and
    expiry rather than not at all."""
    rows = conn.execute(
        "SELECT e.event_id, e.title, e.severity, e.cancelled, e.received_at, e.payload FROM events AS e "
        "WHERE e.source = 'cap' AND e.exercise = ? AND e.received_at >= ? AND e.revision = "
        "(SELECT max(x.revision) FROM events AS x WHERE x.source = 'cap' AND x.event_id = e.event_id) "
        "ORDER BY e.severity, e.received_at DESC LIMIT ?",
        (int(exercise), now - 7 * WARNING_DEFAULT_S, limit),
    ).fetchall()
    found = []
    for event_id, title, severity, cancelled, received_at, payload in rows:
        if cancelled:
            continue
        cap, expires = _cap(payload)
        ends = expires if expires is not None else received_at + WARNING_DEFAULT_S
        if ends > now:
            level = min(max(int(severity or 4), 1), 4)
            area = str(cap.get("area_desc", ""))
            found.append(
                WarningArea(str(event_id), title or "", level, expires, _rings(cap.get("areas")), area)
            )
    return tuple(found)


def _cap(payload: str | None) -> tuple[dict[str, object], float | None]:
    try:
        cap = json.loads(payload or "{}").get("cap", {})
        if not isinstance(cap, dict):
            return {}, None
        expires = cap.get("expires")
        return cap, datetime.fromisoformat(str(expires)).timestamp() if expires else None
    except (ValueError, AttributeError, TypeError, OverflowError):
        return {}, None


def _rings(areas: object) -> tuple[Ring, ...]:
    """The stored areas' polygons, and circles as polygons of CIRCLE_POINTS; anything malformed is left
    out (the payload came from outside)."""
    rings: list[Ring] = []
    for area in areas if isinstance(areas, list) else ():
        if not isinstance(area, dict):
            continue
        for polygon in _list(area.get("polygons")):
            ring = tuple(p for p in (_point(q) for q in _list(polygon)) if p is not None)
            if len(ring) >= 3:
                rings.append(ring)
        for circle in _list(area.get("circles")):
            ring = _circle(circle)
            if ring:
                rings.append(ring)
    return tuple(rings)


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _point(value: object) -> tuple[float, float] | None:
    if not isinstance(value, list) or len(value) < 2:
        return None
    try:
        lon, lat = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        return None
    if math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90:
        return lon, lat
    return None


def _circle(value: object) -> Ring:
    centre = _point(value)
    if centre is None or not isinstance(value, list) or len(value) < 3:
        return ()
    try:
        radius_km = float(value[2])
    except (TypeError, ValueError):
        return ()
    if not math.isfinite(radius_km) or not 0 < radius_km <= 2_000:
        return ()
    lon, lat = centre
    dlat = radius_km / _KM_PER_DEG_LAT
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    steps = [2 * math.pi * i / CIRCLE_POINTS for i in range(CIRCLE_POINTS)]
    return tuple((lon + dlon * math.sin(a), max(-90.0, min(90.0, lat + dlat * math.cos(a)))) for a in steps)
