"""What the wall reads from the store, read-only: new readings, open cases, severe ones, warnings, crew."""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from dispatch.casework.readouts import (
    CHECK_CLOCK_STATES,
    HANDLE_CLOCK_STATES,
    REGISTER_CLOCK_STATES,
    SEVERE_MAX,
    QueueRow,
)
from dispatch.casework.records.queue import severe_unacknowledged
from dispatch.casework.records.warning_areas import warning_areas
from dispatch.feed.values import MetricSample
from dispatch.store.read_only import open_read_only
from widgets.situation.map_marks import IncidentMarks
from widgets.wall.case_board import CaseFigures
from widgets.wall.warnings_panel import WarningInForce

# At most this many readings per beat: a wall that was off for a day catches up over a few beats
# instead of freezing for one.
READINGS_PER_BEAT = 20_000
WARNINGS_MAX = 20
# The wall's maps show at most this many open cases (the desk's map shows them all).
MARKS_MAX = 5_000
# An unchanged store is read again this often anyway: time alone makes cases overdue and warnings expire.
REREAD_S = 30.0
# A CAP warning without an expiry stays in force this long after it was sent.


@dataclass(frozen=True, slots=True)
class WallReading:
    """One beat's look at the store."""

    metrics: tuple[MetricSample, ...]
    cases: CaseFigures
    severe: tuple[QueueRow, ...]
    warnings: tuple[WarningInForce, ...]
    on_duty: tuple[str, ...]
    newest_reading_at: float | None
    places: tuple[tuple[int, float, float], ...] = ()  # (case id, lon, lat) of the severe cases placed
    # Open cases with a position, for the maps: (id, lon, lat, level, opened at, last word at).
    marks: tuple[tuple[str, float, float, int, float, None, float], ...] = ()
    # The same as the maps' columns, made on the reader's thread (5,000 rows: ~7 ms the GUI thread keeps).
    mark_columns: IncidentMarks | None = None
    # A drill store (it holds a drill's runs): the wall shows its exercise rows, marked as a drill.
    exercise: bool = False


def _states(states: frozenset[object]) -> str:
    return ", ".join(f"'{state}'" for state in sorted(str(s) for s in states))


# The running stage's deadline, as dispatch.casework.readouts.current_due chooses it.
_DUE = (
    f"CASE WHEN state IN ({_states(REGISTER_CLOCK_STATES)}) THEN register_due "
    f"WHEN state IN ({_states(HANDLE_CLOCK_STATES)}) THEN handle_due "
    f"WHEN state IN ({_states(CHECK_CLOCK_STATES)}) THEN check_due END"
)
_FIGURES = (
    f"SELECT severity, district, card >= 2, coalesce({_DUE} < ?, 0), count(*) FROM cases "
    "WHERE is_open = 1 AND exercise = ? GROUP BY 1, 2, 3, 4"
)


class StoreReader:
    """Reads on one thread (the wall's store executor) through a connection that cannot write."""

    def __init__(self, db_path: Path, history_s: float) -> None:
        self._path = db_path
        self._history_s = history_s
        self._conn: sqlite3.Connection | None = None
        self._last_metric_id: int | None = None
        self._last: WallReading | None = None
        self._version = -1
        self._read_at = -math.inf

    def read(self, now: float) -> WallReading:
        """Everything the wall shows at `now` (blocking); a store not created yet reads as empty.

        A store no other connection has changed since the last look (PRAGMA data_version) is not queried
        again, except every REREAD_S for what the clock alone changes (overdue cases, expired warnings).
        """
        conn = self._connect()
        if conn is None or not _has_tables(conn):
            return WallReading((), CaseFigures((0, 0, 0, 0), (), 0, 0), (), (), (), None)
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        last = self._last
        if last is not None and version == self._version and now - self._read_at < REREAD_S:
            return dataclasses.replace(last, metrics=())
        metrics = self._new_metrics(conn, now)
        newest = conn.execute("SELECT max(at) FROM metrics").fetchone()[0]
        # A drill's store: the wall shows the drill (its rows are all exercise), never an empty real city.
        drill = _is_drill_store(conn)
        severe = severe_unacknowledged(conn, now, exercise=drill)
        marks = _marks(conn, drill)
        self._last = WallReading(
            metrics,
            _figures(conn, now, drill),
            severe,
            _warnings(conn, now, drill),
            _on_duty(conn),
            float(newest) if newest is not None else None,
            _places(conn, [row.id for row in severe]),
            marks,
            IncidentMarks.of(marks),
            drill,
        )
        self._version, self._read_at = version, now
        return self._last

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self._path.exists():
                return None
            self._conn = open_read_only(self._path, live=True)
        return self._conn

    def _new_metrics(self, conn: sqlite3.Connection, now: float) -> tuple[MetricSample, ...]:
        if self._last_metric_id is None:
            # First look: the history the trends show, newest rows first so a long store costs nothing.
            rows = conn.execute(
                "SELECT id, seq, name, value, at, unit, labels FROM metrics ORDER BY id DESC LIMIT ?",
                (READINGS_PER_BEAT,),
            ).fetchall()
            rows.reverse()
            rows = [row for row in rows if row[4] >= now - self._history_s]
            last = conn.execute("SELECT max(id) FROM metrics").fetchone()[0]
            self._last_metric_id = int(last or 0)
        else:
            rows = conn.execute(
                "SELECT id, seq, name, value, at, unit, labels FROM metrics WHERE id > ? ORDER BY id LIMIT ?",
                (self._last_metric_id, READINGS_PER_BEAT),
            ).fetchall()
            if rows:
                self._last_metric_id = int(rows[-1][0])
        samples = []
        for _, seq, name, value, at, unit, labels in rows:
            try:
                pairs = (
                    tuple(sorted((str(k), str(v)) for k, v in json.loads(labels).items())) if labels else ()
                )
            except (ValueError, AttributeError):
                pairs = ()  # a row the wall cannot read loses its labels, not the beat
            samples.append(MetricSample(seq or 0, name, float(value), float(at), unit, pairs))
        return tuple(samples)


