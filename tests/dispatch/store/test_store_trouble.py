"""The store writer on a full disk: it waits, keeps batch and cursor, and stores everything exactly once."""

from __future__ import annotations

import itertools
import json
import resource
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dispatch.store.write_retry as write_retry
import dispatch.store.writer as store_writer
from dispatch.feed.protocol import DecodedEvent, decode_frame
from dispatch.feed.values import QuarantineEntry, QuarantineReason, StorageTrouble
from dispatch.store.database import (
    MIGRATIONS,
    SCHEMA_VERSION,
    StoreError,
    open_store,
    read_cursor,
    storage_trouble,
)
from dispatch.store.read_only import open_read_only
from dispatch.store.write_items import CommitResult, CursorItem, EventItem, QuarantineItem, WriteItem
from dispatch.store.writer import StoreWriter

FEED = "ws://127.0.0.1:1/feed"
ROOT = Path(__file__).resolve().parents[3]


def decoded(seq: int, event_id: str, title: str) -> DecodedEvent:
    body = {
        "id": event_id,
        "source": "hotline",
        "category": "garbage_overflow",
        "title": title,
        "description": "满溢" * 60,  # a few hundred bytes, as real reports carry: pages fill quickly
        "severity": 4,
        "occurred_at": "2026-11-21T09:30:00+08:00",
    }
    result = decode_frame(json.dumps({"type": "event", "seq": seq, "event": body}))
    assert isinstance(result, DecodedEvent)
    return result


class SmallDisk:
    """Opens the store as the writer does, but the first `full_opens` connections may grow the file by
    only `pages` pages (SQLite's max_page_count: SQLITE_FULL, as on a full device); later ones freely."""

    def __init__(self, pages: int, full_opens: int) -> None:
        self.pages = pages
        self.full_opens = full_opens
        self.opens = 0

    def open(self, path: Path, **options: Any) -> sqlite_utils.Database:
        db = open_store(path, **options)
        self.opens += 1
        if self.opens <= self.full_opens:
            count = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {count + self.pages}")
        return db


class Troubles:
    """What the writer reported about the store, in order (called on the writer thread)."""

    def __init__(self) -> None:
        self.seen: list[StorageTrouble | None] = []
        self.lock = threading.Lock()

    def __call__(self, trouble: StorageTrouble | None, detail: str) -> None:
        with self.lock:
            self.seen.append(trouble)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_retry, "RETRY_FIRST_S", 0.001)
    monkeypatch.setattr(write_retry, "RETRY_CAP_S", 0.01)


def run_writer(path: Path, items: list[WriteItem], troubles: Troubles | None = None) -> list[CommitResult]:
    results: list[CommitResult] = []
    writer = StoreWriter(path, FEED, results.append, troubles)
    for item in items:
        writer.submit(item)
    assert writer.flush(30), writer.failure
    writer.close()
    assert writer.failure is None
    return results


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = open_store(path)
    try:
        return {
            "events": db.execute(
                "SELECT source, event_id, revision, seq, duplicates, payload FROM events ORDER BY id"
            ).fetchall(),
            "quarantine": db.execute("SELECT seq, reason, detail FROM quarantine ORDER BY id").fetchall(),
            "cursor": [(read_cursor(db, FEED),)],
            "integrity": db.execute("PRAGMA integrity_check").fetchall(),
        }
    finally:
        db.close()


