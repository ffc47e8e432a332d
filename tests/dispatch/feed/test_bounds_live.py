"""A real feed server sends values beyond every bound: each costs one quarantine row, the feed never stops."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dispatch.feed.bounds import SQL_INT_MAX
from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.protocol import MAX_DEPTH
from dispatch.feed.values import ConnectionState
from sim.server import FeedServer
from tests.dispatch.cap_samples import cap_xml
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)


def event_text(seq: str, n: int, occurred_at: datetime, extra: str = "") -> str:
    body = json.dumps(
        {"id": f"live-{n}", "source": "iot", "category": "water_level", "title": "水位超警", "severity": 2,
         "occurred_at": occurred_at.isoformat()},
        ensure_ascii=False,
    )  # fmt: skip
    return '{"type":"event","seq":' + seq + ',"event":' + body[:-1] + extra + "}}"


def nest(depth: int, rng: random.Random) -> str:
    shapes = rng.choices(("[", '{"k":'), k=depth)
    return "".join(shapes) + "0" + "".join("]" if s == "[" else "}" for s in reversed(shapes))


def hostile_stream(server: FeedServer, rng: random.Random, count: int) -> tuple[list[str], int, int]:
    """Publish a mix of valid and hostile frames; (valid ids, hostile frames, the last readable seq)."""
    now = datetime.now(UTC)
    valid: list[str] = []
    hostile = 0
    last_seq = 0
    for n in range(1, count + 1):
        seq = server.next_seq()
        kind = rng.choice(
            ["valid", "deep", "deep_text_seq", "huge_seq", "old", "future", "metric", "cap", "reset"]
        )
        readable = kind in ("valid", "deep", "old", "future", "metric", "cap")
        if kind == "valid":
            text = event_text(str(seq), n, now - timedelta(minutes=rng.randint(0, 600)))
            valid.append(f"live-{n}")
        elif kind in ("deep", "deep_text_seq"):
            deep = ',"vendor":' + nest(rng.randint(MAX_DEPTH, 20_000), rng)
            text = event_text(str(seq) if kind == "deep" else f'"{seq}"', n, now, deep)
        elif kind == "huge_seq":
            text = event_text(str(rng.choice([SQL_INT_MAX + 1, 2**64, -seq, 10**40])), n, now)
        elif kind == "old":
            text = event_text(str(seq), n, datetime(rng.randint(1, 2016), 1, 5, tzinfo=UTC))
        elif kind == "future":
            text = event_text(str(seq), n, datetime(rng.randint(2027, 9999), 12, 31, 23, 59, tzinfo=UTC))
        elif kind == "metric":
            at = datetime(rng.choice([1, 9999]), 6, 1, tzinfo=UTC).isoformat()
            text = json.dumps({"type": "metric", "seq": seq, "metric": {"name": "aqi", "value": 1, "at": at}})
        elif kind == "cap":
            expires = datetime(9999, 12, 31, 23, 59, tzinfo=UTC).isoformat()
            xml = cap_xml(
                alert={"sent": now.isoformat()}, info={"effective": now.isoformat(), "expires": expires}
            )
            text = json.dumps({"type": "cap", "seq": seq, "xml": xml})
        else:
            text = '{"type":"reset","head":' + str(rng.choice([-1, SQL_INT_MAX + 1])) + ',"reason":"restart"}'
        server.publish_raw(text, seq=seq if readable else None)
        hostile += kind != "valid"
        last_seq = seq if readable else last_seq
    return valid, hostile, last_seq


async def until(done: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not done():
            await asyncio.sleep(0.01)


def test_values_beyond_every_bound_cost_one_row_each_and_the_feed_never_stops(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    rng = random.Random(20261207)

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            pipeline = IntakePipeline(db_path=db, feed_url=server.url, policy=FAST)
            task = asyncio.create_task(pipeline.run())
            try:
                await server.wait_subscribed(1)
                await until(lambda: pipeline.status.state is ConnectionState.CONNECTED)
                connected = pipeline.status
                valid, hostile, last_seq = hostile_stream(server, rng, 300)
                # A valid event after the stream: once it is handled, every frame before it was.
                final = server.publish_event(make_event(0))
                await until(lambda: pipeline.intake.cursor == final)
                assert pipeline.flush(10)
                assert pipeline.status == connected  # never dropped, never reconnected
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)
            with sqlite3.connect(db) as conn:
                stored = [row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY id")]
                quarantined = conn.execute("SELECT count(*) FROM quarantine").fetchone()[0]
                cursor = conn.execute("SELECT last_seq FROM feed_state").fetchone()[0]
            conn.close()
            assert stored == [*valid, make_event(0)["id"]]
            assert quarantined == hostile
            assert cursor == final
            assert last_seq < final

    asyncio.run(scenario())
