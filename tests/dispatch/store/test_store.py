"""The store and its writer thread: one transaction per batch, revisions, duplicates, cursor, migrations."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from dispatch.feed.protocol import DecodedEvent, decode_frame
from dispatch.feed.values import Gap, QuarantineEntry, QuarantineReason
from dispatch.store.database import (
    SCHEMA_VERSION,
    StoreError,
    export_rows,
    load_recent_events,
    open_store,
    read_cursor,
)
from dispatch.store.write_items import CommitResult, CursorItem, EventItem, GapItem, QuarantineItem
from dispatch.store.writer import StoreWriter

FEED = "ws://127.0.0.1:1/feed"


def decoded(seq: int, event_id: str = "e1", **overrides: Any) -> DecodedEvent:
    body = {
        "id": event_id,
        "source": "hotline",
        "category": "garbage_overflow",
        "title": "小区垃圾满溢",
        "severity": 4,
        "occurred_at": "2026-11-21T09:30:00+08:00",
        **overrides,
    }
    result = decode_frame(json.dumps({"type": "event", "seq": seq, "event": body}))
    assert isinstance(result, DecodedEvent)
    return result


class Recorder:
    def __init__(self) -> None:
        self.results: list[CommitResult] = []

    def __call__(self, result: CommitResult) -> None:
        self.results.append(result)

    def events(self) -> list[tuple[str, int]]:
        return [(e.event_id, e.revision) for r in self.results for e in r.events]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


def write(db_path: Path, *items: Any) -> Recorder:
    recorder = Recorder()
    writer = StoreWriter(db_path, FEED, recorder)
    for item in items:
        writer.submit(item)
    assert writer.flush(10)
    writer.close()
    return recorder


def test_store_is_wal_and_migrated(db_path: Path) -> None:
    db = open_store(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"events", "quarantine", "metrics", "feed_state", "gaps"} <= set(db.table_names())
    db.close()
    open_store(db_path).close()  # reopening an up-to-date store is a no-op


def test_store_from_a_newer_tianshu_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(db_path)


def test_changed_content_is_a_new_revision_and_identical_copy_a_duplicate(db_path: Path) -> None:
    recorder = write(
        db_path,
        EventItem(decoded(1), 1.0),
        EventItem(decoded(2), 2.0),
        EventItem(decoded(3, title="小区垃圾满溢，已发臭"), 3.0),
        EventItem(decoded(4, event_id="e2"), 4.0),
    )
    assert recorder.events() == [("e1", 1), ("e1", 2), ("e2", 1)]
    assert sum(r.duplicates for r in recorder.results) == 1
    db = open_store(db_path)
    assert db.execute("SELECT revision, duplicates FROM events WHERE event_id = 'e1'").fetchall() == [
        (1, 1),
        (2, 0),
    ]
    assert read_cursor(db, FEED) == 4


def test_identity_survives_a_restart_of_the_writer(db_path: Path) -> None:
    write(db_path, EventItem(decoded(1), 1.0))
    recorder = write(db_path, EventItem(decoded(2), 2.0), EventItem(decoded(3, severity=2), 3.0))
    assert recorder.events() == [("e1", 2)]
    assert recorder.results[-1].duplicates == 1


def test_same_id_from_another_source_is_another_event(db_path: Path) -> None:
    recorder = write(db_path, EventItem(decoded(1), 1.0), EventItem(decoded(2, source="grid"), 2.0))
    assert recorder.events() == [("e1", 1), ("e1", 1)]


def test_cursor_moves_with_quarantine_skips_and_resets(db_path: Path) -> None:
    entry = QuarantineEntry(5.0, QuarantineReason.NOT_JSON, "bad", "{", 1, seq=7)
    write(db_path, EventItem(decoded(6), 1.0), QuarantineItem(entry), CursorItem(8))
    db = open_store(db_path)
    assert read_cursor(db, FEED) == 8
    db.close()
    write(db_path, GapItem(Gap(8, 3, "server restarted", 9.0)))
    db = open_store(db_path)
    assert read_cursor(db, FEED) == 3
    assert db.execute("SELECT after_seq, head, reason FROM gaps").fetchall() == [(8, 3, "server restarted")]


def test_export_keeps_every_field_plus_seq_and_received_at(db_path: Path) -> None:
    location = {"lon": 120.1, "lat": 30.2, "address": "湖滨路1号"}
    write(db_path, EventItem(decoded(3, location=location, vendor_code="X9"), 1_795_000_000.5))
    db = open_store(db_path)
    (row,) = list(export_rows(db, "events"))
    assert row["location"] == location
    assert row["vendor_code"] == "X9"
    assert row["seq"] == 3
    assert row["revision"] == 1
    assert row["received_at"].endswith("Z")
    assert row["occurred_at"] == "2026-11-21T09:30:00+08:00"


def test_recent_events_come_back_oldest_first(db_path: Path) -> None:
    write(db_path, *(EventItem(decoded(n, event_id=f"e{n}"), float(n)) for n in range(1, 8)))
    recent = load_recent_events(db_path, 3)
    assert [e.event_id for e in recent] == ["e5", "e6", "e7"]
    assert load_recent_events(db_path.with_name("absent.sqlite3"), 3) == []


def test_a_batch_is_one_transaction(db_path: Path) -> None:
    """The cursor never runs ahead of the rows: a failing batch leaves neither behind."""
    write(db_path, EventItem(decoded(1), 1.0))
    db = open_store(db_path)
    # A trigger that fails the second insert makes the whole batch roll back.
    db.execute(
        "CREATE TRIGGER fail_e3 BEFORE INSERT ON events WHEN NEW.event_id = 'e3' "
        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    db.close()
    recorder = Recorder()
    writer = StoreWriter(db_path, FEED, recorder)
    writer.submit(EventItem(decoded(2, event_id="e2"), 2.0))
    writer.submit(EventItem(decoded(3, event_id="e3"), 3.0))
    assert not writer.flush(10)
    writer.close()
    assert isinstance(writer.failure, sqlite3.IntegrityError)
    db = open_store(db_path)
    assert read_cursor(db, FEED) == 1
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_threads_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    """Regression: the feed thread and the desk thread both create the store on first start."""
    path = tmp_path / "fresh.sqlite3"
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            open_store(path).close()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    db = open_store(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
