"""The feed client never stops on its own: a frame that breaks its handler or a defect in a connection is
logged with its traceback, shown in the status, and the feed goes on (reconnecting after a defect)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import pytest

from core.clock import SystemClock
from dispatch.feed.client import BackoffPolicy, FeedClient
from dispatch.feed.protocol import Frame
from dispatch.feed.transport import FeedConnection, SkippedFrame
from dispatch.feed.values import ConnectionState, FeedStatus
from sim.server import FeedServer
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


def seqs(frames: list[Frame | SkippedFrame]) -> list[int]:
    return [json.loads(f)["seq"] for f in frames if isinstance(f, str) and '"seq"' in f]


def test_a_frame_that_breaks_the_handler_costs_only_that_frame(caplog: pytest.LogCaptureFixture) -> None:
    handled: list[Frame | SkippedFrame] = []
    statuses: list[FeedStatus] = []

    def on_frame(frame: Frame | SkippedFrame) -> None:
        if isinstance(frame, str) and "poison" in frame:
            raise RuntimeError("handler bug")
        handled.append(frame)

    async def scenario() -> FeedClient:
        async with FeedServer(heartbeat_s=None) as server:
            client = FeedClient(
                server.url,
                on_frame=on_frame,
                resume_after=lambda: None,
                on_status=statuses.append,
                clock=SystemClock(),
                policy=FAST,
            )
            task = asyncio.create_task(client.run())
            try:
                await server.wait_subscribed(1)
                server.publish_event(make_event(1))
                server.publish_event(make_event(2, title="poison"))
                server.publish_event(make_event(3))
                await until(lambda: seqs(handled) == [1, 3])
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            return client

    with caplog.at_level(logging.ERROR, logger="dispatch.feed.client"):
        client = asyncio.run(scenario())
    assert client.frame_faults == 1
    assert [s.state for s in statuses] == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.STOPPED,
    ]
    failures = [r for r in caplog.records if r.exc_info]
    assert len(failures) == 1
    assert "handler bug" in str(failures[0].exc_info[1])


def test_a_defect_in_a_connection_is_shown_and_followed_by_a_reconnect(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Before, anything but a network error escaped run(): the status read "stopped" with no reason."""
    handled: list[Frame | SkippedFrame] = []
    statuses: list[FeedStatus] = []
    calls = 0

    def resume_after() -> int | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyError("cursor table out of step")
        return None

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            client = FeedClient(
                server.url,
                on_frame=handled.append,
                resume_after=resume_after,
                on_status=statuses.append,
                clock=SystemClock(),
                policy=FAST,
            )
            task = asyncio.create_task(client.run())
            try:
                server.publish_event(make_event(1))
                await until(lambda: seqs(handled) == [1])
                assert task.done() is False
                assert client.faults == 1
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    with caplog.at_level(logging.ERROR, logger="dispatch.feed.client"):
        asyncio.run(scenario())
    states = [s.state for s in statuses]
    assert states[:4] == [
        ConnectionState.CONNECTING,
        ConnectionState.BACKING_OFF,
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
    ]
    backing_off = statuses[1]
    assert backing_off.detail == "feed client fault: KeyError: 'cursor table out of step'"
    assert backing_off.retry_at is not None
    assert statuses[3].fault == backing_off.detail, "the fault stays visible after the reconnect"
    assert any(r.exc_info and isinstance(r.exc_info[1], KeyError) for r in caplog.records)


def test_a_defect_on_every_connection_backs_off_instead_of_looping(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean session resets the back-off; one that ended in a defect does not, so a defect that strikes
    again after every subscribe waits longer each time instead of reconnecting twice a second forever."""

    async def broken(self: FeedConnection) -> Frame:
        raise RuntimeError("reader defect")

    monkeypatch.setattr(FeedConnection, "next_frame", broken)
    statuses: list[FeedStatus] = []

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            client = FeedClient(
                server.url,
                on_frame=lambda frame: None,
                resume_after=lambda: None,
                on_status=statuses.append,
                clock=SystemClock(),
                policy=BackoffPolicy(base_s=0.001, cap_s=0.01, idle_timeout_s=15.0),
            )
            task = asyncio.create_task(client.run())
            try:
                await until(lambda: sum(s.state is ConnectionState.BACKING_OFF for s in statuses) >= 4)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    backing_off = [s for s in statuses if s.state is ConnectionState.BACKING_OFF]
    assert [s.attempts for s in backing_off[:4]] == [1, 2, 3, 4]
    assert all(s.detail == "feed client fault: RuntimeError: reader defect" for s in backing_off)
    assert ConnectionState.CONNECTED in [s.state for s in statuses], "each attempt did subscribe"
