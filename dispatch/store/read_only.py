"""The one way to open the store read-only: a URI built safely from any path, and read-only media handled."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote_from_bytes


def read_only_uri(path: Path, *, immutable: bool = False) -> str:
    """The SQLite URI that opens exactly the file at `path`, read-only.

    In a URI `?` starts the options, `#` a fragment and `%` an escape, so a file name holding any of them
    (or a space, or a name that itself begins with "file:") must be percent-escaped byte by byte, or SQLite
    opens another file or none. The path is made absolute (symbolic links followed, as the system would)
    so that its name can never be read as a scheme; "file://" with an empty authority keeps a path that
    starts with "//" a path.
    """
    name = quote_from_bytes(os.fsencode(path.resolve()), safe="/")
    return f"file://{name}?mode=ro" + ("&immutable=1" if immutable else "")


def open_read_only(path: Path, *, live: bool = False) -> sqlite3.Connection:
    """A connection that cannot change the store, also on read-only media (for audits and exports).

    SQLite reads a WAL store through its -shm file, which it cannot create on read-only media: a store
    without a pending write-ahead log is then opened immutable. One whose -wal holds changes (copied
    while in use) needs its -shm beside it; refusing is better than a silently older picture.

    `live` is for readers that follow a store another connection keeps writing (the outbox, the
    evaluation): an immutable connection would never see a new row, so they get the error instead.
    """
    conn = _checked(sqlite3.connect(read_only_uri(path), uri=True))
    if isinstance(conn, sqlite3.Connection):
        return conn
    error = conn
    if live or error.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
        raise error
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise sqlite3.OperationalError(
            f"{error}: its write-ahead log {wal.name} holds changes that cannot be read without "
            f"{path.name}-shm on read-only media; copy the store with its -wal to writable storage"
        ) from error
    frozen = _checked(sqlite3.connect(read_only_uri(path, immutable=True), uri=True))
    if isinstance(frozen, sqlite3.Connection):
        return frozen
    raise frozen


def _checked(conn: sqlite3.Connection) -> sqlite3.Connection | sqlite3.OperationalError:
    """`conn` once it has really read the file (SQLite opens lazily), else closed and its error."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        conn.close()
        return error
    except sqlite3.Error:
        conn.close()
        raise
    except UnicodeDecodeError as error:
        # A damaged schema is named in SQLite's message; where that name is not UTF-8, Python's sqlite3
        # raises this instead of DatabaseError, and a corrupt file must fail like any other.
        conn.close()
        raise sqlite3.DatabaseError(bytes(error.object).decode(errors="replace")) from None
    return conn
