"""The pipeline on its own thread: events flow, and closing at any moment leaves no thread behind."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from dispatch.feed.pipeline import IntakePipeline, PipelineThread
from sim.server import FeedServer
from tests.feeds import make_event


def feed_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("tianshu-")]


def test_events_arrive_from_the_feed_thread_and_close_joins_it(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            runner = PipelineThread(IntakePipeline(db_path=tmp_path / "s.sqlite3", feed_url=server.url))
            task = asyncio.create_task(runner.run())
            await server.wait_subscribed(1)
            assert "tianshu-feed" in feed_threads()
            server.publish_event(make_event(1))
            seen: list[str] = []
            async with asyncio.timeout(10):
                while not seen:
                    changes = runner.drain()
                    seen += [e.event_id for e in changes.events] if changes else []
                    await asyncio.sleep(0.01)
            assert seen == ["iot-test-000001"]
            await runner.close()
            await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
    assert feed_threads() == []


def test_closing_while_the_thread_starts_leaves_nothing_running(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            for delay_steps in range(4):
                runner = PipelineThread(
                    IntakePipeline(db_path=tmp_path / f"s{delay_steps}.sqlite3", feed_url=server.url)
                )
                task = asyncio.create_task(runner.run())
                for _ in range(delay_steps):
                    await asyncio.sleep(0)
                await runner.close()
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert feed_threads() == []
