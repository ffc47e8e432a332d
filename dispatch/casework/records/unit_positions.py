"""Reads of live unit positions (protocol v1.2) for the map and the desk: latest fixes and tracks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

TrackPoint = tuple[float, float, float]  # lon, lat (WGS-84), at (epoch seconds UTC)


@dataclass(frozen=True, slots=True)
class UnitFix:
    """A unit's latest reported position, WGS-84, with its time in epoch seconds UTC."""

    unit_id: str
    lon: float
    lat: float
    heading_deg: float | None  # clockwise from north, 0 <= h < 360
    speed_kmh: float | None
    status: str  # available | en_route | on_scene | off_duty
    at: float


def latest_positions(conn: sqlite3.Connection) -> tuple[UnitFix, ...]:
    """Every unit's latest fix, by unit id: one query over one row per unit (5,000 units: a few ms)."""
    rows = conn.execute(
        "SELECT unit, lon, lat, heading, speed_kmh, status, at FROM unit_positions ORDER BY unit"
    ).fetchall()
    return tuple(UnitFix(*row) for row in rows)


def unit_fix(conn: sqlite3.Connection, unit_id: str) -> UnitFix | None:
    """One unit's latest fix, or None when it never reported one."""
    row = conn.execute(
        "SELECT unit, lon, lat, heading, speed_kmh, status, at FROM unit_positions WHERE unit = ?", (unit_id,)
    ).fetchone()
    return UnitFix(*row) if row is not None else None


def unit_track(conn: sqlite3.Connection, unit_id: str, limit: int) -> tuple[TrackPoint, ...]:
    """The unit's newest `limit` fixes (the store keeps at most 200, none 2 h older than its newest), oldest
    first: ready to draw as a line."""
    if limit <= 0:
        return ()
    rows = conn.execute(
        "SELECT lon, lat, at FROM unit_track WHERE unit = ? ORDER BY at DESC LIMIT ?", (unit_id, limit)
    ).fetchall()
    return tuple((float(lon), float(lat), float(at)) for lon, lat, at in reversed(rows))


def positions_mark(conn: sqlite3.Connection) -> int:
    """A number that grows whenever a fix is stored (0 before any): a poller reads every position again
    only when it moved. Cheap: the largest rowid of the track."""
    row = conn.execute("SELECT max(id) FROM unit_track").fetchone()
    return int(row[0]) if row and row[0] is not None else 0
