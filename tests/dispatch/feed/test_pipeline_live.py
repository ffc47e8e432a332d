"""The intake pipeline against a real feed server on 127.0.0.1: resume, gaps, hostile frames, auth, idling."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.values import ConnectionState, FeedFailure, IntakeChanges, QuarantineReason
from dispatch.store.database import open_store
from sim.server import FeedServer
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)


class Watch:
    """Drains the pipeline like the FrameClock does and keeps what came out."""

    def __init__(self, pipeline: IntakePipeline) -> None:
        self.pipeline = pipeline
        self.changes: list[IntakeChanges] = []

    async def until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while True:
                changes = self.pipeline.drain()
                if changes is not None:
                    self.changes.append(changes)
                if predicate():
                    return
                await asyncio.sleep(0.005)

    @property
    def latest(self) -> IntakeChanges:
        return self.changes[-1]

    def event_ids(self) -> list[str]:
        return [e.event_id for c in self.changes for e in c.events]

    def states(self) -> list[ConnectionState]:
        return [c.feed.state for c in self.changes]


async def with_pipeline(
    db: Path, server: FeedServer, body: Callable[[IntakePipeline, Watch], Awaitable[None]], **options: Any
) -> None:
    pipeline = IntakePipeline(db_path=db, feed_url=server.url, policy=options.pop("policy", FAST), **options)
    task = asyncio.create_task(pipeline.run())
    try:
        await body(pipeline, Watch(pipeline))
    finally:
        await pipeline.close()
        await asyncio.gather(task, return_exceptions=True)


def stored_ids(db: Path) -> list[str]:
    store = open_store(db)
    try:
        return [row[0] for row in store.execute("SELECT event_id FROM events ORDER BY id")]
    finally:
        store.close()


def test_reconnect_resumes_from_the_stored_cursor_without_loss_or_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                for n in range(1, 301):
                    server.publish_event(make_event(n))
                await watch.until(lambda: len(watch.event_ids()) >= 100)
                await server.drop_connections()
                for n in range(301, 401):  # published while the client is away
                    server.publish_event(make_event(n))
                await watch.until(lambda: len(watch.event_ids()) == 400)
                assert ConnectionState.BACKING_OFF in watch.states()
                assert watch.latest.feed.state is ConnectionState.CONNECTED

            await with_pipeline(db, server, body)

    asyncio.run(scenario())
    assert stored_ids(db) == [f"iot-test-{n:06d}" for n in range(1, 401)]


def test_restart_of_the_client_resumes_where_it_stopped(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:

            async def first(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                for n in range(1, 51):
                    server.publish_event(make_event(n))
                await watch.until(lambda: len(watch.event_ids()) == 50)

            await with_pipeline(db, server, first)
            for n in range(51, 81):
                server.publish_event(make_event(n))

            async def second(pipeline: IntakePipeline, watch: Watch) -> None:
                await watch.until(lambda: len(watch.event_ids()) == 30)
                assert watch.latest.counters.last_seq == 80

            await with_pipeline(db, server, second)

    asyncio.run(scenario())
    assert len(stored_ids(db)) == 80


def test_a_server_that_lost_the_resume_point_is_recorded_as_a_gap(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as old:

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await old.wait_subscribed(1)
                for n in range(1, 21):
                    old.publish_event(make_event(n))
                await watch.until(lambda: len(watch.event_ids()) == 20)

            await with_pipeline(db, old, body)
            port = old.port
        # The upstream restarts on the same address and starts its seq over at 1.
        async with FeedServer(port=port, heartbeat_s=None) as fresh:
            for n in range(100, 105):
                fresh.publish_event(make_event(n))

            async def after_restart(pipeline: IntakePipeline, watch: Watch) -> None:
                await fresh.wait_subscribed(1)
                await watch.until(lambda: watch.latest.counters.gaps == 1 if watch.changes else False)
                (gap,) = [g for c in watch.changes for g in c.gaps]
                assert (gap.after_seq, gap.head) == (20, 5)
                fresh.publish_event(make_event(200))
                await watch.until(lambda: "iot-test-000200" in watch.event_ids())

            await with_pipeline(db, fresh, after_restart)

    asyncio.run(scenario())
    assert stored_ids(db)[-1] == "iot-test-000200"


def event_frame(**overrides: Any) -> str:
    """An event frame with a `{seq}` placeholder and a broken field."""
    return '{"type":"event","seq":{seq},"event":' + json.dumps(make_event(0, **overrides)) + "}"


HOSTILE: list[tuple[str, QuarantineReason]] = [
    ("this is not json", QuarantineReason.NOT_JSON),
    ("[1, 2]", QuarantineReason.NOT_OBJECT),
    ('{"type":"event","seq":{seq},"event":{"id":"x"}}', QuarantineReason.INVALID_FIELDS),
    (event_frame(severity=9), QuarantineReason.INVALID_FIELDS),
    (event_frame(occurred_at="soon"), QuarantineReason.INVALID_FIELDS),
    ('{"type":"metric","seq":{seq},"metric":{"name":"aqi"}}', QuarantineReason.INVALID_FIELDS),
    ('{"type":"event","seq":{seq},"event":' + "[" * 50_000 + "]" * 50_000 + "}", QuarantineReason.TOO_DEEP),
    (event_frame(description="洪" * 400_000), QuarantineReason.OVERSIZED),
    ('{"type":"cap","seq":{seq},"xml":"<!DOCTYPE a [<!ENTITY x \\"boom\\">]><alert>&x;</alert>"}',
     QuarantineReason.BAD_CAP),
]  # fmt: skip


def test_hostile_frames_are_quarantined_and_the_stream_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                n = 0
                for template, _ in HOSTILE:
                    n += 1
                    server.publish_event(make_event(n))
                    seq = server.next_seq()
                    server.publish_raw(template.replace("{seq}", str(seq)), seq=seq)
                    server.publish_raw(b"\x00\x01 binary")
                    # A message type from a newer protocol version: skipped, counted, not quarantined.
                    later_seq = server.next_seq()
                    later = {"type": "radar_tile", "seq": later_seq, "tile": {"z": 7}}
                    server.publish_raw(json.dumps(later), seq=later_seq)
                n += 1
                server.publish_event(make_event(n))
                await watch.until(lambda: len(watch.event_ids()) == n)
                counters = watch.latest.counters
                assert counters.quarantined == len(HOSTILE) + len(HOSTILE)  # + the binary frames
                assert counters.unknown == len(HOSTILE)
                reasons = [q.reason for c in watch.changes for q in c.quarantined]
                assert [r for r in reasons if r is not QuarantineReason.BINARY_FRAME] == [
                    r for _, r in HOSTILE
                ]
                assert watch.states().count(ConnectionState.BACKING_OFF) == 0, (
                    "a poison frame caused a reconnect"
                )

            await with_pipeline(db, server, body)

    asyncio.run(scenario())
    assert len(stored_ids(db)) == len(HOSTILE) + 1


def test_a_silent_server_is_left_after_the_idle_timeout(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                await watch.until(
                    lambda: watch.latest.feed.state is ConnectionState.BACKING_OFF if watch.changes else False
                )
                assert "no frame" in watch.latest.feed.detail

            await with_pipeline(
                tmp_path / "s.sqlite3",
                server,
                body,
                policy=BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=0.3),
            )

    asyncio.run(scenario())


def test_token_is_sent_and_a_refusal_is_explained(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None, token="s3cret") as server:

            async def refused(pipeline: IntakePipeline, watch: Watch) -> None:
                await watch.until(lambda: bool(watch.changes) and "token" in watch.latest.feed.detail)
                assert "401" in watch.latest.feed.detail

            await with_pipeline(tmp_path / "a.sqlite3", server, refused, token="wrong")

            async def accepted(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                server.publish_event(make_event(1))
                await watch.until(lambda: watch.event_ids() == ["iot-test-000001"])

            await with_pipeline(tmp_path / "b.sqlite3", server, accepted, token="s3cret")

    asyncio.run(scenario())


def test_back_off_grows_with_jitter_up_to_the_cap() -> None:
    policy = BackoffPolicy(base_s=0.5, cap_s=30.0)
    rng = random.Random(7)
    delays = [[policy.delay(attempt, rng) for _ in range(200)] for attempt in range(12)]
    assert all(0 < d <= 30.0 for row in delays for d in row)
    assert max(delays[0]) <= 0.5
    assert max(delays[3]) <= 4.0
    assert max(delays[11]) > 20.0  # capped, not stuck small
    assert len({round(d, 6) for d in delays[11]}) > 150  # jittered, so clients do not reconnect in step


def test_a_feed_that_accepts_but_never_answers_is_named_as_such(tmp_path: Path) -> None:
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # the kernel completes the TCP handshake; nobody ever speaks websocket
        port = hung.getsockname()[1]

        async def scenario() -> None:
            pipeline = IntakePipeline(
                db_path=tmp_path / "s.sqlite3",
                feed_url=f"ws://127.0.0.1:{port}",
                policy=BackoffPolicy(base_s=0.02, cap_s=0.1, open_timeout_s=0.3),
            )
            task = asyncio.create_task(pipeline.run())
            watch = Watch(pipeline)
            try:
                await watch.until(
                    lambda: watch.latest.feed.state is ConnectionState.BACKING_OFF if watch.changes else False
                )
                assert watch.latest.feed.detail == "the feed did not answer the connection in time"
                assert watch.latest.feed.failure is FeedFailure.OPEN_TIMEOUT, "a code the screens translate"
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)

        asyncio.run(scenario())
