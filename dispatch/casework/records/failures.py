"""Failed items of the periodic jobs: one item that raises is set aside with its error, the beat goes on."""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable
from typing import Protocol

from dispatch.casework.jobs import FailedItem, Job
from dispatch.store.savepoint import savepoint

log = logging.getLogger(__name__)

ERROR_CHARS = 500
# Faults of the store or the machine, not of one row: every other item would fail the same way, so the
# job stops for this beat (and runs again next time) instead of setting every item aside. A full disk, a
# lock held too long, a closed connection or no memory left are such faults.
ENVIRONMENT_FAULTS: tuple[type[BaseException], ...] = (
    sqlite3.InterfaceError,
    sqlite3.InternalError,
    sqlite3.ProgrammingError,
    MemoryError,
)
# An OSError is the machine's only for these: the C library also answers a row's time beyond what it can
# convert with one (EOVERFLOW from datetime.fromtimestamp), and that row must not stop the job.
_MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT, errno.ENOMEM, errno.EMFILE})
# SQLite's own words for those (primary result codes). Its generic SQLITE_ERROR is not among them: that is
# also what one row raises when SQL reads it (malformed JSON in a payload), and such a row must not stop
# the job at every beat.
_STORE_FAULT_CODES = frozenset(
    {
        sqlite3.SQLITE_ABORT, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL, sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM, sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_READONLY,
    }
)  # fmt: skip


def is_environment_fault(error: BaseException) -> bool:
    """True for a fault of the store or the machine (see ENVIRONMENT_FAULTS), False for one of an item."""
    if isinstance(error, ENVIRONMENT_FAULTS) or not isinstance(error, Exception):
        return True
    if isinstance(error, OSError):
        return error.errno in _MACHINE_ERRNOS
    if isinstance(error, sqlite3.OperationalError):
        code = getattr(error, "sqlite_errorcode", None)
        # Without a code (raised by the sqlite3 module itself) it is the connection's, not a row's.
        return code is None or (code & 0xFF) in _STORE_FAULT_CODES
    return False


class _Database(Protocol):
    """What the migration needs of sqlite_utils.Database (not imported: widgets read FailedItem from here)."""

    def execute(self, sql: str, /) -> object: ...


_DDL = """
CREATE TABLE failed_items (
    id INTEGER PRIMARY KEY,
    job TEXT NOT NULL,
    item TEXT NOT NULL,
    error TEXT NOT NULL,
    failed_at REAL NOT NULL,
    first_failed_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    retry INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job, item)
)
"""


def migrate_failed_items(db: _Database) -> None:
    """Schema migration: the failed items of the periodic jobs (runs inside the migration transaction)."""
    db.execute(_DDL)


def describe(error: BaseException) -> str:
    """What the operator reads: the exception's type and message, cut to a screenful."""
    text = str(error)
    return (f"{type(error).__name__}: {text}" if text else type(error).__name__)[:ERROR_CHARS]


def set_aside(conn: sqlite3.Connection, job: Job, item: str, error: BaseException, at: float) -> None:
    """Record that `item` failed in `job` (again: its attempts count up and a retry request is spent)."""
    conn.execute(
        "INSERT INTO failed_items (job, item, error, failed_at, first_failed_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (job, item) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at, "
        "attempts = attempts + 1, retry = 0",
        (job.value, item, describe(error), at, at),
    )
    log.warning("%s: item %s set aside: %s", job.value, item, describe(error), exc_info=error)


def clear(conn: sqlite3.Connection, job: Job, item: str) -> None:
    """The item went through (on a retry): it is no longer a failed item."""
    conn.execute("DELETE FROM failed_items WHERE job = ? AND item = ?", (job.value, item))


def clear_retried(conn: sqlite3.Connection, job: Job) -> None:
    """Every item of `job` an operator asked to retry went through (jobs whose items are not rows)."""
    conn.execute("DELETE FROM failed_items WHERE job = ? AND retry = 1", (job.value,))


def attempt(
    conn: sqlite3.Connection, job: Job, item: str, work: Callable[[], object], at: float
) -> BaseException | None:
    """Run `work` for one item inside the caller's transaction, in a savepoint of its own.

    When it raises, what it wrote is rolled back, the item is set aside and the error returned; the
    caller goes on with the next item. A fault of the store or the machine (is_environment_fault) is raised.
    """
    if not conn.in_transaction:
        raise RuntimeError("attempt() runs inside the job's transaction")
    try:
        with savepoint(conn, "job_item"):
            work()
    except BaseException as error:
        # Rolled back; a transaction SQLite ended by itself (a full disk) is over for the job too.
        if is_environment_fault(error) or not conn.in_transaction:
            raise
        set_aside(conn, job, item, error, at)
        return error
    return None


def set_aside_items(conn: sqlite3.Connection, job: Job) -> set[str]:
    """The items of `job` set aside and not asked to be retried (for jobs that select items by a query)."""
    rows = conn.execute("SELECT item FROM failed_items WHERE job = ? AND retry = 0", (job.value,))
    return {r[0] for r in rows}


def retries_due(conn: sqlite3.Connection, job: Job, limit: int = 100) -> list[str]:
    """Items of `job` an operator asked to try again, oldest failure first."""
    rows = conn.execute(
        "SELECT item FROM failed_items WHERE job = ? AND retry = 1 ORDER BY id LIMIT ?", (job.value, limit)
    )
    return [r[0] for r in rows]


def request_retry(conn: sqlite3.Connection, job: Job | None = None, item: str | None = None) -> int:
    """Ask for another try of one item, of a job's items, or of every failed item; how many were asked."""
    sql = "UPDATE failed_items SET retry = 1 WHERE retry = 0"
    params: list[str] = []
    if job is not None:
        sql += " AND job = ?"
        params.append(job.value)
    if item is not None:
        sql += " AND item = ?"
        params.append(item)
    return conn.execute(sql, params).rowcount


def failed_items(conn: sqlite3.Connection, limit: int = 50) -> tuple[FailedItem, ...]:
    """The failed items, latest failure first (the feed-health panel's list)."""
    rows = conn.execute(
        "SELECT id, job, item, error, failed_at, first_failed_at, attempts, retry FROM failed_items "
        "ORDER BY failed_at DESC, id DESC LIMIT ?",
        (limit,),
    )
    return tuple(
        FailedItem(
            int(r[0]), Job(r[1]), str(r[2]), str(r[3]), float(r[4]), float(r[5]), int(r[6]), bool(r[7])
        )
        for r in rows
        if r[1] in _JOBS
    )


def count_failed(conn: sqlite3.Connection) -> int:
    """How many items are set aside, in all jobs (the list shows only the latest)."""
    return int(conn.execute("SELECT count(*) FROM failed_items").fetchone()[0])


_JOBS = frozenset(j.value for j in Job)
