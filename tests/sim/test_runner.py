"""The demo runner publishes the generator's items as the injected clock makes them due."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import connect

from core.clock import ManualClock
from sim.city import demo_city
from sim.feed_items import EventItem
from sim.generator import DemoGenerator
from sim.runner import run_demo
from sim.server import FeedServer

START = 1_767_225_600.0


def test_run_demo_publishes_what_the_clock_makes_due_in_order() -> None:
    reference = DemoGenerator(demo_city(), 4, START, rate=5.0).next_items(START + 30)
    expected = [i.event for i in reference if isinstance(i, EventItem)]

    async def scenario() -> list[dict[str, Any]]:
        clock = ManualClock(START)
        generator = DemoGenerator(demo_city(), 4, START, rate=5.0)
        received: list[dict[str, Any]] = []
        async with (
            FeedServer(heartbeat_s=None, clock=clock) as server,
            connect(server.url, max_queue=None) as ws,
        ):
            await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": 0}))
            demo = asyncio.create_task(run_demo(server, generator, clock))
            clock.advance(30)
            while sum(m["type"] == "event" for m in received) < len(expected):
                received.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            demo.cancel()
            await asyncio.gather(demo, return_exceptions=True)
        return received

    received = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert [m["seq"] for m in received] == list(range(1, len(received) + 1))
    assert [m["event"] for m in received if m["type"] == "event"] == expected
    assert {m["type"] for m in received} == {"event", "metric"}
