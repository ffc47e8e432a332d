"""Small facts about the store file and the local day for the status bar."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path


def local_midnight(now: float) -> float:
    """The Unix time at which the local day containing `now` began."""
    local = time.localtime(now)
    return time.mktime((local.tm_year, local.tm_mon, local.tm_mday, 0, 0, 0, 0, 0, -1))


def file_size(db_path: Path) -> int | None:
    """The store's size on disk including its WAL, or None before it exists."""
    try:
        size = db_path.stat().st_size
    except FileNotFoundError:
        return None
    wal = db_path.with_name(db_path.name + "-wal")
    with contextlib.suppress(FileNotFoundError):
        size += wal.stat().st_size
    return size
