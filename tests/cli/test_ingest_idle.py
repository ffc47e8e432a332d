"""`ingest --idle-exit N` ends N seconds after the last stored message whatever the connection does: a server
that accepts and goes quiet, one that drops every connection, one that only sends heartbeats. The idle
clock is driven by hand, so no test waits N seconds."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve

import dispatch.feed.client
from cli.headless import EXIT_FEED_FAULT, ingest
from core.clock import ManualClock
from dispatch.feed.client import BackoffPolicy
from sim.server import FeedServer
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.05, idle_timeout_s=15.0)
IDLE = 600.0  # ten minutes on the hand-driven clock


async def ingest_until(
    url: str, db: Path, ready: Callable[[], bool], policy: BackoffPolicy = FAST
) -> tuple[int, bool]:
    """Run `ingest` until `ready()`, then move its idle clock on until it exits.

    Returns the exit code and whether ingest was still running when `ready()` came true."""
    clock = ManualClock()
    run = asyncio.create_task(ingest(url, None, None, db, IDLE, idle_clock=clock.monotonic, policy=policy))
    async with asyncio.timeout(20):
        while not ready() and not run.done():
            await asyncio.sleep(0.01)
    alive_when_ready = not run.done()
    async with asyncio.timeout(20):
        while not run.done():
            clock.advance(IDLE)
            await asyncio.wait({run}, timeout=0.5)
    return run.result(), alive_when_ready


def stored_events(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


@asynccontextmanager
async def dropping_server() -> AsyncIterator[tuple[str, list[int]]]:
    """Accepts, reads the subscribe, and hangs up: a reconnect loop that never stores anything."""
    connections = [0]

    async def handle(ws: ServerConnection) -> None:
        connections[0] += 1
        await ws.recv()
        ws.transport.abort()

    async with serve(handle, "127.0.0.1", 0, compression=None) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}", connections


def test_a_server_that_accepts_and_goes_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def scenario() -> tuple[int, bool]:
        async with FeedServer(heartbeat_s=None) as server:
            return await ingest_until(server.url, tmp_path / "s.sqlite3", lambda: server.subscribed == 1)

    code, alive = asyncio.run(scenario())
    assert alive
    assert code == 1
    assert (
        "nothing was stored in 600 s; the feed was connected but sent no message" in capsys.readouterr().err
    )


def test_a_reconnect_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def scenario() -> tuple[int, bool]:
        async with dropping_server() as (url, connections):
            return await ingest_until(url, tmp_path / "s.sqlite3", lambda: connections[0] >= 5)

    code, alive = asyncio.run(scenario())
    assert alive, "ingest ended before the fifth connection"
    assert code == 1
    err = capsys.readouterr().err
    assert "nothing was stored in 600 s; the connection kept failing: connection closed" in err


def test_heartbeats_after_the_last_event_do_not_keep_it_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> tuple[int, bool]:
        async with FeedServer(heartbeat_s=0.02) as server:
            for n in range(1, 4):
                server.publish_event(make_event(n))
            return await ingest_until(server.url, db, lambda: stored_events(db) == 3)

    code, alive = asyncio.run(scenario())
    assert alive
    assert code == 0
    err = capsys.readouterr().err
    assert "no message stored for 600 s; stopping" in err
    assert "ingest: 3 events" in err


def test_a_connection_that_drops_after_storing_still_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.sqlite3"

    async def scenario() -> tuple[int, bool]:
        async with FeedServer(heartbeat_s=None) as server:
            server.publish_event(make_event(1))

            async def keep_dropping() -> None:
                while True:
                    await server.wait_subscribed(1)
                    await server.drop_connections()

            dropper = asyncio.create_task(keep_dropping())
            try:
                return await ingest_until(server.url, db, lambda: stored_events(db) == 1)
            finally:
                dropper.cancel()

    code, _ = asyncio.run(scenario())
    assert code == 0
    assert "ingest: 1 events" in capsys.readouterr().err


def test_a_defect_in_the_feed_client_shows_in_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = dispatch.feed.client.encode_subscribe
    calls = [0]

    def flaky(client: str, resume_after: int | None) -> bytes:
        calls[0] += 1
        if calls[0] == 1:
            raise AssertionError("subscribe built from a broken cursor")
        return real(client, resume_after)

    monkeypatch.setattr(dispatch.feed.client, "encode_subscribe", flaky)
    db = tmp_path / "s.sqlite3"

    async def scenario() -> tuple[int, bool]:
        async with FeedServer(heartbeat_s=None) as server:
            server.publish_event(make_event(1))
            return await ingest_until(server.url, db, lambda: stored_events(db) == 1)

    code, _ = asyncio.run(scenario())
    assert code == EXIT_FEED_FAULT
    err = capsys.readouterr().err
    assert "hit 1 defect(s) and went on; last: feed client fault: AssertionError" in err
    assert "ingest: 1 events" in err
