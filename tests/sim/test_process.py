"""Feed servers as child processes: they announce their URL, serve, and stop with their parent."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from sim.process import BlastFeedProcess, DemoFeedProcess, FeedProcess

pytestmark = pytest.mark.slow


async def first_frames(url: str, count: int, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    async with connect(url, compression=None, max_queue=None, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": 0}))
        return [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(count)]


def test_demo_feed_process_serves_the_city_and_stops_cleanly() -> None:
    with DemoFeedProcess(rate=20.0, seed=3, token="t0k") as demo:
        assert demo.url.startswith("ws://127.0.0.1:")
        with pytest.raises(InvalidStatus):
            asyncio.run(first_frames(demo.url, 1))
        frames = asyncio.run(first_frames(demo.url, 5, {"Authorization": "Bearer t0k"}))
        assert [f["seq"] for f in frames] == [1, 2, 3, 4, 5]
        assert frames[0]["type"] == "metric"
    assert demo.returncode == 0


def test_blast_process_sends_what_was_asked() -> None:
    with BlastFeedProcess(count=100) as blast:
        frames = asyncio.run(first_frames(blast.url, 101))
    assert [f["seq"] for f in frames[:100]] == list(range(1, 101))
    assert frames[100]["type"] == "heartbeat"
    assert blast.returncode == 0


def test_a_server_that_cannot_start_reports_its_stderr() -> None:
    with pytest.raises(RuntimeError, match="must be a positive number"):
        FeedProcess(["--rate", "-1"])


def test_sigterm_right_after_the_announcement_stops_cleanly() -> None:
    with BlastFeedProcess(count=10) as blast:
        os.kill(blast.pid, signal.SIGTERM)
        blast.wait(timeout=10)
    assert blast.returncode == 0
