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
# A report reads only the masters in the cells its box touches, through an index on category, cell and
# time: the look-up costs what lies near the report in place and time, however many masters the city
# holds (a scan of every master in the window grew with them, ~0.4 ms a report at 2,000). A cell is a
# 0.01° square (~1 km; the 100 is written in the index); CAST truncates, which keeps order, so a master
# inside the box lies in a cell between the cells of the box's corners.
_CELLS_INDEX = (
    "CREATE INDEX duplicate_masters_cell ON duplicate_masters "
    "(category, exercise, CAST(lon * 100 AS INTEGER), CAST(lat * 100 AS INTEGER), discovered_at)"
)
_PER_DEGREE = 100
# Cells looked at along each axis, at most (the IN lists are this long, repeats filling them: one
# statement, prepared once). A box wider than that (a radius of kilometres, a report near a pole) reads
# the masters by time alone, as before the cells, with the same result.
_AXIS_CELLS = 4
_NEAR_SQL = (
    "SELECT m.case_id, m.lon, m.lat, m.discovered_at FROM duplicate_masters AS m "
    "JOIN cases AS c ON c.id = m.case_id "
    "WHERE m.category = ? AND m.exercise = ? {cells}AND m.discovered_at BETWEEN ? AND ? "
    "AND m.lon BETWEEN ? AND ? AND m.lat BETWEEN ? AND ? AND c.is_open = 1 AND m.case_id != ?"
)
_IN = ", ".join("?" * _AXIS_CELLS)
_CELLS_SQL = _NEAR_SQL.format(
    cells=f"AND CAST(m.lon * 100 AS INTEGER) IN ({_IN}) AND CAST(m.lat * 100 AS INTEGER) IN ({_IN}) "
)
_SCAN_SQL = _NEAR_SQL.format(cells="")
# Cells are numbered only where a double holds every whole number: beyond, CAST (it clamps to 64 bits)
# and Python's int() could part, and the scan decides.
_CELL_LIMIT = 2.0**52
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


def migrate_duplicate_cells(db: sqlite_utils.Database) -> None:
    """Schema migration: masters found by place (cell) and time (runs inside the migration transaction)."""
    db.execute(_CELLS_INDEX)


def place(conn: sqlite3.Connection, case: Case, rule: DuplicateRule, now: float) -> int:
    """Propose merging `case` into the nearest open master of its category within the rule's radius and
    window (1: a proposal written), or make it a master (0). Cases without a place take no part."""
    if case.lon is None or case.lat is None:
        return 0
    # A lon/lat box around the report lets SQLite drop far-away masters before Python measures any.
    dlon, dlat = degrees_around(case.lat, rule.radius_m)
    west, east, south, north = case.lon - dlon, case.lon + dlon, case.lat - dlat, case.lat + dlat
    box = (case.discovered_at - rule.window_s, case.discovered_at + rule.window_s, west, east, south, north,
           case.id)  # fmt: skip
    columns, rows = _cells(west, east), _cells(south, north)
    if columns is None or rows is None:
        found = conn.execute(_SCAN_SQL, (case.category, int(case.exercise), *box)).fetchall()
    else:
        found = conn.execute(
            _CELLS_SQL, (case.category, int(case.exercise), *columns, *rows, *box)
        ).fetchall()
    measured = [
        (distance_m(case.lon, case.lat, lon, lat), master_id, at) for master_id, lon, lat, at in found
    ]
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


def _cells(low: float, high: float) -> tuple[int, ...] | None:
    """The cells (as the index computes them) from `low` to `high` along one axis, padded with repeats to
    _AXIS_CELLS; None when there are more, or the bounds are beyond what a cell can number."""
    first, last = low * _PER_DEGREE, high * _PER_DEGREE
    if not (-_CELL_LIMIT < first <= last < _CELL_LIMIT):
        return None
    cells = range(int(first), int(last) + 1)
    if len(cells) > _AXIS_CELLS:
        return None
    return (*cells, *(cells[-1],) * (_AXIS_CELLS - len(cells)))
