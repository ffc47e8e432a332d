"""Duplicate clusters: a new report joins the nearest open master of its kind nearby, or becomes a master."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from core.geo import degrees_around, distance_m
from dispatch.casework.model import Case
from dispatch.casework.policy import DuplicateRule

# Duplicates cluster around a master: the first open case of a category at a place. A later report within
# the duplicate radius and window of a master is proposed for merging into that master alone, so a burst
# of N reports at one corner writes N-1 proposals (not N²/2) and each report looks at a handful of masters,
# not at every case nearby. Masters lie more than a radius apart, so few fall in any report's box.
_MASTERS_DDL = """
CREATE TABLE duplicate_masters (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    category TEXT NOT NULL,
    exercise INTEGER NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    discovered_at REAL NOT NULL
)
"""
_MASTERS_INDEX = (
    "CREATE INDEX duplicate_masters_near ON duplicate_masters (category, exercise, discovered_at)"
)
# Open cases not proposed into another case were the masters before clusters existed.
_MASTERS_BACKFILL = """
INSERT INTO duplicate_masters (case_id, category, exercise, lon, lat, discovered_at)
SELECT id, category, exercise, lon, lat, discovered_at FROM cases
WHERE is_open = 1 AND lon IS NOT NULL AND lat IS NOT NULL
  AND id NOT IN (SELECT case_id FROM merge_proposals WHERE dismissed = 0)
"""


def migrate_duplicate_clusters(db: sqlite_utils.Database) -> None:
    """Schema migration: the masters of duplicate clusters (runs inside the migration transaction)."""
    for statement in (_MASTERS_DDL, _MASTERS_INDEX, _MASTERS_BACKFILL):
        db.execute(statement)


def place(conn: sqlite3.Connection, case: Case, rule: DuplicateRule, now: float) -> int:
    """Propose merging `case` into the nearest open master of its category within the rule's radius and
    window (1: a proposal written), or make it a master (0). Cases without a place take no part."""
    if case.lon is None or case.lat is None:
        return 0
    # A lon/lat box around the report lets SQLite drop far-away masters before Python measures any.
    dlon, dlat = degrees_around(case.lat, rule.radius_m)
    rows = conn.execute(
        "SELECT m.case_id, m.lon, m.lat, m.discovered_at FROM duplicate_masters AS m "
        "JOIN cases AS c ON c.id = m.case_id "
        "WHERE m.category = ? AND m.exercise = ? AND m.discovered_at BETWEEN ? AND ? "
        "AND m.lon BETWEEN ? AND ? AND m.lat BETWEEN ? AND ? AND c.is_open = 1 AND m.case_id != ?",
        (case.category, int(case.exercise), case.discovered_at - rule.window_s,
         case.discovered_at + rule.window_s, case.lon - dlon, case.lon + dlon, case.lat - dlat,
         case.lat + dlat, case.id),
    ).fetchall()  # fmt: skip
    measured = [(distance_m(case.lon, case.lat, lon, lat), master_id, at) for master_id, lon, lat, at in rows]
    near = [m for m in measured if m[0] <= rule.radius_m]
    if not near:
        conn.execute(
            "INSERT INTO duplicate_masters (case_id, category, exercise, lon, lat, discovered_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (case.id, case.category, int(case.exercise), case.lon, case.lat, case.discovered_at),
        )
        return 0
    gap_m, master_id, master_at = min(near)
    conn.execute(
        "INSERT OR IGNORE INTO merge_proposals (case_id, candidate_id, distance_m, gap_s, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (case.id, master_id, gap_m, abs(case.discovered_at - master_at), now),
    )
    return 1
