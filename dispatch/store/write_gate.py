"""One write gate per store file in this process: the feed writer and the desk take turns at SQLite's single
write lock through it, handed over the moment it is free."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

_GATES: dict[str, threading.RLock] = {}
_GATES_LOCK = threading.Lock()


def write_gate(path: Path | str) -> threading.RLock:
    """The gate for the store at `path` (the same object for every spelling of the same file).

    SQLite's busy handler polls a locked database with sleeps growing to 100 ms, so a writer that waits
    on another connection in this process wakes up long after the lock was freed, and a second writer
    stepping aside for a moment is never noticed. Waiting on this lock instead wakes the next writer as
    soon as the holder commits. Connections in other processes still meet at SQLite's own lock.
    """
    key = os.path.realpath(path)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = threading.RLock()
        return gate


def gate_for(conn: sqlite3.Connection) -> threading.RLock:
    """The gate of the file `conn` writes to; a private one for an in-memory or temporary database."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return write_gate(file)
    return threading.RLock()
