"""Events raised on this console (the wall's motion analytics) enter the store like feed events, under their
own feed name, without moving the server feed's resume point."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dispatch.feed.pipeline import LOCAL_VIDEO_FEED, IntakePipeline
from dispatch.feed.protocol import Event, Location
from dispatch.store.database import open_store, read_cursor
from sim.server import FeedServer
from tests.dispatch.feed.test_pipeline_live import Watch, with_pipeline
from tests.feeds import make_event


def motion(event_id: str, title: str = "北门 画面内持续移动") -> Event:
    return Event(
        id=event_id,
        source="video_ai",
        category="video_motion",
        title=title,
        severity=3,
        occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        location=Location(lon=114.3, lat=30.6),
        camera_id="cam-7",
    )


def test_a_local_event_is_stored_once_and_the_feed_cursor_stays_with_the_feed(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> str:
        async with FeedServer(heartbeat_s=None) as server:

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                server.publish_event(make_event(1))
                pipeline.submit_local(motion("cam-7:1000"))
                pipeline.submit_local(motion("cam-7:1000"))  # the same burst reported twice
                await watch.until(lambda: pipeline.flush(5) and "cam-7:1000" in watch.event_ids())

            await with_pipeline(db, server, body)
            return server.url

    feed_url = asyncio.run(asyncio.wait_for(scenario(), 30))
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT feed, seq, camera_id, lon, duplicates FROM events WHERE source = 'video_ai'"
        ).fetchall()
    assert rows == [(LOCAL_VIDEO_FEED, 0, "cam-7", 114.3, 1)]
    store = open_store(db)
    try:
        assert read_cursor(store, LOCAL_VIDEO_FEED) is None
        assert read_cursor(store, feed_url) == 1
    finally:
        store.close()


def test_a_local_event_that_breaks_the_field_rules_is_refused_at_once(tmp_path: Path) -> None:
    pipeline = IntakePipeline(db_path=tmp_path / "s.sqlite3", feed_url="ws://127.0.0.1:9/")
    try:
        with pytest.raises(ValueError, match="title"):
            pipeline.submit_local(motion("cam-7:2", title="x" * 201))
    finally:
        asyncio.run(pipeline.close())
