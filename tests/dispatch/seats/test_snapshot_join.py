"""A seat joining late starts from the leader's snapshot on the hub plus the log's tail, and agrees with
the others; a bad snapshot is refused and the seat replays the log instead."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import msgspec
import nats
import pytest

from cli.main import main
from core.clock import ManualClock
from dispatch.casework.model import Action
from dispatch.seats import restore as restore_module
from dispatch.seats.seat import SeatLoop
from dispatch.seats.snapshot import EVERY_S, KEEP, MAGIC, SnapshotInfo, local_records, write_snapshot
from dispatch.seats.verify import differences
from dispatch.store.database import SCHEMA_VERSION, open_store
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.local_rows import write_local_records
from tests.dispatch.seats.seating import START, WAIT, act, event, open_seat, scalar, timeline

pytestmark = pytest.mark.slow
CENTRE = "test"
BUCKET = f"tianshu_{CENTRE}_snapshots"
T = TypeVar("T")


def on_hub(url: str, job: Callable[[nats.js.object_store.ObjectStore], Awaitable[T]]) -> T:
    """Run `job` on the centre's snapshot bucket, as any NATS client sees it."""

    async def run() -> T:
        client = await nats.connect(url)
        try:
            return await job(await client.jetstream().object_store(BUCKET))
        finally:
            await client.close()

    return asyncio.run(run())


def kept(url: str) -> list[str]:
    async def names(store: nats.js.object_store.ObjectStore) -> list[str]:
        return sorted(info.name for info in await store.list(ignore_deletes=True))

    return on_hub(url, names)


def report(seat: SeatLoop, n: int) -> tuple[int, ...]:
    return seat.publish_event(event(f"e{n}", lon=114.30 + n / 100)).result(WAIT).opened


def test_a_late_seat_starts_from_the_leaders_snapshot_then_agrees(hub: str, tmp_path: Path) -> None:
    clock = ManualClock(START)
    a = open_seat(hub, tmp_path, "a", clock=clock, lead=True)
    b = open_seat(hub, tmp_path, "b")
    seats = [a, b]
    try:
        a.wait_status(lambda status: status.leading, WAIT)
        for n in range(5):
            report(a if n % 2 else b, n)
        a.write(lambda ctx: write_local_records(ctx.desk.conn, clock.now())).result(WAIT)
        act(b, 1, Action.REGISTER, LEAD)  # the last command before the snapshot
        a.caught_up().result(WAIT)
        assert b.beat().result(WAIT) is not None
        assert b.last_snapshot is None  # a seat that does not lead takes none
        clock.advance(EVERY_S)
        a.beat().result(WAIT)  # the leader's turn: EVERY_S of its clock with entries since its start
        assert a.last_snapshot is not None
        taken = a.last_snapshot.result(WAIT)
        act(b, 1, Action.DISPATCH, DISPATCHER, unit="U-CITY")  # the first after it
        report(b, 5)
        assert kept(hub) == [f"snapshot-{taken.seq:012d}"]

        late = open_seat(hub, tmp_path, "late")
        seats.append(late)
        assert late.restored == taken
        assert late.caught_up().result(WAIT) == a.caught_up().result(WAIT) > taken.seq
        # Before and after the snapshot, every command and report is there exactly once.
        assert [row.action for row in timeline(late, 1)] == [
            Action.DISCOVER,
            Action.REGISTER,
            Action.DISPATCH,
        ]
        assert scalar(late, "SELECT count(*) || ':' || sum(duplicates) FROM events") == "6:0"
        assert scalar(late, "SELECT count(*) FROM cases") == 6
        # It works on like any seat: its command reaches the others.
        act(late, 2, Action.REGISTER, LEAD)
        for seat in seats:
            seat.caught_up().result(WAIT)
    finally:
        for seat in seats:
            seat.close()
    # The sign-in, the inbox … stayed on the leader's machine (handovers go through the log).
    records = {}
    for seat in (a, late):
        conn = sqlite3.connect(seat.db_path)
        try:
            records[seat.seat] = local_records(conn)
        finally:
            conn.close()
    assert {"operators: 1 rows", "report_inbox: 1 rows"} <= set(records["a"])
    assert records["late"] == ()
    assert differences(a.db_path, late.db_path) == []
    assert differences(b.db_path, late.db_path) == []
    assert main(["seats", "verify", *(f"--db={seat.db_path}" for seat in seats)]) == 0


def _cut(blob: bytes) -> bytes:
    return blob[: len(blob) * 2 // 3]


def _damaged(blob: bytes) -> bytes:
    middle = len(blob) - 200
    return blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1 :]


