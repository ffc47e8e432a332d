"""A savepoint inside the caller's transaction: what the block wrote is kept, or undone if it raised."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """`SAVEPOINT name` … `RELEASE name`; whatever the block raises rolls its writes back (and is raised
    again), so a refused entry or a failing item leaves nothing behind while the transaction goes on.
    SQLite may have rolled the whole transaction back already (a full disk): then there is no savepoint
    left to undo, and the block's error is raised as it was."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")