def _has_tables(conn: sqlite3.Connection) -> bool:
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"metrics", "cases", "events", "handovers"} <= names


def _is_drill_store(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'drill_runs'").fetchone()
    return row is not None


def _figures(conn: sqlite3.Connection, now: float, exercise: bool = False) -> CaseFigures:
    levels = [0, 0, 0, 0]
    districts: dict[str, int] = {}
    overdue = supervised = 0
    for severity, district, carded, late, count in conn.execute(_FIGURES, (now, int(exercise))):
        levels[min(max(int(severity), 1), 4) - 1] += count
        districts[district] = districts.get(district, 0) + count
        supervised += count if carded else 0
        overdue += count if late else 0
    busiest = tuple(sorted(districts.items(), key=lambda item: (-item[1], item[0])))
    return CaseFigures((levels[0], levels[1], levels[2], levels[3]), busiest, overdue, supervised)


def _warnings(conn: sqlite3.Connection, now: float, exercise: bool = False) -> tuple[WarningInForce, ...]:
    """CAP warnings whose newest revision is neither cancelled nor expired (read as the map reads them)."""
    return tuple(
        WarningInForce(w.title, w.area, w.severity, w.expires)
        for w in warning_areas(conn, now, exercise=exercise, limit=WARNINGS_MAX)
    )


def _places(conn: sqlite3.Connection, ids: list[int]) -> tuple[tuple[int, float, float], ...]:
    """Where the given cases are (those with a position), for the takeover's map and camera."""
    if not ids:
        return ()
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT id, lon, lat FROM cases WHERE id IN ({marks}) AND lon IS NOT NULL AND lat IS NOT NULL", ids
    )
    return tuple((int(case_id), float(lon), float(lat)) for case_id, lon, lat in rows)


def _marks(
    conn: sqlite3.Connection, exercise: bool = False
) -> tuple[tuple[str, float, float, int, float, None, float], ...]:
    """Open cases with a position, the most severe and newest first, at most MARKS_MAX of them."""
    rows = conn.execute(
        "SELECT id, lon, lat, severity, discovered_at, updated_at FROM cases INDEXED BY cases_queue "
        "WHERE is_open = 1 AND exercise = ? AND lon IS NOT NULL AND lat IS NOT NULL "
        "ORDER BY severity, discovered_at DESC LIMIT ?",
        (int(exercise), MARKS_MAX),
    )
    return tuple(
        (str(case_id), float(lon), float(lat), int(level), float(opened), None, float(seen))
        for case_id, lon, lat, level, opened, seen in rows
    )


def _on_duty(conn: sqlite3.Connection) -> tuple[str, ...]:
    """Who took over the shift at the newest received handover (their name, else their login)."""
    row = conn.execute(
        "SELECT coalesce(o.name, h.received_by) FROM handovers AS h LEFT JOIN operators AS o "
        "ON o.login = h.received_by WHERE h.received_by IS NOT NULL ORDER BY h.received_at DESC LIMIT 1"
    ).fetchone()
    return (str(row[0]),) if row else ()


def is_severe(row: QueueRow) -> bool:
    return row.severity <= SEVERE_MAX
