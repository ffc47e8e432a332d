"""Which cases changed since this console last looked: audit rows past its watermark, and SQLite's
data_version to tell, for free, whether another connection wrote at all."""

from __future__ import annotations

import sqlite3

from dispatch.changes import CasesChanged, Origin


class ChangeTracker:
    """On the loop's thread: the newest audit row this console has accounted for.

    Every change to a case writes exactly one audit row, so the rows past the watermark are the changes
    not yet published. `PRAGMA data_version` moves only when another connection commits; while it stands
    still, nothing was written elsewhere and the audit is not even read.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.mark = _newest(conn)
        self._version = _data_version(conn)

    def collect(self, origin: Origin) -> CasesChanged:
        """The changes past the watermark, all credited to `origin`; the watermark moves past them."""
        rows = self._conn.execute(
            "SELECT max(id), case_id, action FROM audit WHERE id > ? GROUP BY case_id, action", (self.mark,)
        ).fetchall()
        changes = CasesChanged.from_rows(self.mark, ((r[0], r[1], r[2]) for r in rows), origin)
        self.mark = changes.mark
        return changes

    def collect_elsewhere(self) -> CasesChanged:
        """What other processes (other consoles on this store) changed since the last look."""
        version = _data_version(self._conn)
        if version == self._version:
            return CasesChanged(self.mark)
        self._version = version
        return self.collect(Origin.ELSEWHERE)


def _newest(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0])


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])
