"""Test helpers: a real feed server on 127.0.0.1 in a background thread, and valid event bodies."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sim.server import FeedServer

T = TypeVar("T")


def make_event(n: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"iot-test-{n:06d}",
        "source": "iot",
        "category": "water_level",
        "title": f"测试水位站{n}号超限",
        "severity": 3,
        "occurred_at": "2026-11-21T08:00:00+08:00",
        "location": {"lon": 120.15, "lat": 30.27, "address": "测试路1号", "grid": "330102001001"},
    }
    body.update(overrides)
    return body


class ThreadedServer:
    """A FeedServer running on its own event loop thread, driven from synchronous test code."""

    def __init__(self, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-feed-server", daemon=True)
        self._thread.start()
        self.server = self.call(self._make(options))

    async def _make(self, options: dict[str, Any]) -> FeedServer:
        server = FeedServer(**options)
        await server.start()
        return server

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def run(self, fn: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return fn()

        return self.call(wrapper())

    @property
    def url(self) -> str:
        return self.server.url

    def publish_events(self, first: int, last: int) -> None:
        self.run(lambda: [self.server.publish_event(make_event(n)) for n in range(first, last + 1)])

    def close(self) -> None:
        self.call(self.server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@contextmanager
def threaded_server(**options: Any) -> Iterator[ThreadedServer]:
    server = ThreadedServer(**options)
    try:
        yield server
    finally:
        server.close()
