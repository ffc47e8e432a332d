"""The benchmark blast server: every message once, in order, resumable, and paced when asked."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from sim.blast import BlastServer, receive_rate


async def subscribe(url: str, resume_after: int | None) -> ClientConnection:
    ws = await connect(url, compression=None, max_size=None)
    await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": resume_after}))
    return ws


async def frames(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(count)]


def test_unpaced_blast_sends_every_event_once_then_heartbeats() -> None:
    async def scenario() -> None:
        server = BlastServer(count=3000)
        await server.start()
        try:
            async with await subscribe(server.url, None) as ws:
                received = await frames(ws, 3001)
            async with await subscribe(server.url, 2990) as ws:
                resumed = await frames(ws, 11)
            async with await subscribe(server.url, 5000) as ws:
                reset = await frames(ws, 1)
        finally:
            await server.stop()
        events, beat = received[:-1], received[-1]
        assert [m["seq"] for m in events] == list(range(1, 3001))
        assert len({m["event"]["id"] for m in events}) == 3000
        for message in events[:50]:
            event = message["event"]
            assert 1 <= event["severity"] <= 4
            assert len(event["title"]) <= 200
            assert datetime.fromisoformat(event["occurred_at"]).utcoffset() is not None
            assert event["location"]["grid"]
        assert beat["type"] == "heartbeat"
        assert beat["head"] == 3000
        assert [m["seq"] for m in resumed[:-1]] == list(range(2991, 3001))
        assert reset[0]["type"] == "reset"

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_paced_blast_stamps_each_event_with_its_send_time() -> None:
    async def scenario() -> None:
        server = BlastServer(count=300, rate=3000.0)
        await server.start()
        try:
            async with await subscribe(server.url, None) as ws:
                began = time.time()
                received = await frames(ws, 300)
                ended = time.time()
        finally:
            await server.stop()
        stamps = [datetime.fromisoformat(m["event"]["occurred_at"]).timestamp() for m in received]
        assert stamps == sorted(stamps)
        assert began - 0.01 <= stamps[0]
        assert stamps[-1] <= ended + 0.01
        assert all(len(m["event"]["occurred_at"].split(".")[1]) == len("123+00:00") for m in received)

    asyncio.run(asyncio.wait_for(scenario(), 30))


def test_receive_rate_measures_a_bare_client() -> None:
    async def scenario() -> float:
        server = BlastServer(count=5000)
        await server.start()
        try:
            return await receive_rate(server.url, 5000)
        finally:
            await server.stop()

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) > 0


def test_blast_rejects_nonsense_parameters() -> None:
    with pytest.raises(ValueError, match="positive"):
        BlastServer(count=0)
    with pytest.raises(ValueError, match="positive"):
        BlastServer(count=10, rate=0)
