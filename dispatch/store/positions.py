"""Live unit positions in the store: the latest fix per unit and a bounded track, written by the writer."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from dispatch.feed.positions_wire import PositionFix

# A unit's track keeps its newest TRACK_KEEP fixes, none older than TRACK_SPAN_S before its newest fix:
# at one fix every 5-10 s that is the last 20-30 minutes of driving, enough to draw where it came from.
TRACK_KEEP = 200
TRACK_SPAN_S = 2 * 3600.0

_POSITIONS_DDL = """
CREATE TABLE unit_positions (
    unit TEXT PRIMARY KEY,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    heading REAL,
    speed_kmh REAL,
    status TEXT NOT NULL,
    at REAL NOT NULL,
    received_at REAL NOT NULL,
    seq INTEGER
) WITHOUT ROWID"""
_TRACK_DDL = """
CREATE TABLE unit_track (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    heading REAL,
    speed_kmh REAL,
    status TEXT NOT NULL,
    at REAL NOT NULL
)"""
_TRACK_INDEX = "CREATE UNIQUE INDEX unit_track_fix ON unit_track (unit, at)"

# The latest position only moves forward in time: an older fix, or the same fix again, changes nothing.
_LATEST = (
    "INSERT INTO unit_positions (unit, lon, lat, heading, speed_kmh, status, at, received_at, seq) "
    "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (unit) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, "
    "heading = excluded.heading, speed_kmh = excluded.speed_kmh, status = excluded.status, "
    "at = excluded.at, received_at = excluded.received_at, seq = excluded.seq "
    "WHERE excluded.at > unit_positions.at"
)
# AUTOINCREMENT: ids are never reused after pruning, so the largest one marks the newest write.
# A fix is one (unit, time): the first copy stays, a repeat (a replay, a resend) is dropped.
_TRACK = (
    "INSERT INTO unit_track (unit, lon, lat, heading, speed_kmh, status, at) VALUES (?,?,?,?,?,?,?) "
    "ON CONFLICT (unit, at) DO NOTHING"
)
# The oldest time a unit's track keeps. Computed before deleting: a DELETE whose condition counted rows
# would see its own deletions and cut one row too few or too many.
_FLOOR = (
    "SELECT max((SELECT at FROM unit_positions WHERE unit = ?1) - ?2, "
    "coalesce((SELECT at FROM unit_track WHERE unit = ?1 ORDER BY at DESC LIMIT 1 OFFSET ?3), -1e308))"
)
_PRUNE = "DELETE FROM unit_track WHERE unit = ? AND at < ?"


def migrate_unit_positions(db: sqlite_utils.Database) -> None:
    """Schema migration: protocol v1.2's live positions (runs inside the migration transaction)."""
    for statement in (_POSITIONS_DDL, _TRACK_DDL, _TRACK_INDEX):
        db.execute(statement)


def store_positions(conn: sqlite3.Connection, fixes: list[PositionFix]) -> int:
    """Apply a batch's fixes inside the writer's transaction; how many units' latest positions moved.

    Out-of-order fixes still join the track (drawn in time order) unless pruning drops them at once."""
    newest: dict[str, PositionFix] = {}
    for fix in fixes:
        known = newest.get(fix.unit)
        if known is None or fix.at > known.at:
            newest[fix.unit] = fix
    moved = conn.executemany(
        _LATEST,
        [
            (f.unit, f.lon, f.lat, f.heading_deg, f.speed_kmh, f.status, f.at, f.received_at, f.seq)
            for f in newest.values()
        ],
    ).rowcount
    conn.executemany(
        _TRACK, [(f.unit, f.lon, f.lat, f.heading_deg, f.speed_kmh, f.status, f.at) for f in fixes]
    )
    floors = [
        (unit, conn.execute(_FLOOR, (unit, TRACK_SPAN_S, TRACK_KEEP - 1)).fetchone()[0]) for unit in newest
    ]
    conn.executemany(_PRUNE, floors)
    return max(0, moved)
