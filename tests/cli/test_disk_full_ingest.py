"""`ingest` on a disk that fills: it says so on stderr, waits, and goes on when space returns; stopped while
the disk is still full, it exits 1 with the cursor the feed will resend from."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

import dispatch.store.write_retry as write_retry
from cli.headless import ingest
from core.clock import ManualClock
from dispatch.feed.client import BackoffPolicy
from dispatch.store.database import open_store
from dispatch.store.read_only import open_read_only
from sim.server import FeedServer
from tests.dispatch.store.test_disk_full import PageBudget
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.05, idle_timeout_s=15.0)
IDLE = 600.0


@pytest.fixture
def budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PageBudget:
    monkeypatch.setattr(write_retry, "RETRY_FIRST_S", 0.005)
    monkeypatch.setattr(write_retry, "RETRY_CAP_S", 0.05)
    monkeypatch.setattr(write_retry, "CLOSE_GRACE_S", 0.2)
    disk = PageBudget(monkeypatch, tmp_path, pages=20)  # room for ~150 of the 600 events
    open_store(disk.path).close()
    return disk


def stored(path: Path) -> int:
    conn = open_read_only(path, live=True)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


class Stderr:
    """What ingest has written to stderr so far."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.text = ""

    def has(self, words: str) -> bool:
        self.text += self._capsys.readouterr().err
        return words in self.text


async def until(ready: Callable[[], bool]) -> None:
    async with asyncio.timeout(20):
        while not ready():
            await asyncio.sleep(0.01)


async def run_ingest(path: Path, freed: bool, stderr: Stderr, budget: PageBudget) -> int:
    async with FeedServer(heartbeat_s=None) as server:
        clock = ManualClock()
        run = asyncio.create_task(
            ingest(server.url, None, None, path, IDLE, idle_clock=clock.monotonic, policy=FAST)
        )
        await until(lambda: server.subscribed == 1)
        for n in range(1, 101):
            server.publish_event(make_event(n))
        await until(lambda: stored(path) == 100)
        for n in range(101, 601):
            server.publish_event(make_event(n))
        await until(lambda: stderr.has("the store cannot take writes (database or disk is full)"))
        if freed:
            budget.free()
            await until(lambda: stored(path) == 600)
            await until(lambda: stderr.has("the store takes writes again"))
        async with asyncio.timeout(20):
            while not run.done():
                clock.advance(IDLE)
                await asyncio.wait({run}, timeout=0.5)
        return run.result()


def test_ingest_waits_for_space_and_stores_everything(
    budget: PageBudget, capsys: pytest.CaptureFixture[str]
) -> None:
    stderr = Stderr(capsys)
    code = asyncio.run(run_ingest(budget.path, True, stderr, budget))
    stderr.has("")
    assert code == 0, stderr.text
    assert stored(budget.path) == 600
    assert "ingest: 600 events" in stderr.text


def test_ingest_stopped_on_a_full_disk_exits_1_with_the_cursor(
    budget: PageBudget, capsys: pytest.CaptureFixture[str]
) -> None:
    stderr = Stderr(capsys)
    code = asyncio.run(run_ingest(budget.path, False, stderr, budget))
    stderr.has("")
    kept = stored(budget.path)
    assert code == 1
    assert 100 <= kept < 600
    assert f"the feed resends what was not stored after cursor {kept}" in stderr.text
