"""The SQLite store: opening in WAL mode, versioned schema migrations, and the reads the views need."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import platformdirs
import sqlite_utils

from core.clock import iso_utc
from dispatch.casework.records.account_log import migrate_account_log
from dispatch.casework.records.clusters import migrate_duplicate_cells, migrate_duplicate_clusters
from dispatch.casework.records.episodes import migrate_episodes
from dispatch.casework.records.failures import migrate_failed_items
from dispatch.casework.records.levels import migrate_levels
from dispatch.feed.values import MetricSample, StorageTrouble, StoredEvent
from dispatch.store.case_schema import migrate_audit_changes, migrate_closed_loop, migrate_sign_in_throttle
from dispatch.store.positions import migrate_unit_positions
from dispatch.store.read_only import open_read_only as open_read_only  # audits and exports open it from here

APP_NAME = "tianshu"
_log = logging.getLogger(__name__)
EXPORT_TABLES = ("events", "quarantine")
# The store holds password hashes and case files: only its owner reads it. SQLite gives the -wal and
# -shm files it creates the mode of the database file.
STORE_MODE = 0o600
_TROUBLES = {
    sqlite3.SQLITE_FULL: StorageTrouble.FULL,
    sqlite3.SQLITE_IOERR: StorageTrouble.IO_ERROR,
    sqlite3.SQLITE_READONLY: StorageTrouble.IO_ERROR,
    sqlite3.SQLITE_CANTOPEN: StorageTrouble.IO_ERROR,
    sqlite3.SQLITE_BUSY: StorageTrouble.BUSY,
    sqlite3.SQLITE_LOCKED: StorageTrouble.BUSY,
    sqlite3.SQLITE_PROTOCOL: StorageTrouble.BUSY,
}


class StoreError(Exception):
    """The store cannot be opened or is from a newer Tianshu."""


def default_db_path() -> Path:
    """Where the store lives when the operator does not choose (per-user data directory)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "tianshu.sqlite3"


def _m1_intake(db: sqlite_utils.Database) -> None:
    db.table("events").create(
        {
            "id": int,
            "source": str,
            "event_id": str,
            "revision": int,
            "feed": str,
            "seq": int,
            "received_at": float,
            "occurred_at": float,
            "category": str,
            "severity": int,
            "title": str,
            "description": str,
            "lon": float,
            "lat": float,
            "address": str,
            "grid": str,
            "camera_id": str,
            "exercise": int,
            "cancelled": int,
            "duplicates": int,
            "payload": str,
        },
        pk="id",
        not_null={"source", "event_id", "revision", "feed", "seq", "received_at", "occurred_at", "payload"},
        defaults={"duplicates": 0},
    )
    db.table("events").create_index(["source", "event_id", "revision"], unique=True)
    db.table("events").create_index(["received_at"])
    db.table("quarantine").create(
        {
            "id": int,
            "feed": str,
            "received_at": float,
            "seq": int,
            "reason": str,
            "detail": str,
            "raw": str,
            "raw_size": int,
        },
        pk="id",
    )
    db.table("quarantine").create_index(["received_at"])
    db.table("metrics").create(
        {
            "id": int,
            "feed": str,
            "seq": int,
            "name": str,
            "value": float,
            "unit": str,
            "at": float,
            "labels": str,
        },
        pk="id",
    )
    db.table("metrics").create_index(["name", "at"])
    db.table("feed_state").create({"feed": str, "last_seq": int, "updated_at": float}, pk="feed")
    db.table("gaps").create(
        {"id": int, "feed": str, "after_seq": int, "head": int, "reason": str, "at": float}, pk="id"
    )


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _m1_intake,
    migrate_closed_loop,
    migrate_sign_in_throttle,
    migrate_duplicate_clusters,
    migrate_failed_items,
    migrate_audit_changes,
    migrate_account_log,
    migrate_episodes,
    migrate_unit_positions,
    migrate_duplicate_cells,
    migrate_levels,
)
SCHEMA_VERSION = len(MIGRATIONS)


def storage_trouble(error: BaseException) -> StorageTrouble | None:
    """The storage condition behind a SQLite error (waited out, not fatal), or None for any other error."""
    cause = error.__cause__ if isinstance(error, StoreError) else error
    code = getattr(cause, "sqlite_errorcode", None)
    return None if code is None else _TROUBLES.get(code & 0xFF)


def open_store(path: Path, *, check_same_thread: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the store at `path`, in WAL mode, migrated to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _keep_private(path)
    try:
        # Absolute, because this SQLite reads a file name that starts with "file:" as a URI.
        conn = sqlite3.connect(
            path.absolute(), isolation_level=None, check_same_thread=check_same_thread, timeout=10
        )
        db = sqlite_utils.Database(conn)
        db.enable_wal()
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(db)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"cannot open the store {path}: {error}") from error
    return db


