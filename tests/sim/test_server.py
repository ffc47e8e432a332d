"""The feed server on a real socket: subscribe, resume, reset, auth, heartbeats and injected faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, InvalidStatus

from core.clock import ManualClock
from sim.server import FeedServer

TIMEOUT = 5.0


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 30))


def event(n: int, size: int = 0) -> dict[str, Any]:
    return {
        "id": f"test-{n}",
        "source": "iot",
        "category": "waterlogging",
        "title": f"积水 {n}",
        "description": "x" * size,
        "severity": 4,
        "occurred_at": "2026-01-01T08:00:00.000+08:00",
    }


async def subscribe(url: str, resume_after: int | None = None, **options: Any) -> ClientConnection:
    ws = await connect(url, compression=None, max_size=None, ping_interval=None, **options)
    await ws.send(json.dumps({"type": "subscribe", "client": "tianshu/test", "resume_after": resume_after}))
    return ws


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    return message


async def receive_within(ws: ClientConnection, seconds: float) -> dict[str, Any] | None:
    """The next frame, or None if nothing arrives in time (for asserting that nothing is sent)."""
    try:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), seconds))
    except TimeoutError:
        return None
    return message


async def read_until_closed(ws: ClientConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), TIMEOUT)


async def seqs(ws: ClientConnection, count: int) -> list[int]:
    return [(await receive(ws))["seq"] for _ in range(count)]


def test_a_first_time_subscriber_gets_the_buffered_history_then_live() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            for n in range(3):
                server.publish_event(event(n))
            async with await subscribe(server.url) as ws:
                await server.wait_subscribed(1)
                assert await seqs(ws, 3) == [1, 2, 3]
                assert server.publish_event(event(3)) == 4
                assert server.publish_metric({"name": "aqi", "value": 42, "at": "2026-01-01T08:00:00Z"}) == 5
                assert server.publish_cap("<alert/>") == 6
                first, second, third = await receive(ws), await receive(ws), await receive(ws)
                assert first == {"type": "event", "seq": 4, "event": event(3)}
                assert second["type"] == "metric"
                assert second["metric"]["value"] == 42
                assert third == {"type": "cap", "seq": 6, "xml": "<alert/>"}

    run(scenario)


def test_resume_replays_exactly_the_missing_messages_then_goes_live() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            for n in range(10):
                server.publish_event(event(n))
            async with await subscribe(server.url, resume_after=4) as ws:
                assert await seqs(ws, 6) == [5, 6, 7, 8, 9, 10]
                server.publish_event(event(10))
                assert await seqs(ws, 1) == [11]
            async with await subscribe(server.url, resume_after=11) as ws:
                await server.wait_subscribed(1)
                server.publish_event(event(11))
                assert await seqs(ws, 1) == [12]

    run(scenario)


def test_replay_hands_over_to_live_without_loss_or_duplicates_while_publishing() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            for n in range(2000):
                server.publish_event(event(n))

            async def keep_publishing() -> None:
                for n in range(2000, 5000):
                    server.publish_event(event(n))
                    if n % 50 == 0:
                        await asyncio.sleep(0)

            async with await subscribe(server.url, resume_after=0) as ws:
                publisher = asyncio.create_task(keep_publishing())
                received = await seqs(ws, 5000)
                await publisher
            assert received == list(range(1, 5001))

    run(scenario)


def test_reset_when_the_resume_point_is_ahead_of_head() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            for n in range(5):
                server.publish_event(event(n))
            async with await subscribe(server.url, resume_after=99) as ws:
                reset = await receive(ws)
                assert reset["type"] == "reset"
                assert reset["head"] == 5
                assert "ahead" in reset["reason"]
                server.publish_event(event(5))
                assert await seqs(ws, 1) == [6]

    run(scenario)


def test_reset_when_the_resume_point_is_older_than_the_buffer() -> None:
    async def scenario() -> None:
        async with FeedServer(buffer_size=10, heartbeat_s=None) as server:
            for n in range(30):
                server.publish_event(event(n))
            async with await subscribe(server.url, resume_after=5) as ws:
                reset = await receive(ws)
                assert (reset["type"], reset["head"]) == ("reset", 30)
                assert "older" in reset["reason"]
            async with await subscribe(server.url, resume_after=20) as ws:
                assert await seqs(ws, 10) == list(range(21, 31))

    run(scenario)


def test_a_token_is_required_when_configured() -> None:
    async def scenario() -> None:
        async with FeedServer(token="s3cret", heartbeat_s=None) as server:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
                with pytest.raises(InvalidStatus) as refused:
                    await connect(server.url, additional_headers=headers)
                assert refused.value.response.status_code == 401
            async with await subscribe(
                server.url, additional_headers={"Authorization": "Bearer s3cret"}
            ) as ws:
                await server.wait_subscribed(1)
                server.publish_event(event(0))
                assert await seqs(ws, 1) == [1]

    run(scenario)


def test_a_bad_first_frame_closes_the_connection_with_policy_violation() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            for first in ("not json", '{"type":"hello"}', '{"type":"subscribe","resume_after":"7"}'):
                async with connect(server.url) as ws:
                    await ws.send(first)
                    with pytest.raises(ConnectionClosed):
                        await asyncio.wait_for(ws.recv(), TIMEOUT)
                    assert ws.close_code == 1008

    run(scenario)


def test_a_client_that_never_subscribes_is_closed() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None, subscribe_timeout_s=0.1) as server, connect(server.url) as ws:
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            assert ws.close_code == 1008
            await server.wait_connections(0)

    run(scenario)


def test_drop_connections_aborts_every_client() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            a = await subscribe(server.url)
            b = await subscribe(server.url)
            await server.wait_subscribed(2)
            await server.drop_connections()
            assert server.connections == 0
            for ws in (a, b):
                with pytest.raises(ConnectionClosedError):
                    await asyncio.wait_for(ws.recv(), TIMEOUT)
                assert ws.close_code == 1006

    run(scenario)


def test_a_slow_client_is_cut_off_without_holding_back_a_fast_one() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None, client_queue=50) as server:
            slow = await subscribe(server.url, max_queue=1)
            fast = await subscribe(server.url)
            await server.wait_subscribed(2)
            total = 600
            for n in range(total):
                seq = server.publish_event(event(n, size=64 * 1024))
                assert await seqs(fast, 1) == [seq]
            await server.wait_connections(1)
            assert server.cut_off == 1
            assert server.subscribed == 1
            server.publish_event(event(total))
            assert await seqs(fast, 1) == [total + 1]
            await read_until_closed(slow)
            assert slow.close_code == 1006
            await fast.close()

    run(scenario)


def test_heartbeats_carry_head_and_the_injected_clock() -> None:
    async def scenario() -> None:
        clock = ManualClock(1_767_225_600.0)
        async with FeedServer(heartbeat_s=0.05, clock=clock) as server:
            server.publish_event(event(0))
            async with await subscribe(server.url) as ws:
                assert (await receive(ws))["seq"] == 1  # the buffered history comes first
                while (beat := await receive(ws))["type"] != "heartbeat":
                    pass
                assert beat == {"type": "heartbeat", "head": 1, "at": "2026-01-01T00:00:00.000+00:00"}
                clock.advance(90)
                server.publish_event(event(1))
                while (frame := await receive(ws))["type"] == "heartbeat":
                    pass  # stamped before the clock moved
                assert frame["seq"] == 2
                while (beat := await receive(ws))["type"] != "heartbeat":
                    pass
                assert beat == {"type": "heartbeat", "head": 2, "at": "2026-01-01T00:01:30.000+00:00"}

    run(scenario)


def test_pause_freezes_everything_until_resume() -> None:
    async def scenario() -> None:
        clock = ManualClock(1_767_225_600.0)
        async with FeedServer(heartbeat_s=0.05, clock=clock) as server, await subscribe(server.url) as ws:
            before = await receive(ws)
            assert before["type"] == "heartbeat"
            server.pause()
            clock.advance(60)
            server.publish_event(event(0))
            # Only a heartbeat already on its way (stamped before the pause) may still arrive.
            while (frame := await receive_within(ws, 0.4)) is not None:
                assert frame == before
            server.resume()
            assert await seqs(ws, 1) == [1]

    run(scenario)


def test_raw_frames_go_out_verbatim_and_are_replayed_when_given_a_seq() -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            async with await subscribe(server.url) as ws:
                await server.wait_subscribed(1)
                server.publish_raw("{not json")
                server.publish_raw(b"\x00\x01binary")
                seq = server.next_seq()
                server.publish_raw(f'{{"type":"event","seq":{seq},"event":{{}}}}', seq=seq)
                server.publish_event(event(1))
                assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "{not json"
                assert await asyncio.wait_for(ws.recv(), TIMEOUT) == b"\x00\x01binary"
                assert (await receive(ws))["seq"] == 1
                assert (await receive(ws))["seq"] == 2
            with pytest.raises(ValueError, match="not after head"):
                server.publish_raw("late", seq=2)
            async with await subscribe(server.url, resume_after=0) as ws:
                assert (await receive(ws))["event"] == {}
                assert (await receive(ws))["seq"] == 2

    run(scenario)


def test_stop_closes_clients_cleanly() -> None:
    async def scenario() -> None:
        server = FeedServer(heartbeat_s=None)
        await server.start()
        ws = await subscribe(server.url)
        await server.wait_subscribed(1)
        await server.stop()
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert ws.close_code == 1001

    run(scenario)