def _other_schema(blob: bytes, scratch: Path) -> bytes:
    """The same store as a newer build would write it (schema + 1), with an honest header."""
    _, header, body = blob.split(b"\n", 2)
    info = msgspec.json.decode(header, type=SnapshotInfo)
    store = scratch / "newer.sqlite3"
    store.write_bytes(zlib.decompress(body))
    conn = sqlite3.connect(store)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    out = scratch / "newer.snapshot"
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    write_snapshot(store, out, msgspec.structs.replace(info, schema=SCHEMA_VERSION + 1, sha256=digest))
    return out.read_bytes()


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("cut", "cut short"),
        ("damaged", "damaged"),
        ("other schema", f"this build expects schema {SCHEMA_VERSION}"),
    ],
)
def test_a_bad_snapshot_is_refused_and_the_seat_replays_the_log(
    hub: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str, why: str
) -> None:
    a = open_seat(hub, tmp_path, "a")
    seats = [a]
    try:
        for n in range(4):
            report(a, n)
        act(a, 1, Action.REGISTER, LEAD)
        taken = a.take_snapshot().result(WAIT)
        name = f"snapshot-{taken.seq:012d}"

        async def spoil(store: nats.js.object_store.ObjectStore) -> None:
            blob = (await store.get(name)).data
            assert blob.startswith(MAGIC)
            if kind == "cut":
                bad = _cut(blob)
            elif kind == "damaged":
                bad = _damaged(blob)
            else:
                bad = _other_schema(blob, tmp_path)
            await store.put(name, bad)

        on_hub(hub, spoil)
        report(a, 4)
        with caplog.at_level(logging.WARNING, logger="dispatch.seats.restore"):
            late = open_seat(hub, tmp_path, "late")
        seats.append(late)
        assert late.restored is None
        refusals = [
            r.getMessage() for r in caplog.records if f"snapshot {taken.seq} refused" in r.getMessage()
        ]
        assert len(refusals) == 1
        assert why in refusals[0]
        assert late.caught_up().result(WAIT) == a.applied == taken.seq + 1
        assert [row.action for row in timeline(late, 1)] == [Action.DISCOVER, Action.REGISTER]
    finally:
        for seat in seats:
            seat.close()
    assert differences(a.db_path, late.db_path) == []
    assert not [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".late.sqlite3.")
    ]  # nothing left over


def test_a_store_with_records_of_its_own_keeps_them_when_it_starts_from_a_snapshot(
    hub: str, tmp_path: Path
) -> None:
    a = open_seat(hub, tmp_path, "a")
    seats = [a]
    try:
        for n in range(3):
            report(a, n)
        a.take_snapshot().result(WAIT)
        # A console whose store already holds a sign-in (and a note …) before it first joins.
        db = open_store(tmp_path / "console.sqlite3")
        write_local_records(db.conn, START)
        own = local_records(db.conn)
        db.close()
        console = open_seat(hub, tmp_path, "console")
        seats.append(console)
        assert console.restored is not None  # the snapshot, with the console's own records carried over
        assert console.query(lambda ctx: local_records(ctx.desk.conn)).result(WAIT) == own
        assert console.caught_up().result(WAIT) == a.applied
        assert scalar(console, "SELECT group_concat(login) FROM operators") == "zhang.wei"
    finally:
        for seat in seats:
            seat.close()
    assert differences(a.db_path, console.db_path) == []


def test_the_hub_keeps_the_newest_snapshots(hub: str, tmp_path: Path) -> None:
    a = open_seat(hub, tmp_path, "a")
    try:
        taken = []
        for n in range(KEEP + 2):
            report(a, n)
            taken.append(a.take_snapshot().result(WAIT).seq)
        assert kept(hub) == [f"snapshot-{seq:012d}" for seq in taken[-KEEP:]]
        late = open_seat(hub, tmp_path / "new-seat", "late")  # a directory not made yet, as for any store
        try:
            assert late.restored is not None
            assert late.restored.seq == taken[-1]  # the newest
        finally:
            late.close()
    finally:
        a.close()
    assert differences(a.db_path, late.db_path) == []


def test_a_follower_far_behind_starts_again_from_the_snapshot(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(restore_module, "BEHIND", 3)  # 10,000 in a centre: a few here
    a = open_seat(hub, tmp_path, "a")
    seats = [a]
    try:
        wall = open_seat(hub, tmp_path, "wall")  # a wall's follower: nothing of its own in its store
        report(a, 0)
        wall.caught_up().result(WAIT)
        wall.close()
        for n in range(1, 3):
            report(a, n)
        near = a.take_snapshot().result(WAIT)
        wall = open_seat(hub, tmp_path, "wall")  # 2 behind: replaying the tail is cheaper
        assert wall.restored is None
        wall.caught_up().result(WAIT)
        wall.close()
        for n in range(3, 8):
            report(a, n)
        far = a.take_snapshot().result(WAIT)
        assert far.seq - near.seq > 3
        wall = open_seat(hub, tmp_path, "wall")
        seats.append(wall)
        assert wall.restored == far
        assert wall.caught_up().result(WAIT) == a.applied
    finally:
        for seat in seats:
            seat.close()
    assert differences(a.db_path, wall.db_path) == []


def test_a_snapshot_taken_while_entries_pour_in_holds_exactly_those_before_its_cursor(
    hub: str, tmp_path: Path
) -> None:
    a = open_seat(hub, tmp_path, "a")
    seats = [a]
    try:
        # Reports published at once: the seat applies them in batches while the copy is taken.
        sent = [a.publish_event(event(f"e{n}", lon=114.0 + n / 1000)) for n in range(150)]
        sent[0].result(WAIT)  # applied here: the copy comes after it, wherever in the stream that is
        taken = a.take_snapshot().result(WAIT)
        sent += [a.publish_event(event(f"e{n}", lon=114.0 + n / 1000)) for n in range(150, 200)]
        for done in sent:
            done.result(WAIT)
        assert 0 < taken.seq <= 150
        # The snapshot's cursor is its content: one case and one event row per entry up to it.
        assert (taken.cases, taken.audit_rows) == (taken.seq, taken.seq)
        late = open_seat(hub, tmp_path, "late")
        seats.append(late)
        assert late.restored == taken
        assert late.caught_up().result(WAIT) == 200
        assert scalar(late, "SELECT count(*) || ':' || sum(duplicates) FROM events") == "200:0"
        assert scalar(late, "SELECT count(DISTINCT event_id) FROM events") == 200
    finally:
        for seat in seats:
            seat.close()
    assert differences(a.db_path, late.db_path) == []
