"""The whole wire path under fuzz: a real websocket server on 127.0.0.1 sends valid events mixed with hostile
frames into the real feed client, intake and SQLite store. Every valid event is stored exactly once, every
hostile frame is exactly one quarantine row, and the client never drops or restarts its connection."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.store.database import open_store
from sim.server import FeedServer
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)


@dataclass(frozen=True)
class Valid:
    """A valid event; stored exactly once."""


@dataclass(frozen=True)
class Hostile:
    """A frame to be set aside: `build(seq, n)` gives its bytes or text; `reason` is the quarantine reason
    (None when more than one reason is right, e.g. a value that breaks two rules)."""

    name: str
    payload: Any  # what the mutation puts in
    text: bool = True
    reason: str | None = None


def recent(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def event_body(n: int) -> dict[str, Any]:
    return make_event(n, id=f"fuzz-{n:05d}", occurred_at=recent(n % 600))


def envelope(seq: object, event: object) -> dict[str, Any]:
    return {"type": "event", "seq": seq, "event": event}


def nest(depth: int, inner: object = 1) -> str:
    return "[" * depth + json.dumps(inner) + "]" * depth


def build(item: Hostile, seq: int, n: int) -> str | bytes:
    """The hostile frame at position `seq` (its own seq is `seq` unless the mutation breaks it)."""
    body = event_body(n)
    kind, value = item.name, item.payload
    if kind == "random_binary":
        return bytes(value)
    if kind == "random_text_bytes":
        return b"\xff" + bytes(value)  # sent as a text frame: never UTF-8
    if kind == "random_text":
        return "#" + value  # never JSON
    if kind == "json_value":
        return json.dumps(value)  # a JSON value that is not an object with a type
    if kind == "not_utf8":
        before, after = json.dumps(envelope(seq, body), ensure_ascii=False).split("测试", 1)
        return before.encode() + bytes(value) + after.encode()
    if kind == "deep":
        where, depth, broken_seq = value
        marker = '"@@deep@@"'
        frame_seq: object = "seven" if broken_seq else seq
        if where == "envelope":
            text = json.dumps({**envelope(frame_seq, body), "x": "@@deep@@"})
        else:
            text = json.dumps(envelope(frame_seq, {**body, where: "@@deep@@"}))
        return text.replace(marker, nest(depth))
    if kind == "number":
        path, number = value
        if path == "seq":
            return json.dumps(envelope(number, body))
        if path == "lon":
            body["location"]["lon"] = number
        else:
            body[path] = number
        return json.dumps(envelope(seq, body))
    if kind == "wrong_type":
        path, wrong = value
        if path == "seq":
            return json.dumps(envelope(wrong, body))
        if path == "event":
            return json.dumps(envelope(seq, wrong))
        if path == "type":
            return json.dumps({"type": wrong, "seq": seq, "event": body})
        body[path] = wrong
        return json.dumps(envelope(seq, body))
    if kind == "time":
        body["occurred_at"] = value
        return json.dumps(envelope(seq, body))
    if kind == "oversized":
        body["description"] = "洪" * value
        return json.dumps(envelope(seq, body), ensure_ascii=False)
    raise AssertionError(kind)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=10,
)
# Out of range for the field they land in: SQLite's 64 bits, severity 1–4, longitude ±180.
bad_numbers = {
    "seq": st.sampled_from([2**63, 2**64, 10**40, -1, -(2**63) - 1]),
    "severity": st.sampled_from([2**63, 10**40, -1, 0, 5, -(2**63) - 1, 1e308]),
    "lon": st.sampled_from([1e308, -1e308, 180.5, -181, 2**64]),
}
extreme_times = st.sampled_from(
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",
        "1926-01-05T08:00:00+08:00",
        "2126-01-05T08:00:00+08:00",
        (datetime.now(UTC) + timedelta(days=3)).isoformat(timespec="seconds"),
    ]
)

hostile_frames = st.one_of(
    st.builds(
        Hostile, st.just("random_binary"), st.binary(max_size=64), st.just(False), st.just("binary_frame")
    ),
    st.builds(Hostile, st.just("random_text"), st.text(max_size=64), reason=st.just("not_json")),
    st.builds(Hostile, st.just("random_text_bytes"), st.binary(max_size=64), reason=st.just("not_utf8")),
    st.builds(Hostile, st.just("json_value"), json_values, reason=st.just("not_object")),
    st.builds(
        Hostile,
        st.just("not_utf8"),
        st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe6\xb5"]),
        reason=st.just("not_utf8"),
    ),
    st.builds(
        Hostile,
        st.just("deep"),
        st.tuples(
            st.sampled_from(["description", "location", "attachments", "extra", "envelope"]),
            st.integers(65, 20_000),
            st.booleans(),
        ),
        reason=st.just("too_deep"),
    ),
    st.builds(
        Hostile,
        st.just("number"),
        st.one_of(*(st.tuples(st.just(path), numbers) for path, numbers in bad_numbers.items())),
        reason=st.just("invalid_fields"),
    ),
    st.builds(
        Hostile,
        st.just("wrong_type"),
        st.one_of(
            st.tuples(st.just("seq"), st.sampled_from(["5", 5.5, True, None, [5], {}])),
            st.tuples(st.just("severity"), st.sampled_from(["2", 2.5, True, [2]])),
            st.tuples(st.just("title"), st.sampled_from([5, True, ["t"], {}])),
            st.tuples(st.just("occurred_at"), st.sampled_from([1_700_000_000, True, ["2026"]])),
            st.tuples(st.just("event"), st.sampled_from([[], "event", 5])),
            st.tuples(st.just("exercise"), st.sampled_from([1, "yes"])),
        ),
    ),
    st.builds(Hostile, st.just("wrong_type"), st.tuples(st.just("type"), st.sampled_from([5, None, []]))),
    st.builds(Hostile, st.just("time"), extreme_times, reason=st.just("bad_time")),
    st.builds(Hostile, st.just("oversized"), st.integers(350_000, 600_000), reason=st.just("oversized")),
)

streams = st.lists(st.one_of(st.just(Valid()), hostile_frames), min_size=1, max_size=14)


async def run_stream(db: Path, stream: list[Valid | Hostile]) -> tuple[list[str], str]:
    """Send the stream and a closing valid event; wait until the intake has committed past it."""
    valid_ids: list[str] = []
    async with FeedServer(heartbeat_s=None) as server:
        pipeline = IntakePipeline(db_path=db, feed_url=server.url, policy=FAST)
        task = asyncio.create_task(pipeline.run())
        try:
            await server.wait_subscribed(1)
            for n, item in enumerate([*stream, Valid()], start=1):
                seq = server.next_seq()
                if isinstance(item, Valid):
                    body = event_body(n)
                    valid_ids.append(body["id"])
                    server.publish_event(body)
                else:
                    server.publish_raw(build(item, seq, n), seq=seq, text=item.text)
            async with asyncio.timeout(20):
                while pipeline.counters().last_seq != server.head:
                    pipeline.drain()
                    await asyncio.sleep(0.005)
            return valid_ids, pipeline.client.last_failure
        finally:
            await pipeline.close()
            await asyncio.gather(task, return_exceptions=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(streams)
def test_valid_events_are_stored_once_and_every_hostile_frame_is_one_quarantine_row(
    tmp_path_factory: Any, stream: list[Valid | Hostile]
) -> None:
    db = tmp_path_factory.mktemp("fuzz") / "s.sqlite3"
    valid_ids, last_failure = asyncio.run(run_stream(db, stream))
    store = open_store(db)
    try:
        stored = [row[0] for row in store.execute("SELECT event_id FROM events ORDER BY seq")]
        reasons = [row[0] for row in store.execute("SELECT reason FROM quarantine ORDER BY id")]
    finally:
        store.close()
    hostile = [item for item in stream if isinstance(item, Hostile)]
    assert stored == valid_ids, "a valid event was lost, stored twice, or a hostile one was stored"
    assert len(reasons) == len(hostile), (reasons, hostile)
    assert [r for r, h in zip(reasons, hostile, strict=True) if h.reason is not None] == [
        h.reason for h in hostile if h.reason is not None
    ]
    assert last_failure == "", f"the connection ended: {last_failure}"
