"""Reading a store on read-only media (an archive disc, a write-protected copy): no -wal or -shm can be
created there, yet every row is readable; a copy whose log still holds changes is refused, not misread."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dispatch.store.database import open_read_only, open_store
from dispatch.store.read_only import read_only_uri


@contextmanager
def read_only_view(folder: Path) -> Iterator[Path]:
    """`folder` as read-only media: a read-only bind mount when running as root (root writes through
    any file mode), otherwise the folder and its files made unwritable. Skips where neither can bite."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in (folder, *folder.iterdir())}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield folder
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    view = folder.with_name(folder.name + "-media")
    view.mkdir()
    bound = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True, check=False)
    if bound.returncode != 0:
        pytest.skip("running as root without the mount capability: no way to make media read-only here")
    try:
        sealed = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(view)], capture_output=True, check=False
        )
        if sealed.returncode != 0:
            pytest.skip("this kernel refused a read-only bind mount")
        yield view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True, check=False)


def assert_read_only(folder: Path) -> None:
    """The media really refuse writes, and SQLite's ordinary read-only mode cannot open a WAL store
    there (it would need to create the -shm file): the situation the store must cope with."""
    with pytest.raises(OSError):  # noqa: PT011 - EROFS or EACCES, whichever the media give
        (folder / "probe").touch()
    plain = sqlite3.connect(read_only_uri(folder / "store.sqlite3"), uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="unable to open"):
            plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        plain.close()


def make_store(folder: Path, rows: int) -> Path:
    folder.mkdir()
    path = folder / "store.sqlite3"
    db = open_store(path)
    db.execute("CREATE TABLE notes (n INTEGER)")
    db.conn.executemany("INSERT INTO notes VALUES (?)", [(n,) for n in range(rows)])
    db.close()
    return path


def copy_while_in_use(source: Path, folder: Path, *, with_shm: bool) -> None:
    """Copy a store whose newest rows are still only in its -wal (as a backup taken while it runs)."""
    db = open_store(source)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.conn.executemany("INSERT INTO notes VALUES (?)", [(n,) for n in range(1000, 1010)])
    folder.mkdir()
    suffixes = ("", "-wal", "-shm") if with_shm else ("", "-wal")
    for suffix in suffixes:
        shutil.copyfile(f"{source}{suffix}", folder / f"store.sqlite3{suffix}")
    db.close()


def test_a_cleanly_closed_store_on_read_only_media_reads_whole(tmp_path: Path) -> None:
    make_store(tmp_path / "disc", rows=500)
    with read_only_view(tmp_path / "disc") as media:
        assert_read_only(media)
        conn = open_read_only(media / "store.sqlite3")
        try:
            assert conn.execute("SELECT count(*), sum(n) FROM notes").fetchone() == (500, sum(range(500)))
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                conn.execute("INSERT INTO notes VALUES (1)")
        finally:
            conn.close()
        assert sorted(p.name for p in media.iterdir()) == ["store.sqlite3"]


def test_a_copy_taken_in_use_with_its_shm_reads_the_newest_rows(tmp_path: Path) -> None:
    source = make_store(tmp_path / "live", rows=5)
    copy_while_in_use(source, tmp_path / "disc", with_shm=True)
    with read_only_view(tmp_path / "disc") as media:
        conn = open_read_only(media / "store.sqlite3")
        try:
            assert conn.execute("SELECT count(*) FROM notes").fetchone() == (15,)
        finally:
            conn.close()


def test_a_copy_whose_log_holds_changes_but_has_no_shm_is_refused_with_the_reason(tmp_path: Path) -> None:
    """Opened immutable, SQLite would ignore the -wal and show an older store without a word."""
    source = make_store(tmp_path / "live", rows=5)
    copy_while_in_use(source, tmp_path / "disc", with_shm=False)
    refused = pytest.raises(sqlite3.OperationalError, match=r"store\.sqlite3-wal holds changes")
    with read_only_view(tmp_path / "disc") as media, refused:
        open_read_only(media / "store.sqlite3")


def test_on_writable_storage_a_reader_sees_a_live_writer(tmp_path: Path) -> None:
    """Away from read-only media the reader is an ordinary WAL reader, never an immutable one."""
    path = make_store(tmp_path / "disk", rows=3)
    writer = open_store(path)
    reader = open_read_only(path)
    try:
        writer.execute("INSERT INTO notes VALUES (7)")
        assert reader.execute("SELECT count(*) FROM notes").fetchone() == (4,)
    finally:
        reader.close()
        writer.close()
