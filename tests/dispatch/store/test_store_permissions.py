"""The store holds password hashes and case files: it and its -wal/-shm are its owner's alone from the
first byte, whatever the umask, and an older world-readable store of ours is closed to other users."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dispatch.feed.values import QuarantineEntry, QuarantineReason
from dispatch.store.database import open_store
from dispatch.store.write_items import QuarantineItem
from dispatch.store.writer import StoreWriter

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The most permissive umask, the common default, and a group-sharing one."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_a_new_store_and_its_wal_and_shm_are_owner_only(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "data" / "store.sqlite3"
    db = open_store(path)
    try:
        db.execute(
            "INSERT INTO operators (login, name, role, password_hash, created_at) VALUES (?,?,?,?,?)",
            ("li", "李值班", "shift_lead", HASH, 0.0),
        )
        files = {p.name: mode(p) for p in path.parent.iterdir()}
    finally:
        db.close()
    assert files == {"store.sqlite3": 0o600, "store.sqlite3-wal": 0o600, "store.sqlite3-shm": 0o600}
    assert mode(path.parent) == 0o700  # the folder it made for the store


def test_the_file_is_private_before_sqlite_writes_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No moment where another user could open the file and keep reading as hashes arrive."""
    seen: list[tuple[int, int]] = []
    connect = sqlite3.connect

    def watching_connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        where = Path(database)
        seen.append((mode(where), where.stat().st_size))
        conn: sqlite3.Connection = connect(database, *args, **kwargs)
        return conn

    monkeypatch.setattr(sqlite3, "connect", watching_connect)
    previous = os.umask(0)
    try:
        open_store(tmp_path / "store.sqlite3").close()
    finally:
        os.umask(previous)
    assert seen == [(0o600, 0)]


def test_the_feed_writer_creates_a_private_store(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    writer = StoreWriter(path, "ws://feed", lambda result: None)
    writer.submit(QuarantineItem(QuarantineEntry(1.0, QuarantineReason.NOT_JSON, "bad", "{", 1, 1)))
    assert writer.flush(30)
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {
        "store.sqlite3": 0o600,
        "store.sqlite3-wal": 0o600,
        "store.sqlite3-shm": 0o600,
    }
    writer.close()


def test_an_older_world_readable_store_loses_other_users_access_but_keeps_its_group(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    open_store(path).close()
    path.chmod(0o644)  # as stores were created before
    open_store(path).close()
    assert mode(path) == 0o640
    path.chmod(0o600)
    open_store(path).close()
    assert mode(path) == 0o600
