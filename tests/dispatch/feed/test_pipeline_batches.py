"""Group commits: many rows per statement, revisions inside one batch, text kept byte for byte, views fed
only the newest rows while every row is counted."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from dispatch.feed import pipeline as pipeline_module
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.protocol import DecodedEvent, decode_frame
from dispatch.store import writer as store_writer
from dispatch.store.database import load_recent_events, open_store, read_cursor
from dispatch.store.write_items import CommitResult, CursorItem, EventItem
from dispatch.store.writer import StoreWriter
from sim.server import FeedServer
from tests.feeds import make_event

FEED = "ws://127.0.0.1:1/feed"


def decoded(seq: int, n: int, **overrides: Any) -> DecodedEvent:
    frame = msgspec.json.encode({"type": "event", "seq": seq, "event": make_event(n, **overrides)}).decode()
    result = decode_frame(frame)
    assert isinstance(result, DecodedEvent)
    return result


def in_one_batch(db_path: Path, *items: EventItem) -> list[CommitResult]:
    """Submit `items` while another connection holds the write lock, so the writer takes them together."""
    results: list[CommitResult] = []
    writer = StoreWriter(db_path, FEED, results.append)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    writer.submit(CursorItem(0))
    for item in items:
        writer.submit(item)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert writer.flush(10)
    writer.close()
    return [result for result in results if result.stored or result.duplicates]


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = open_store(db_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_batch_larger_than_one_statement_stores_every_row_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_writer, "ROWS_PER_INSERT", 4)
    db_path = tmp_path / "s.sqlite3"
    items = [EventItem(decoded(n, n, severity=1 + n % 4), float(n)) for n in range(1, 11)]

    (result,) = in_one_batch(db_path, *items)

    assert result.stored == 10
    stored = load_recent_events(db_path, 20)
    assert [(e.event_id, e.seq, e.severity, e.received_at) for e in stored] == [
        (f"iot-test-{n:06d}", n, 1 + n % 4, float(n)) for n in range(1, 11)
    ]
    assert stored[0].address == "测试路1号"
    assert stored[0].lon == 120.15
    db = open_store(db_path)
    assert read_cursor(db, FEED) == 10
    db.close()


def test_the_payload_is_stored_as_the_exact_text_received(tmp_path: Path) -> None:
    db_path = tmp_path / "s.sqlite3"
    text = '{ "title":"测试\\u6c34位 超限" ,"id":"x1","source":"iot","category":"c","severity":2,'
    text += '"occurred_at":"2026-11-21T08:00:00+08:00","vendor":{"k":[1, 2.50]} }'
    result = decode_frame(f'{{"type":"event","seq":1,"event":{text}}}')
    assert isinstance(result, DecodedEvent)

    in_one_batch(db_path, EventItem(result, 1.0))

    assert rows(db_path, "SELECT typeof(payload), payload FROM events") == [("text", text)]


def test_repeats_inside_one_batch_are_duplicates_or_revisions_by_content(tmp_path: Path) -> None:
    db_path = tmp_path / "s.sqlite3"
    changed = {"title": "测试水位站1号超限，水位仍在上涨"}

    (result,) = in_one_batch(
        db_path,
        EventItem(decoded(1, 1), 1.0),
        EventItem(decoded(2, 1), 2.0),
        EventItem(decoded(3, 1, **changed), 3.0),
        EventItem(decoded(4, 1, **changed), 4.0),
        EventItem(decoded(5, 2), 5.0),
    )

    assert [(e.event_id, e.revision) for e in result.events] == [
        ("iot-test-000001", 1),
        ("iot-test-000001", 2),
        ("iot-test-000002", 1),
    ]
    assert (result.revisions, result.duplicates) == (1, 2)
    assert rows(db_path, "SELECT revision, duplicates FROM events WHERE event_id = 'iot-test-000001'") == [
        (1, 1),
        (2, 1),
    ]


def test_known_ids_are_found_across_lookup_chunks_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_writer, "LOOKUP_CHUNK", 3)
    db_path = tmp_path / "s.sqlite3"
    in_one_batch(db_path, *(EventItem(decoded(n, n), float(n)) for n in range(1, 9)))

    again = [EventItem(decoded(10 + n, n, severity=1 if n % 2 else 3), 20.0) for n in range(1, 9)]
    (result,) = in_one_batch(db_path, *again, EventItem(decoded(30, 99), 30.0))

    assert sorted((e.event_id, e.revision) for e in result.events) == [
        *((f"iot-test-{n:06d}", 2) for n in (1, 3, 5, 7)),
        ("iot-test-000099", 1),
    ]
    assert result.duplicates == 4


def test_views_get_the_newest_rows_while_every_row_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "NEWEST_KEPT", 5)

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            pipeline = IntakePipeline(db_path=tmp_path / "s.sqlite3", feed_url=server.url)
            task = asyncio.create_task(pipeline.run())
            try:
                await server.wait_subscribed(1)
                for n in range(1, 41):
                    server.publish_event(make_event(n))
                async with asyncio.timeout(10):
                    while pipeline.intake.cursor != 40:
                        await asyncio.sleep(0.005)
                assert await asyncio.to_thread(pipeline.flush, 10)
                changes = pipeline.drain()
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)
        assert changes is not None
        assert changes.counters.events == 40
        assert changes.counters.last_seq == 40
        assert [e.seq for e in changes.events] == [36, 37, 38, 39, 40]

    asyncio.run(scenario())
