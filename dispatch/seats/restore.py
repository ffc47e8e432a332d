"""A seat starts from the hub's newest snapshot instead of the whole log; the leader keeps the snapshots."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import glob
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dispatch.seats.apply import read_cursor
from dispatch.seats.hub import Hub, HubUnavailable
from dispatch.seats.snapshot import (
    EVERY_ENTRIES,
    EVERY_S,
    KEEP,
    BadSnapshot,
    SnapshotInfo,
    carry_local,
    local_records,
    pack,
    unpack,
)

log = logging.getLogger(__name__)
# How long a download may take before the seat gives up on it and replays the log instead.
DOWNLOAD_S = 120.0
# A store this many entries behind the newest snapshot, or more, starts from it (if it holds nothing local).
BEHIND = EVERY_ENTRIES
_SCRATCH = ("copy", "fetch", "restore")  # the files a snapshot passes through beside the store


@dataclass(frozen=True, slots=True)
class StoreState:
    """A seat's store before it opens, as far as a restore goes."""

    applied: int  # its cursor (0: new, or never followed a log)
    local: tuple[str, ...]  # what only it holds (sign-ins, notes …): such a store is never replaced
    in_use: bool = False  # another process has it open


class Schedule:
    """When the leader takes the next snapshot: EVERY_ENTRIES applied since the last, or EVERY_S of
    its clock with anything new, whichever comes first (counted from the seat's start)."""

    def __init__(self, applied: int, now: float) -> None:
        self.seq, self.at = applied, now

    def due(self, applied: int, now: float) -> bool:
        return applied - self.seq >= EVERY_ENTRIES or (applied > self.seq and now - self.at >= EVERY_S)

    def tried(self, applied: int, now: float) -> None:
        """A snapshot was started at `applied` (taken or not: a failure waits for the next turn)."""
        self.seq, self.at = applied, now


def inspect_store(db_path: Path) -> StoreState:
    """The cursor and local records of the store at `db_path` (absent: a new one). Its write-ahead log
    is folded back and removed on the way (the last connection's close does), so that a store replaced
    after this leaves no log of its own beside the new one."""
    if not db_path.exists():
        return StoreState(0, ())
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied = read_cursor(conn)[0] if "loop_state" in tables else 0
        state = StoreState(applied, local_records(conn))
    finally:
        conn.close()
    if _sidecars(db_path):
        return StoreState(state.applied, state.local, in_use=True)
    return state


