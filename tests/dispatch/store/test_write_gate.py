"""The write gate: the feed writer and the desk of one process take turns at the store through one lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.clock import ManualClock
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store
from dispatch.store.write_gate import gate_for, write_gate
from dispatch.store.write_items import EventItem
from dispatch.store.writer import StoreWriter
from tests.dispatch.casework.policies import POLICY
from tests.dispatch.feed.test_pipeline_batches import FEED, decoded


def stored(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def test_every_spelling_of_a_store_file_shares_one_gate(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = open_store(path)
    try:
        assert write_gate(path) is write_gate(tmp_path / "." / "s.sqlite3")
        assert gate_for(db.conn) is write_gate(str(path))
        assert write_gate(tmp_path / "other.sqlite3") is not write_gate(path)
    finally:
        db.close()
    memory = sqlite3.connect(":memory:")
    assert gate_for(memory) is not gate_for(sqlite3.connect(":memory:"))
    memory.close()


def test_the_feed_writer_waits_at_the_gate_not_in_sqlites_busy_loop(tmp_path: Path) -> None:
    """The gate alone (no SQLite lock taken) holds the writer back: it queues behind the desk there."""
    path = tmp_path / "s.sqlite3"
    writer = StoreWriter(path, FEED, lambda result: None)
    try:
        with write_gate(path):
            writer.submit(EventItem(decoded(1, 1), 0.0))
            assert not writer.flush(0.3)
            assert stored(path) == 0
        assert writer.flush(10)
        assert stored(path) == 1
    finally:
        writer.close()


def test_the_feed_writer_commits_once_the_desk_has_finished_writing(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    writer = StoreWriter(path, FEED, lambda result: None)
    db = open_store(path)
    desk = CaseDesk(db.conn, Timers(POLICY), ManualClock(0.0))
    try:
        with desk.transaction():
            writer.submit(EventItem(decoded(1, 1), 0.0))
            assert not writer.flush(0.3)
            assert stored(path) == 0
        assert writer.flush(10)
        assert stored(path) == 1
        assert writer.trouble is None
    finally:
        writer.close()
        db.close()
