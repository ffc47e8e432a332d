"""What a seat reads back from its own feed store: units' reports in arrival order (to publish to the
centre's log), the device, all-clear and CAP part of stored events, and units' live positions."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dispatch.feed.positions_wire import PositionFix
from dispatch.store.read_only import open_read_only

log = logging.getLogger(__name__)
# At start a seat publishes again what its feed stored this long ago at most: a report stored just before
# the last stop may not have reached the log. Publishing one again is harmless (its id is its bytes, and
# a report already applied is a no-op); publishing a week's again would only fill the log.
AGAIN_S = 3600.0
BATCH = 500


class UnitReportTail:
    """Reads the report inbox of the store at `path` (read-only, never in the intake's way) past the last
    row it returned."""

    def __init__(self, path: Path, *, now: float | None = None) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._cursor: int | None = None
        self._since = (time.time() if now is None else now) - AGAIN_S

    def new(self) -> list[tuple[str, str]]:
        """(feed, body) of every report stored since the last call, oldest first (at most BATCH)."""
        try:
            conn = self._open()
            if conn is None:
                return []
            if self._cursor is None:
                row = conn.execute(
                    "SELECT coalesce(min(id) - 1, (SELECT coalesce(max(id), 0) FROM report_inbox)) "
                    "FROM report_inbox WHERE received_at >= ?",
                    (self._since,),
                ).fetchone()
                self._cursor = int(row[0])
            rows = conn.execute(
                "SELECT id, feed, body FROM report_inbox WHERE id > ? ORDER BY id LIMIT ?",
                (self._cursor, BATCH),
            ).fetchall()
        except sqlite3.Error as error:  # a store not yet made or migrated: nothing yet, tried again
            log.debug("the feed store's report inbox cannot be read yet: %s", error)
            return []
        if rows:
            self._cursor = int(rows[-1][0])
        return [
            (str(feed), body if isinstance(body, str) else bytes(body).decode()) for _, feed, body in rows
        ]

    def _open(self) -> sqlite3.Connection | None:
        if self._conn is None and self.path.exists():
            self._conn = open_read_only(self.path, live=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(frozen=True, slots=True)
class Signals:
    """What a stored feed event says beyond its display fields: the device it names, whether its alarm
    cleared, and a CAP warning's own part (areas, expiry)."""

    device: str | None = None
    cleared: bool = False
    cap: dict[str, Any] | None = None


class EventSignals:
    """The device, all-clear and CAP part of stored feed events, read from the seat's feed store (the
    views' flattened events do not carry them) — many events in one query."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def of(self, keys: list[tuple[str, str, int]]) -> dict[tuple[str, str, int], Signals]:
        """By (source, event id, revision), for those of `keys` that say any of it."""
        found: dict[tuple[str, str, int], Signals] = {}
        if not keys:
            return found
        try:
            if self._conn is None:
                if not self.path.exists():
                    return found
                self._conn = open_read_only(self.path, live=True)
            for first in range(0, len(keys), 300):  # three variables a key, well under SQLite's limit
                part = keys[first : first + 300]
                marks = ", ".join("(?, ?, ?)" for _ in part)
                rows = self._conn.execute(
                    "SELECT source, event_id, revision, json_extract(CAST(payload AS TEXT), '$.device'), "
                    "json_extract(CAST(payload AS TEXT), '$.cleared'), "
                    "json_extract(CAST(payload AS TEXT), '$.cap') FROM events "
                    f"WHERE (source, event_id, revision) IN (VALUES {marks})",
                    [value for key in part for value in key],
                ).fetchall()
                for source, event_id, revision, device, cleared, cap in rows:
                    signals = _signals(device, cleared, cap)
                    if signals != Signals():
                        found[(str(source), str(event_id), int(revision))] = signals
        except sqlite3.Error as error:
            log.debug("the feed store's events cannot be read yet: %s", error)
        return found

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _signals(device: object, cleared: object, cap: object) -> Signals:
    """As discovery reads the device and all-clear (episodes.read_signal), and the CAP part as stored."""
    name = device if isinstance(device, str) and 0 < len(device) <= 128 else None
    part = None
    if isinstance(cap, str):
        with contextlib.suppress(ValueError):
            decoded = json.loads(cap)
            part = decoded if isinstance(decoded, dict) else None
    return Signals(name, cleared == 1, part)


class PositionTail:
    """The units' live positions a seat's feed stored (its feed store's track, in arrival order), for the
    seat's own map and recommendations: positions are not case data, so they stay off the log and are
    copied into the seat's replica as its own records (a snapshot leaves them out)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._cursor: int | None = None

    def new(self) -> list[PositionFix]:
        """The fixes stored since the last call (at first: every unit's latest), at most BATCH * 10."""
        try:
            if self._conn is None:
                if not self.path.exists():
                    return []
                self._conn = open_read_only(self.path, live=True)
            conn = self._conn
            if self._cursor is None:
                self._cursor = int(conn.execute("SELECT coalesce(max(id), 0) FROM unit_track").fetchone()[0])
                rows = conn.execute(
                    "SELECT unit, lon, lat, heading, speed_kmh, status, at FROM unit_positions"
                ).fetchall()
            else:
                found = conn.execute(
                    "SELECT id, unit, lon, lat, heading, speed_kmh, status, at FROM unit_track WHERE id > ? "
                    "ORDER BY id LIMIT ?",
                    (self._cursor, BATCH * 10),
                ).fetchall()
                if found:
                    self._cursor = int(found[-1][0])
                rows = [row[1:] for row in found]
        except sqlite3.Error as error:  # a store not yet made or migrated: nothing yet, tried again
            log.debug("the feed store's positions cannot be read yet: %s", error)
            return []
        return [
            PositionFix(
                0, str(unit), float(lon), float(lat), heading, speed, str(status), float(at), float(at)
            )
            for unit, lon, lat, heading, speed, status, at in rows
        ]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
