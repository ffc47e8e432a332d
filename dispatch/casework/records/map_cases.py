"""The cases the situation map draws: open ones where they happen, lately closed ones, open ones per cell."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# A closed case stays on the map this long (it fades); the map's own policy decides how it looks.
CLOSED_KEPT_S = 600.0
# The map draws at most this many cases, most severe and newest first: a storm must not stall a frame.
MAX_CASES = 20_000


@dataclass(frozen=True, slots=True)
class MapCase:
    """One case with a position: severity 1–4 (I–IV), when it was found, closed (None while open) and
    last changed."""

    id: int
    code: str
    title: str
    lon: float
    lat: float
    severity: int
    discovered_at: float
    closed_at: float | None
    updated_at: float


@dataclass(frozen=True, slots=True)
class MapCases:
    cases: tuple[MapCase, ...]
    open_per_grid: dict[str, int]


def map_cases(conn: sqlite3.Connection, now: float, *, exercise: bool = False) -> MapCases:
    """Open cases with a position, and those closed within CLOSED_KEPT_S; open cases per grid code."""
    rows = conn.execute(
        "SELECT id, code, title, lon, lat, severity, discovered_at, is_open, updated_at FROM cases "
        "WHERE exercise = ? AND lon IS NOT NULL AND lat IS NOT NULL AND master_id IS NULL "
        "AND (is_open = 1 OR updated_at >= ?) ORDER BY severity, discovered_at DESC LIMIT ?",
        (int(exercise), now - CLOSED_KEPT_S, MAX_CASES),
    ).fetchall()
    cases = tuple(
        MapCase(
            int(r[0]), str(r[1]), str(r[2]), float(r[3]), float(r[4]), min(4, max(1, int(r[5]))), float(r[6]),
            None if r[7] else float(r[8]), float(r[8]),
        )
        for r in rows
        if -180.0 <= float(r[3]) <= 180.0 and -90.0 <= float(r[4]) <= 90.0
    )  # fmt: skip
    per_grid = conn.execute(
        "SELECT grid, count(*) FROM cases WHERE is_open = 1 AND exercise = ? AND grid != '' GROUP BY grid",
        (int(exercise),),
    ).fetchall()
    return MapCases(cases, {str(g): int(n) for g, n in per_grid})


@dataclass(frozen=True, slots=True)
class FoundCase:
    """A case whose code, title or address holds what was searched for, with where it is."""

    id: int
    code: str
    title: str
    address: str
    lon: float
    lat: float
    is_open: bool


def find_cases(
    conn: sqlite3.Connection, text: str, *, exercise: bool = False, limit: int = 6
) -> tuple[FoundCase, ...]:
    """Cases with a position whose code, title or address contains `text` (case-insensitive for Latin
    letters), open ones first, newest first. Searched in SQL: the store may hold a million cases."""
    # SQLite ends a pattern at a NUL: "%\x00%" would match every case.
    words = text.replace("\x00", "").strip()
    if not words:
        return ()
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT id, code, title, address, lon, lat, is_open FROM cases "
        "WHERE exercise = :exercise AND lon IS NOT NULL AND lat IS NOT NULL "
        "AND (code LIKE :pattern ESCAPE '\\' OR title LIKE :pattern ESCAPE '\\' "
        "OR address LIKE :pattern ESCAPE '\\') ORDER BY is_open DESC, discovered_at DESC LIMIT :limit",
        {"exercise": int(exercise), "pattern": pattern, "limit": limit},
    ).fetchall()
    return tuple(
        FoundCase(int(r[0]), str(r[1]), str(r[2]), str(r[3] or ""), float(r[4]), float(r[5]), bool(r[6]))
        for r in rows
    )