def _keep_private(path: Path) -> None:
    """Create the store file readable by its owner only, before SQLite writes a byte into it. A store of
    ours from before this rule that every user of the machine could read loses those rights (a group the
    owner chose keeps its access)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, STORE_MODE))
        return
    except FileExistsError:
        pass
    except OSError as error:
        raise StoreError(f"cannot create the store {path}: {error.strerror or error}") from error
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            status = file.stat()
            if status.st_uid == os.geteuid() and status.st_mode & 0o007:
                file.chmod(stat.S_IMODE(status.st_mode) & ~0o007)
                _log.warning("%s was readable by every user of this machine; now it is not", file)
        except OSError:
            continue  # absent, or on media we cannot change


def _migrate(db: sqlite_utils.Database) -> None:
    version = _schema_version(db)
    if version > SCHEMA_VERSION:
        raise StoreError(f"store schema {version} is newer than this Tianshu understands ({SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another connection (the feed thread, the desk thread) may have migrated while we waited
            # for the write lock: read the version again under the lock.
            version = _schema_version(db)
            if version < SCHEMA_VERSION:
                MIGRATIONS[version](db)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            # A full disk or an I/O error has already rolled the transaction back: keep its error.
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise


def _schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def read_cursor(db: sqlite_utils.Database, feed: str) -> int | None:
    """The last seq applied from `feed`, or None when nothing has been applied yet."""
    row = db.execute("SELECT last_seq FROM feed_state WHERE feed = ?", [feed]).fetchone()
    return None if row is None else int(row[0])


EVENT_COLUMNS = (
    "source, event_id, revision, seq, received_at, occurred_at, category, severity, title, "
    "description, lon, lat, address, grid, camera_id, exercise, cancelled"
)


def event_from_row(row: tuple[Any, ...]) -> StoredEvent:
    """A StoredEvent from a row selected with EVENT_COLUMNS."""
    return StoredEvent(
        source=row[0],
        event_id=row[1],
        revision=row[2],
        seq=row[3],
        received_at=row[4],
        occurred_at=row[5],
        category=row[6],
        severity=row[7],
        title=row[8],
        description=row[9],
        lon=row[10],
        lat=row[11],
        address=row[12],
        grid=row[13],
        camera_id=row[14],
        exercise=bool(row[15]),
        cancelled=bool(row[16]),
    )


def load_recent_events(db_path: Path, limit: int) -> list[StoredEvent]:
    """The newest `limit` stored revisions, oldest first (blocking: call from an executor)."""
    if not db_path.exists():
        return []
    db = open_store(db_path)
    try:
        rows = db.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY id DESC LIMIT ?", [limit]).fetchall()
    finally:
        db.close()
    return [event_from_row(row) for row in reversed(rows)]


def load_recent_metrics(db_path: Path, since: float, limit: int = 50_000) -> list[MetricSample]:
    """Vital-sign readings taken at or after `since`, in arrival order, at most the newest `limit`
    (blocking). Rows are read newest first by rowid, so a long history costs nothing."""
    if not db_path.exists():
        return []
    db = open_store(db_path)
    try:
        rows = db.execute(
            "SELECT seq, name, value, at, unit, labels FROM metrics ORDER BY id DESC LIMIT ?", [limit]
        ).fetchall()
    finally:
        db.close()
    samples = []
    for seq, name, value, at, unit, labels in reversed(rows):
        if at >= since:
            pairs = tuple(sorted(msgspec.json.decode(labels).items())) if labels else ()
            samples.append(MetricSample(seq, name, value, at, unit, pairs))
    return samples


def count_events_since(db_path: Path, since: float) -> int:
    """Event revisions received at or after `since`; 0 before the store exists (blocking)."""
    if not db_path.exists():
        return 0
    db = open_store(db_path)
    try:
        row = db.execute("SELECT count(*) FROM events WHERE received_at >= ?", [since]).fetchone()
    finally:
        db.close()
    return int(row[0])


def export_rows(db: sqlite_utils.Database | sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """Rows of an exportable table in arrival order, as plain JSON-ready dicts."""
    if table == "events":
        for payload, seq, revision, received_at in db.execute(
            "SELECT payload, seq, revision, received_at FROM events ORDER BY id"
        ):
            row: dict[str, Any] = msgspec.json.decode(payload)
            row.update(seq=seq, revision=revision, received_at=iso_utc(received_at))
            yield row
    elif table == "quarantine":
        for received_at, seq, reason, detail, raw, raw_size in db.execute(
            "SELECT received_at, seq, reason, detail, raw, raw_size FROM quarantine ORDER BY id"
        ):
            yield {
                "received_at": iso_utc(received_at),
                "seq": seq,
                "reason": reason,
                "detail": detail,
                "raw_size": raw_size,
                "raw": raw,
            }
    else:
        raise ValueError(f"cannot export table {table!r}; choose one of {', '.join(EXPORT_TABLES)}")