def install(restored: Path, db_path: Path, was: StoreState) -> None:
    """Make `restored` the store at `db_path`, in one rename; refused (BadSnapshot) when the store
    changed since it was inspected."""
    now = inspect_store(db_path)
    if now != was:
        raise BadSnapshot(f"the store changed while the snapshot was fetched ({was} then {now})")
    os.replace(restored, db_path)
    with contextlib.suppress(OSError):  # the rename survives a power cut once its directory is synced
        directory = os.open(db_path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


async def restore(hub: Hub, db_path: Path) -> SnapshotInfo | None:
    """Before the seat's store opens: if it is new (cursor 0), more than BEHIND entries behind the
    newest snapshot, or behind the log's first entry (the log's retention trimmed what it had not
    applied), replace it with that snapshot — carrying over what only this seat holds (its sign-ins, the
    orders it sent: snapshot.carry_local). The snapshot's info, or None when the seat replays the log
    instead (no snapshot, not worth it, the store in use, or a snapshot refused: the reason is logged).
    Never a half-restored store."""
    _clear_leftovers(db_path)
    try:
        kept = await hub.snapshots()
        first = await hub.first_seq()
    except HubUnavailable as error:
        log.warning("%s: cannot list the snapshots, replaying the log: %s", db_path.name, error)
        return None
    try:
        state = await asyncio.to_thread(inspect_store, db_path)
    except sqlite3.Error as error:  # the store's own opening will say what is wrong with it
        log.warning("%s: cannot read the store before restoring: %s", db_path.name, error)
        return None
    trimmed = state.applied + 1 < first  # the log no longer holds the next entry this store needs
    usable = [seq for seq in kept if seq + 1 >= first]  # the log holds the tail after it
    if trimmed and not usable:
        log.error("%s: the log keeps entries from %d on and no snapshot reaches it: this seat cannot "
                  "catch up (its store is at %d)", db_path.name, first, state.applied)  # fmt: skip
        return None
    if not usable:
        return None
    newest = usable[-1]
    if not trimmed and (state.applied >= newest or (state.applied and newest - state.applied <= BEHIND)):
        return None
    if state.in_use:
        log.info("%s: replaying the log from %d, not restoring snapshot %d: another process has it open",
                 db_path.name, state.applied + 1, newest)  # fmt: skip
        return None
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new seat's directory, as open_store
        with _scratch(db_path, "fetch") as fetched, _scratch(db_path, "restore") as restored:
            with fetched.open("wb") as sink:
                await hub.get_snapshot(newest, sink, DOWNLOAD_S)
            info = await asyncio.to_thread(unpack, fetched, restored, hub.centre.name, newest)
            if state.local:  # checked whole first (unpack): then this seat's own records go in
                await asyncio.to_thread(carry_local, db_path, restored)
            await asyncio.to_thread(install, restored, db_path, state)
    except BadSnapshot as error:
        log.warning("%s: snapshot %d refused, replaying the log from %d instead: %s",
                    db_path.name, newest, state.applied + 1, error)  # fmt: skip
        return None
    except (HubUnavailable, OSError, sqlite3.Error) as error:
        log.warning("%s: snapshot %d not fetched or installed, replaying the log from %d instead: %s",
                    db_path.name, newest, state.applied + 1, error)  # fmt: skip
        return None
    log.info("%s: restored snapshot %d (%d cases); following the log from %d",
             db_path.name, info.seq, info.cases, info.seq + 1)  # fmt: skip
    return info


async def keep(hub: Hub, copied: concurrent.futures.Future[int], copy: Path, centre: str) -> SnapshotInfo:
    """Once the store's thread `copied` the replica to `copy` (snapshot.copy_replica): pack it and keep
    it on the hub, then drop all but the newest KEEP, and the row deltas no seat will take any more. The
    copy is removed whatever happens."""
    packed = copy.with_name(copy.name + ".pack")  # a leftover goes with the copy's (_clear_leftovers)
    try:
        await asyncio.wrap_future(copied)
        info = await asyncio.to_thread(pack, copy, packed, centre)
        copy.unlink()
        with packed.open("rb") as source:
            await hub.put_snapshot(info.seq, source)
    finally:
        copy.unlink(missing_ok=True)
        packed.unlink(missing_ok=True)
    kept = await hub.snapshots()
    for seq in kept[:-KEEP]:
        await hub.drop_snapshot(seq)
    # A store more than BEHIND entries behind the newest snapshot starts from it: no chain of row deltas
    # (dispatch.seats.catch_up) starting earlier is ever taken.
    for first, last in await hub.deltas():
        if first < max(kept, default=info.seq) - BEHIND:
            await hub.drop_delta(first, last)
    log.info(
        "snapshot %d of %s kept on the hub (%d cases, %d bytes)", info.seq, centre, info.cases, info.size
    )
    return info


def report(done: concurrent.futures.Future[SnapshotInfo]) -> None:
    """Log a snapshot the leader could not keep (it tries again at the next turn of its Schedule)."""
    error = None if done.cancelled() else done.exception()
    if error is not None:
        log.warning("no snapshot kept this time: %s", error, exc_info=error)


def scratch_path(db_path: Path, purpose: str) -> Path:
    """A new empty file beside the store (a rename onto it stays on one file system)."""
    handle, name = tempfile.mkstemp(dir=db_path.parent, prefix=f".{db_path.name}.{purpose}-")
    os.close(handle)
    return Path(name)


@contextlib.contextmanager
def _scratch(db_path: Path, purpose: str) -> Iterator[Path]:
    path = scratch_path(db_path, purpose)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _clear_leftovers(db_path: Path) -> None:
    """Scratch files of a seat killed while it took or restored a snapshot (this seat owns its store)."""
    for purpose in _SCRATCH:
        for left in db_path.parent.glob(f".{glob.escape(db_path.name)}.{purpose}-*"):
            left.unlink(missing_ok=True)


def _sidecars(db_path: Path) -> bool:
    return any(db_path.with_name(db_path.name + end).exists() for end in ("-wal", "-journal"))
