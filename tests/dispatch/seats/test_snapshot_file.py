"""A snapshot file, without a hub: it holds exactly the replicated store at its sequence, nothing local,
and any damage to it is refused whole."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.casework.model import Action, Command
from dispatch.casework.records.discovery import district_from_grid
from dispatch.seats.apply import Applier, read_cursor
from dispatch.seats.entries import command_entry, encode, event_entry
from dispatch.seats.restore import Schedule
from dispatch.seats.snapshot import (
    EVERY_ENTRIES,
    EVERY_S,
    LOCAL,
    MAGIC,
    REPLICATED,
    BadSnapshot,
    SnapshotInfo,
    copy_replica,
    local_records,
    pack,
    unpack,
    write_snapshot,
)
from dispatch.seats.verify import differences
from dispatch.store.database import SCHEMA_VERSION, open_store
from tests.dispatch.casework.policies import DISPATCHER, LEAD, MONDAY_9, POLICY
from tests.dispatch.seats.local_rows import SECRET, write_local_records
from tests.dispatch.seats.seating import event

CENTRE = "city"


def build_replica(path: Path, reports: int = 6) -> int:
    """A seat's store after a short log (reports opening cases, a register and a dispatch), with a
    record of every local kind written beside it; its log sequence."""
    db = open_store(path)
    try:
        applier = Applier(db.conn, POLICY, district_from_grid)
        seq = 0
        for n in range(reports):
            fields = event(f"e{n}", MONDAY_9 + n, lon=114.30 + n / 100)
            seq += 1
            applier.apply(seq, encode(event_entry(fields, "a", MONDAY_9 + n)))
        for version, command in enumerate(
            (
                Command(1, 1, Action.REGISTER, LEAD),
                Command(1, 2, Action.DISPATCH, DISPATCHER, payload={"unit": "U-1"}),
            )
        ):
            seq += 1
            outcome = applier.apply(seq, encode(command_entry(command, "b", MONDAY_9 + 60 + version)))
            assert outcome is not None
            assert outcome.applied is not None
        write_local_records(db.conn, MONDAY_9 + 120)
    finally:
        db.close()
    return seq


def snapshot_of(store: Path, out: Path) -> SnapshotInfo:
    copy = out.with_suffix(".copy")
    conn = sqlite3.connect(store)
    try:
        copy_replica(conn, copy)
    finally:
        conn.close()
    return pack(copy, out, CENTRE)


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SnapshotInfo, bytes]:
    """One snapshot of a replica: its file, its header and the store it restores to."""
    directory = tmp_path_factory.mktemp("snapshot")
    seq = build_replica(directory / "a.sqlite3")
    info = snapshot_of(directory / "a.sqlite3", directory / "a.snapshot")
    assert info.seq == seq
    restored = directory / "restored.sqlite3"
    unpack(directory / "a.snapshot", restored, CENTRE, seq)
    return directory / "a.snapshot", info, restored.read_bytes()


def test_every_table_of_the_store_is_either_replicated_or_local(tmp_path: Path) -> None:
    db = open_store(tmp_path / "fresh.sqlite3")
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()
    # A table added by a migration must be classified, or every snapshot is refused (below).
    assert {t for t in tables if not t.startswith("sqlite_")} <= REPLICATED | set(LOCAL)
    assert not REPLICATED & set(LOCAL)


def test_a_snapshot_restores_the_replica_and_nothing_local(
    packed: tuple[Path, SnapshotInfo, bytes], tmp_path: Path
) -> None:
    snapshot, info, _ = packed
    original = snapshot.with_name("a.sqlite3")
    restored = tmp_path / "restored.sqlite3"
    assert unpack(snapshot, restored, CENTRE, info.seq) == info
    # seats verify's own check: same log sequence, audit head and every case row.
    assert differences(original, restored) == []
    conn = sqlite3.connect(restored)
    try:
        assert read_cursor(conn)[0] == info.seq
        assert (info.cases, info.schema) == (6, SCHEMA_VERSION)
        assert local_records(conn) == ()
        # The dispatch's order is there, as on every replica, but not as sent from the first seat.
        assert conn.execute("SELECT unit, sent_at, attempts FROM outbox").fetchall() == [("U-1", None, 0)]
    finally:
        conn.close()
    conn = sqlite3.connect(original)
    try:
        assert len(local_records(conn)) == 7  # they were there to leave out
    finally:
        conn.close()
    # Not even in free pages: a password hash never leaves its seat.
    assert SECRET.encode() not in restored.read_bytes()
    assert SECRET.encode() not in zlib.decompress(snapshot.read_bytes().split(b"\n", 2)[2])


@st.composite
def damage(draw: st.DrawFn, size: int) -> tuple[str, int, bytes]:
    # Half of the draws aim at the magic line and the header, where every byte means something.
    where = draw(st.one_of(st.integers(0, 400), st.integers(0, size - 1)))
    kind = draw(st.sampled_from(["cut", "overwrite", "insert", "flip"]))
    data = draw(st.binary(min_size=1, max_size=16)) if kind in ("overwrite", "insert") else b""
    return kind, where, data


def damaged(blob: bytes, kind: str, where: int, data: bytes) -> bytes:
    if kind == "cut":
        return blob[:where]
    if kind == "overwrite":
        return blob[:where] + data + blob[where + len(data) :]
    if kind == "insert":
        return blob[:where] + data + blob[where:]
    return blob[:where] + bytes([blob[where] ^ 0x10]) + blob[where + 1 :]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_snapshot_is_refused_whole_or_restores_the_same_store(
    packed: tuple[Path, SnapshotInfo, bytes], tmp_path: Path, data: st.DataObject
) -> None:
    snapshot, info, store = packed
    kind, where, extra = data.draw(damage(snapshot.stat().st_size))
    blob = damaged(snapshot.read_bytes(), kind, where, extra)
    source, dest = tmp_path / "in.snapshot", tmp_path / "out.sqlite3"
    source.write_bytes(blob)
    dest.unlink(missing_ok=True)
    got: SnapshotInfo | BadSnapshot
    try:
        got = unpack(source, dest, CENTRE, info.seq)
    except BadSnapshot as refused:
        got = refused
    if isinstance(got, BadSnapshot):
        assert str(got)  # a reason to log
        assert not dest.exists()  # never a half-restored store
    else:
        assert (got, dest.read_bytes()) == (info, store)


def test_a_snapshot_for_another_schema_is_refused(
    packed: tuple[Path, SnapshotInfo, bytes], tmp_path: Path
) -> None:
    _, info, store = packed
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(store)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    # Written by a newer build: its header says so, honestly.
    out = tmp_path / "newer.snapshot"
    write_snapshot(newer, out, msgspec.structs.replace(info, schema=SCHEMA_VERSION + 1, sha256=_sha(newer)))
    with pytest.raises(
        BadSnapshot, match=f"schema {SCHEMA_VERSION + 1}; this build expects schema {SCHEMA_VERSION}"
    ):
        unpack(out, tmp_path / "restored.sqlite3", CENTRE, info.seq)
    # A header claiming this build's schema over such a store does not get it in either.
    write_snapshot(newer, out, msgspec.structs.replace(info, sha256=_sha(newer)))
    with pytest.raises(BadSnapshot, match="does not match its header"):
        unpack(out, tmp_path / "restored.sqlite3", CENTRE, info.seq)
    assert not (tmp_path / "restored.sqlite3").exists()


def test_a_store_that_fails_its_checks_is_refused_even_with_a_matching_header(
    packed: tuple[Path, SnapshotInfo, bytes], tmp_path: Path
) -> None:
    snapshot, info, store = packed
    # A snapshot taken wrongly (its bytes are what its header says, and still it is no good store).
    broken = tmp_path / "broken.sqlite3"
    page = 4096
    broken.write_bytes(store[: 3 * page] + b"\xff" * page + store[4 * page :])
    out = tmp_path / "broken.snapshot"
    write_snapshot(broken, out, msgspec.structs.replace(info, sha256=_sha(broken)))
    with pytest.raises(BadSnapshot, match=r"integrity|cannot be read|audit chain"):
        unpack(out, tmp_path / "restored.sqlite3", CENTRE, info.seq)
    # Named for another entry than the one it holds, or taken for another centre.
    with pytest.raises(BadSnapshot, match=f"named for log entry {info.seq + 1}"):
        unpack(snapshot, tmp_path / "restored.sqlite3", CENTRE, info.seq + 1)
    with pytest.raises(BadSnapshot, match="taken for centre 'city'"):
        unpack(snapshot, tmp_path / "restored.sqlite3", "district-7", info.seq)
    assert not (tmp_path / "restored.sqlite3").exists()
    assert snapshot.read_bytes().startswith(MAGIC)


def test_a_table_nobody_classified_refuses_the_snapshot(tmp_path: Path) -> None:
    build_replica(tmp_path / "a.sqlite3", reports=1)
    conn = sqlite3.connect(tmp_path / "a.sqlite3")
    conn.execute("CREATE TABLE shift_notes (note TEXT)")
    conn.close()
    with pytest.raises(BadSnapshot, match="shift_notes"):
        snapshot_of(tmp_path / "a.sqlite3", tmp_path / "a.snapshot")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_leader_takes_one_every_so_many_entries_or_minutes_whichever_first() -> None:
    schedule = Schedule(applied=500, now=0.0)
    assert not schedule.due(500 + EVERY_ENTRIES - 1, EVERY_S - 1)
    assert schedule.due(500 + EVERY_ENTRIES, 1.0)  # the entries first
    assert schedule.due(501, EVERY_S)  # the minutes first, with something new
    assert not schedule.due(500, EVERY_S * 10)  # nothing new: the last one still holds everything
    schedule.tried(520, EVERY_S)
    assert not schedule.due(521, EVERY_S * 2 - 1)
    assert schedule.due(521, EVERY_S * 2)
