"""A store whose folder or file name holds URI syntax (`?`, `#`, `%`, spaces, a leading "file:") or any
other character is read read-only exactly where it lies: never another file, never a stray file created."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.feed.order_sender import OrderSender
from dispatch.store.database import open_store
from dispatch.store.read_only import open_read_only, read_only_uri
from sim.fuzz_check import check
from tests.dispatch.casework.policies import dispatched_store

# Each would mislead a URI built by pasting the path in: `#` cuts the rest (mode=ro included) off and
# SQLite creates the truncated name read-write; `?` starts the options early; `%41` is read as "A".
HOSTILE = (
    "case#1.sqlite3",
    "what?mode=rwc.sqlite3",
    "100%41 sure.sqlite3",
    "%2e%2e%2fescape.sqlite3",
    "with  spaces .sqlite3",
    "天枢 存储 #2.sqlite3",
    "file:store.sqlite3",
    "file:evidence.sqlite3?immutable=1&mode=rw",
    "a&b=c;d.sqlite3",
)
HOSTILE_FOLDER = "desk ?#%25 天枢"


def hostile_path(root: Path, name: str) -> Path:
    folder = root / HOSTILE_FOLDER
    folder.mkdir(exist_ok=True)
    return folder / name


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def strays(path: Path) -> list[str]:
    """Files beside the store that are neither it nor its -wal and -shm (what a misread URI creates)."""
    own = {path.name, f"{path.name}-wal", f"{path.name}-shm"}
    return sorted(file.name for file in path.parent.iterdir() if file.name not in own)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_store_at_a_hostile_path_is_read_where_it_lies_and_stays_unchanged(
    tmp_path: Path, name: str
) -> None:
    path = hostile_path(tmp_path, name)
    db = open_store(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES (?)", [name])
    db.close()
    conn = open_read_only(path)
    try:
        assert conn.execute("SELECT text FROM notes").fetchall() == [(name,)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("INSERT INTO notes VALUES ('written')")
    finally:
        conn.close()
    assert strays(path) == []


@pytest.mark.parametrize("name", HOSTILE)
def test_the_outbox_at_a_hostile_path_reaches_the_feed(tmp_path: Path, name: str) -> None:
    path = hostile_path(tmp_path, name)
    order_id = dispatched_store(path)[1]

    class Sink:
        def __init__(self) -> None:
            self.frames: list[str] = []
            self.got = asyncio.Event()

        async def send(self, message: str) -> None:
            self.frames.append(message)
            self.got.set()

    async def first_frame() -> list[str]:
        sink = Sink()
        task = asyncio.create_task(OrderSender(path, poll_s=0.05).serve(sink))
        try:
            await asyncio.wait_for(sink.got.wait(), 10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        return sink.frames

    frames = asyncio.run(first_frame())
    assert [json.loads(frame)["order"]["order_id"] for frame in frames] == [order_id]
    assert strays(path) == []


@pytest.mark.parametrize("name", HOSTILE)
def test_the_fuzz_check_reads_a_store_at_a_hostile_path(tmp_path: Path, name: str) -> None:
    path = hostile_path(tmp_path, name)
    db = open_store(path)
    db.execute("INSERT INTO feed_state (feed, last_seq, updated_at) VALUES ('ws://feed', 7, 0)")
    db.close()
    log = tmp_path / "fuzz.jsonl"
    log.write_text(json.dumps({"seq": 3, "kind": "hostile:not_json"}) + "\n", encoding="utf-8")
    result = check(log, path)
    assert (result.cursor, result.hostile, result.quarantined) == (7, 1, {})


# Any character a POSIX file name may hold, and names made of URI syntax and "file:" prefixes.
_ANY = st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00")
_URI_SYNTAX = st.sampled_from([*"?#%&=:;+@ .~-_", "%2F", "%00", "%25", "file:", "//", "天", "é"])
_NAMES = st.one_of(
    st.text(_ANY, min_size=1, max_size=30),
    st.lists(_URI_SYNTAX, min_size=1, max_size=12).map("".join).map(lambda s: s.replace("//", "_")),
    st.tuples(st.sampled_from(["file:", "file://", "file:///"]), st.text(_ANY, max_size=10)).map(
        lambda pair: (pair[0] + pair[1]).replace("/", "_")
    ),
).filter(lambda name: name not in {".", ".."} and len(os.fsencode(name)) <= 120)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_NAMES)
def test_any_file_name_opens_read_only_exactly_that_file(name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / name
        folder.mkdir()
        path = folder / f"{name}.db"
        uri = read_only_uri(path)
        parts = urlsplit(uri)
        assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("file", "", "mode=ro", "")
        assert unquote_to_bytes(parts.path) == os.fsencode(path.resolve())
        made = sqlite3.connect(os.fspath(path))
        made.execute("CREATE TABLE notes (text TEXT)")
        made.execute("INSERT INTO notes VALUES (?)", [name])
        made.commit()
        made.close()
        conn = open_read_only(path)
        try:
            assert conn.execute("SELECT text FROM notes").fetchall() == [(name,)]
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                conn.execute("DELETE FROM notes")
        finally:
            conn.close()
        assert files_under(root) == sorted([name, str(Path(name) / path.name)])


def test_a_relative_store_name_beginning_with_file_is_a_file_name_not_a_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--db file:evidence?x` from the working folder: this SQLite reads such a name as a URI, which
    would put the store in a file named "evidence"."""
    monkeypatch.chdir(tmp_path)
    relative = Path("file:evidence?mode=memory.sqlite3")
    db = open_store(relative)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES ('kept')")
    db.close()
    assert files_under(tmp_path) == [relative.name]
    conn = open_read_only(relative)
    try:
        assert conn.execute("SELECT text FROM notes").fetchall() == [("kept",)]
    finally:
        conn.close()