def test_a_full_disk_mid_batch_is_waited_out_and_every_revision_is_stored_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: SQLite rolled the batch back itself, the writer's ROLLBACK then raised, and the cached
    revision numbers of the lost batch made the retry read rows that were never stored."""
    path = tmp_path / "store.sqlite3"
    open_store(path).close()
    disk = SmallDisk(pages=1, full_opens=3)
    monkeypatch.setattr(store_writer, "open_store", disk.open)
    items: list[WriteItem] = []
    for seq in range(1, 301):
        # Every id comes three times: new, a changed revision, then an identical repeat.
        event_id, round_ = f"e{seq % 100}", (seq - 1) // 100
        title = "积水" if round_ == 0 else "积水加深"
        items.append(EventItem(decoded(seq, event_id, title), float(seq)))
    troubles = Troubles()
    results = run_writer(path, items, troubles)

    assert troubles.seen[0] is StorageTrouble.FULL
    assert troubles.seen[-1] is None
    assert disk.opens > 3  # the writer reopened the store after the failures
    stored = contents(path)
    assert stored["integrity"] == [("ok",)]
    assert stored["cursor"] == [(300,)]
    revisions = sorted((row[1], row[2]) for row in stored["events"])
    assert revisions == sorted((f"e{n}", r) for n in range(100) for r in (1, 2))
    assert sum(row[4] for row in stored["events"]) == 100  # the identical third copies
    assert sum(r.stored for r in results) == 200


def three_rounds() -> list[WriteItem]:
    """300 frames: 100 ids, each new, then a changed revision, then an identical repeat."""
    items: list[WriteItem] = []
    for seq in range(1, 301):
        event_id, round_ = f"e{seq % 100}", (seq - 1) // 100
        title = "积水" if round_ == 0 else "积水加深"
        items.append(EventItem(decoded(seq, event_id, title), float(seq)))
    return items


def write_past_a_file_size_limit(path: str, room: int, full_opens: int) -> None:
    """In a child process: the store may grow only `room` bytes past its size (RLIMIT_FSIZE, the way a
    full device fails: at COMMIT, when SQLite appends to the WAL) until the writer has opened it
    `full_opens` times. Prints what the writer reported."""
    store = Path(path)
    limit = store.stat().st_size + room
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    opens = 0

    def open_with_room_later(where: Path, **options: Any) -> sqlite_utils.Database:
        nonlocal opens
        opens += 1
        if opens > full_opens:
            resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        return open_store(where, **options)

    store_writer.open_store = open_with_room_later  # type: ignore[attr-defined,assignment]
    write_retry.RETRY_FIRST_S, write_retry.RETRY_CAP_S = 0.001, 0.01
    troubles = Troubles()
    writer = StoreWriter(store, FEED, lambda result: None, troubles)
    for item in three_rounds():
        writer.submit(item)
    flushed = writer.flush(30)
    writer.close()
    seen = [None if t is None else t.value for t in troubles.seen]
    print(json.dumps({"flushed": flushed, "failure": repr(writer.failure), "troubles": seen, "opens": opens}))


@pytest.mark.slow
def test_a_device_that_fails_at_commit_is_waited_out_and_the_retry_stores_each_revision_once(
    tmp_path: Path,
) -> None:
    """Regression: SQLite had already rolled back the failed COMMIT, the writer's own ROLLBACK raised
    before it dropped the revision numbers cached for the lost batch, and the retry died on them."""
    roomy, tight = tmp_path / "roomy.sqlite3", tmp_path / "tight.sqlite3"
    run_writer(roomy, three_rounds())
    open_store(tight).close()
    # No room at all: the limit is per file, so the WAL may still grow to the size of the new store's file
    # and then fails at COMMIT. (With room to spare, a larger schema once made the limit miss the rounds.)
    code = (
        "from tests.dispatch.store.test_store_trouble import write_past_a_file_size_limit as run; "
        f"run({str(tight)!r}, room=0, full_opens=3)"
    )
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.splitlines()[-1])
    assert report["flushed"] is True, report
    assert report["failure"] == "None"
    assert report["troubles"][0] in ("full", "io_error")
    assert report["troubles"][-1] is None
    assert report["opens"] > 3
    assert contents(tight) == contents(roomy)


def test_the_cursor_stays_behind_what_a_full_disk_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the disk is full nothing commits, so the stored cursor still names the last stored frame."""
    path = tmp_path / "store.sqlite3"
    open_store(path).close()
    held = threading.Event()
    release = threading.Event()
    cursors: list[int | None] = []

    def report(trouble: StorageTrouble | None, detail: str) -> None:
        if trouble is StorageTrouble.FULL and not held.is_set():
            db = open_read_only(path, live=True)
            try:
                row = db.execute("SELECT last_seq FROM feed_state").fetchone()
            finally:
                db.close()
            cursors.append(None if row is None else row[0])
            held.set()
            release.wait(30)

    disk = SmallDisk(pages=2, full_opens=2)
    monkeypatch.setattr(store_writer, "open_store", disk.open)
    writer = StoreWriter(path, FEED, lambda result: None, report)
    for seq in range(1, 201):
        writer.submit(EventItem(decoded(seq, f"e{seq}", "积水"), float(seq)))
    assert held.wait(30)
    assert writer.trouble is StorageTrouble.FULL
    assert "full" in writer.trouble_detail
    release.set()
    assert writer.flush(30)
    writer.close()
    stored = contents(path)
    # What was committed before the disk filled is a prefix of the feed, and the cursor is its end.
    assert cursors[0] is None or cursors[0] < 200
    assert [row[3] for row in stored["events"]] == list(range(1, 201))
    assert stored["cursor"] == [(200,)]
    assert writer.trouble is None


