"""A disk that fills mid-stream: the feed pauses with "storage full", keeps its cursor, and resumes by
itself when space returns, every event stored exactly once (a real feed server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import sqlite_utils

import dispatch.store.write_retry as write_retry
import dispatch.store.writer as store_writer
from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.values import ConnectionState, IntakeChanges, StorageTrouble
from dispatch.store.database import open_store
from dispatch.store.read_only import open_read_only
from sim.server import FeedServer
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)


class PageBudget:
    """A disk with room for `pages` more pages of the store (SQLite's max_page_count: SQLITE_FULL) until
    space is freed; the writer's connections opened after that grow freely. Works everywhere."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path, pages: int) -> None:
        self.path = folder / "store.sqlite3"
        self.pages = pages
        self.limit: int | None = None
        self.freed = False
        monkeypatch.setattr(store_writer, "open_store", self._open)

    def _open(self, path: Path, **options: Any) -> sqlite_utils.Database:
        db = open_store(path, **options)
        if not self.freed:
            if self.limit is None:
                self.limit = db.execute("PRAGMA page_count").fetchone()[0] + self.pages
            db.execute(f"PRAGMA max_page_count = {self.limit}")
        return db

    def fill(self) -> None:
        """The budget set at the writer's start runs out in the second part of the stream."""

    def free(self) -> None:
        self.freed = True


class Tmpfs:
    """A real 4 MiB tmpfs: filled with a file until the device reports ENOSPC, freed by deleting it."""

    def __init__(self, folder: Path) -> None:
        self.mount = folder / "disk"
        self.mount.mkdir()
        self.path = self.mount / "store.sqlite3"
        self.filler = self.mount / "filler"

    def fill(self) -> None:
        # Big blocks first, then small ones for what the last big one could not take.
        with self.filler.open("ab", buffering=0) as out:
            for size in (65_536, 512):
                assert _write_until_refused(out, size) == errno.ENOSPC

    def free(self) -> None:
        self.filler.unlink()


def _write_until_refused(out: BinaryIO, size: int) -> int | None:
    block = b"\0" * size
    while True:
        try:
            out.write(block)
        except OSError as error:
            return error.errno


def _mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


class Attempts:
    """Counts the writer's connections: after a failed write it opens a fresh one for the next attempt."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._open = store_writer.open_store  # type: ignore[attr-defined]
        monkeypatch.setattr(store_writer, "open_store", self._counted)

    def _counted(self, path: Path, **options: Any) -> sqlite_utils.Database:
        self.count += 1
        return self._open(path, **options)


@pytest.fixture(params=["page_budget", "tmpfs"])
def disk(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(write_retry, "RETRY_FIRST_S", 0.005)
    monkeypatch.setattr(write_retry, "RETRY_CAP_S", 0.05)
    if request.param == "page_budget":
        yield PageBudget(monkeypatch, tmp_path, pages=60)  # 300 events take ~37 pages
        return
    fs = Tmpfs(tmp_path)
    if not _mount_tmpfs(fs.mount):
        pytest.skip("mounting a tmpfs needs root and the mount capability")
    try:
        yield fs
    finally:
        if subprocess.run(["umount", str(fs.mount)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(fs.mount)], capture_output=True, check=False)


class Watch:
    """Drains the pipeline as the FrameClock does and keeps what came out."""

    def __init__(self, pipeline: IntakePipeline) -> None:
        self.pipeline = pipeline
        self.changes: list[IntakeChanges] = []

    async def until(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while True:
                changes = self.pipeline.drain()
                if changes is not None:
                    self.changes.append(changes)
                if predicate():
                    return
                await asyncio.sleep(0.005)

    def stored(self) -> int:
        return sum(len(c.events) for c in self.changes)


def read_only(path: Path) -> sqlite3.Connection:
    return open_read_only(path, live=True)


def stored_cursor(path: Path) -> int | None:
    conn = read_only(path)
    try:
        row = conn.execute("SELECT last_seq FROM feed_state").fetchone()
    finally:
        conn.close()
    return None if row is None else int(row[0])


def test_a_disk_filling_mid_stream_pauses_the_feed_and_it_resumes_by_itself(
    disk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path: Path = disk.path
    open_store(path).close()
    attempts = Attempts(monkeypatch)
    paused: dict[str, Any] = {}

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            pipeline = IntakePipeline(db_path=path, feed_url=server.url, policy=FAST)
            task = asyncio.create_task(pipeline.run())
            watch = Watch(pipeline)
            try:
                await server.wait_subscribed(1)
                for n in range(1, 301):
                    server.publish_event(make_event(n))
                await watch.until(lambda: watch.stored() == 300)
                disk.fill()
                for n in range(301, 1201):
                    server.publish_event(make_event(n))
                await watch.until(lambda: pipeline.status.storage is StorageTrouble.FULL)
                # Reading stops while the store is full: the server keeps what was not read.
                await watch.until(lambda: server.subscribed == 0)
                for n in range(1201, 1301):
                    server.publish_event(make_event(n))
                paused["cursor"] = stored_cursor(path)
                paused["stored"] = watch.stored()
                paused["status"] = pipeline.status
                paused["shown"] = watch.changes[-1].feed
                # Still full three attempts later: the writer keeps retrying, nothing moves.
                tried = attempts.count
                await watch.until(lambda: attempts.count >= tried + 3)
                assert stored_cursor(path) == paused["cursor"]
                assert server.subscribed == 0
                disk.free()
                await watch.until(lambda: watch.stored() == 1300)
                await watch.until(lambda: pipeline.status.state is ConnectionState.CONNECTED)
                assert pipeline.status.storage is None
                assert watch.changes[-1].feed.storage is None
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())

    assert paused["status"].storage is StorageTrouble.FULL
    assert "full" in paused["status"].detail
    assert paused["shown"].storage is StorageTrouble.FULL  # what the status bar and panel were handed
    assert 300 <= paused["stored"] < 1300
    assert paused["cursor"] is not None
    assert 300 <= paused["cursor"] < 1300
    conn = read_only(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute("SELECT event_id, revision, duplicates FROM events ORDER BY seq").fetchall()
        assert [row[0] for row in rows] == [f"iot-test-{n:06d}" for n in range(1, 1301)]
        assert {(row[1], row[2]) for row in rows} == {(1, 0)}
        assert conn.execute("SELECT last_seq FROM feed_state").fetchone() == (1300,)
    finally:
        conn.close()