def test_close_on_a_disk_that_stays_full_gives_up_without_moving_the_cursor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.sqlite3"
    open_store(path).close()
    monkeypatch.setattr(write_retry, "CLOSE_GRACE_S", 0.05)
    monkeypatch.setattr(store_writer, "open_store", SmallDisk(pages=0, full_opens=10**9).open)
    troubles = Troubles()
    writer = StoreWriter(path, FEED, lambda result: None, troubles)
    for seq in range(1, 201):
        writer.submit(EventItem(decoded(seq, f"e{seq}", "积水"), float(seq)))
    writer.close(timeout=30)
    assert isinstance(writer.failure, sqlite3.OperationalError)
    assert StorageTrouble.FULL in troubles.seen
    stored = contents(path)
    assert stored["integrity"] == [("ok",)]
    # Whatever committed before the disk filled is whole, and the cursor is exactly its end.
    seqs = [row[3] for row in stored["events"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert stored["cursor"] == [(seqs[-1] if seqs else None,)]
    assert len(seqs) < 200


ITEM = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 7), st.sampled_from(["积水", "积水加深", "积水退去"])),
    st.tuples(st.just("quarantine"), st.integers(0, 7), st.just("")),
    st.tuples(st.just("skip"), st.integers(0, 7), st.just("")),
)
_example = itertools.count()


def build(plan: list[tuple[str, int, str]]) -> list[WriteItem]:
    items: list[WriteItem] = []
    for seq, (kind, n, title) in enumerate(plan, start=1):
        if kind == "event":
            items.append(EventItem(decoded(seq, f"e{n}", title), float(seq)))
        elif kind == "quarantine":
            entry = QuarantineEntry(float(seq), QuarantineReason.NOT_JSON, f"bad {n}", "{", 1, seq)
            items.append(QuarantineItem(entry))
        else:
            items.append(CursorItem(seq))
    return items


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(ITEM, min_size=40, max_size=160),
    pages=st.integers(0, 3),
    full_opens=st.integers(2, 5),
)
def test_any_stream_through_a_disk_that_fills_stores_what_a_roomy_disk_stores(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    plan: list[tuple[str, int, str]],
    pages: int,
    full_opens: int,
) -> None:
    """Revisions, identical repeats, quarantined and skipped frames: a disk that fills (and gets room
    back after one or more failed attempts) ends with exactly the rows and cursor of one that never did."""
    where = tmp_path / f"example-{next(_example)}"
    items = build(plan)
    roomy, tight = where / "roomy.sqlite3", where / "tight.sqlite3"
    run_writer(roomy, items)
    open_store(tight).close()
    with monkeypatch.context() as patch:
        disk = SmallDisk(pages, full_opens)
        patch.setattr(store_writer, "open_store", disk.open)
        run_writer(tight, items)
    assert contents(tight) == contents(roomy)


def migrate_past_a_file_size_limit(path: str) -> None:
    """In a child process: a store of the first schema, then a migration with no room to write it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    resource.setrlimit(resource.RLIMIT_FSIZE, (Path(path).stat().st_size, resource.RLIM_INFINITY))
    try:
        open_store(Path(path)).close()
    except StoreError as error:
        trouble = storage_trouble(error)
        print(json.dumps({"error": str(error), "trouble": None if trouble is None else trouble.value}))


@pytest.mark.slow
def test_a_migration_on_a_full_disk_is_storage_trouble_and_completes_once_there_is_room(
    tmp_path: Path,
) -> None:
    """The writer opens the store inside its retries: a migration refused by a full disk must be
    recognised as storage trouble (waited out), and must leave the store whole for the next attempt."""
    path = tmp_path / "old.sqlite3"
    code = (
        "from tests.dispatch.store.test_store_trouble import migrate_past_a_file_size_limit as run; "
        f"run({str(path)!r})"
    )
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.splitlines()[-1])
    assert report["trouble"] in ("full", "io_error"), report
    assert "rollback" not in report["error"]
    db = open_store(path)  # with room again, the migration completes
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()
