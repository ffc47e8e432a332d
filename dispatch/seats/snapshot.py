"""Snapshots of a seat's replica: a copy at one log sequence, without what is local, packed and checked."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec

from dispatch.casework.records import audit
from dispatch.casework.records.discovery import CURSOR_KEY as DISCOVERY_CURSOR
from dispatch.casework.records.inbox import CURSOR_KEY as INBOX_CURSOR
from dispatch.seats.apply import AT_KEY, SEQ_KEY, TERM_KEY, read_cursor
from dispatch.store.database import SCHEMA_VERSION, STORE_MODE

log = logging.getLogger(__name__)
MAGIC = b"tianshu-snapshot\n"
FORMAT = 1
MAX_HEADER = 4096
CHUNK = 1 << 20
LEVEL = 6  # zlib: a store of cases shrinks about fivefold; higher levels cost far more time than they save
# The leader takes one every EVERY_ENTRIES applied entries or every EVERY_S of its clock, whichever
# comes first; the hub keeps the newest KEEP. A seat more than EVERY_ENTRIES behind the newest (or new)
# starts from it instead of replaying.
EVERY_ENTRIES = 10_000
EVERY_S = 600.0
KEEP = 3

# What the log writes (CaseDesk, Discovery, sweep_cards and the apply itself): the same on every replica.
REPLICATED = frozenset({
    "cases", "case_events", "cases_fts", "cases_fts_config", "cases_fts_data", "cases_fts_docsize",
    "cases_fts_idx", "audit", "events", "outbox", "merge_proposals", "clear_proposals",
    "duplicate_masters", "case_episodes", "failed_items", "loop_state", "level_outbox", "level_inbox",
    "unit_reports", "metrics", "handovers",
})  # fmt: skip
# What only this seat writes (SeatLoop.write, its own feed, its accounts): emptied in a snapshot.
LOCAL = (
    "operators", "sign_in_failures", "account_log", "report_inbox", "unit_positions",
    "unit_track", "quarantine", "gaps", "feed_state",
)  # fmt: skip
REPLICATED_STATE = frozenset({SEQ_KEY, AT_KEY, TERM_KEY, DISCOVERY_CURSOR})
# loop_state keys of local records: the demo accounts made, the report inbox's cursor, the store's own id
# for its signed audit checkpoints (two stores must never share it).
LOCAL_STATE = ("demo_operators", INBOX_CURSOR, "audit_store_id")
REPLICATED_JOBS = ("discovery", "supervision")  # the periodic jobs that run at apply
# Local marks on replicated rows: an order's sending (only one seat may send), the failures of jobs that
# run locally. (An officer's retry of set-aside items is a log entry: its marks are the same everywhere.)
_LOCAL_MARKS = {
    "outbox": "sent_at IS NOT NULL OR attempts != 0 OR acked_at IS NOT NULL",
    "failed_items": f"job NOT IN {REPLICATED_JOBS!r}",
}
_RESETS = (
    "UPDATE outbox SET sent_at = NULL, attempts = 0, acked_at = NULL WHERE " + _LOCAL_MARKS["outbox"],
    f"DELETE FROM failed_items WHERE job NOT IN {REPLICATED_JOBS!r}",
)


class BadSnapshot(Exception):
    """A snapshot that cannot be taken or used: the reason says why. A seat then replays the log."""


class SnapshotInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A snapshot's header: where in which log it stands and what its store must hold."""

    format: int
    centre: str
    seq: int  # the last log entry it holds (its loop_state cursor)
    at: float  # the log's time at that entry
    schema: int  # the store's schema version (PRAGMA user_version)
    audit_rows: int
    audit_head: str
    cases: int
    size: int  # bytes of the store file
    sha256: str  # of the store file


def copy_replica(conn: sqlite3.Connection, dest: Path) -> int:
    """On the store's own thread, between batches: copy the store page by page (the backup API keeps
    every row id) into `dest`; its log sequence. Nothing is applied meanwhile, so the copy's cursor is
    exactly the entries it holds."""
    target = sqlite3.connect(dest)
    try:
        conn.backup(target)
        return read_cursor(target)[0]
    finally:
        target.close()


def strip(conn: sqlite3.Connection) -> None:
    """Remove from a copy whatever is local to the seat it came from. Every table and loop_state key
    must be known as replicated or local: one that is neither (a new migration) refuses the snapshot
    rather than carrying a seat's own records to others or leaving out what the log wrote."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    unknown = sorted(t for t in tables - REPLICATED - set(LOCAL) if not t.startswith("sqlite_"))
    if unknown:
        raise BadSnapshot(f"tables neither replicated nor local (classify them in {__name__}): {unknown}")
    keys = {key for (key,) in conn.execute("SELECT key FROM loop_state")}
    unknown = sorted(keys - REPLICATED_STATE - set(LOCAL_STATE))
    if unknown:
        raise BadSnapshot(
            f"loop_state keys neither replicated nor local (classify them in {__name__}): {unknown}"
        )
    conn.execute("PRAGMA secure_delete = ON")  # what is deleted (password hashes) is overwritten too
    with _transaction(conn):
        for table in sorted(tables & set(LOCAL)):
            # Append-only tables guard their rows with triggers: lifted for the emptying, then put back.
            triggers = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            ).fetchall()
            for name, _ in triggers:
                conn.execute(f'DROP TRIGGER "{name}"')
            conn.execute(f'DELETE FROM "{table}"')
            for _, sql in triggers:
                conn.execute(sql)
        marks = ", ".join("?" * len(LOCAL_STATE))
        conn.execute(f"DELETE FROM loop_state WHERE key IN ({marks})", LOCAL_STATE)
        if "sqlite_sequence" in tables:
            marks = ", ".join("?" * len(LOCAL))
            conn.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marks})", LOCAL)
        for sql in _RESETS:
            conn.execute(sql)


def carry_local(old: Path, new: Path) -> None:
    """Copy what only this seat holds from its store at `old` into `new`, a snapshot just restored
    beside it: its sign-in accounts and their log, its feed's bookkeeping, the units' positions, the
    orders it sent and the failures of its own jobs — so that a console restoring a snapshot (far behind,
    or the log trimmed past it) loses none of its own records. Columns the two have in common (a store
    of an older build lacks the newer ones). sqlite3.Error when it cannot: the restore is then given up."""
    conn = sqlite3.connect(new.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS old", (f"{old.resolve().as_uri()}?mode=ro",))
        theirs = {name for (name,) in conn.execute("SELECT name FROM old.sqlite_master WHERE type = 'table'")}
        with _transaction(conn):
            for table in LOCAL:
                if table in theirs:
                    names = ", ".join(f'"{column}"' for column in _common_columns(conn, table))
                    conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM old."{table}"')
            if "loop_state" in theirs:
                marks = ", ".join("?" * len(LOCAL_STATE))
                conn.execute(
                    "INSERT OR REPLACE INTO main.loop_state (key, value) "
                    f"SELECT key, value FROM old.loop_state WHERE key IN ({marks})",
                    LOCAL_STATE,
                )
            if "outbox" in theirs:  # the orders this seat sent stay sent (only one seat may send one)
                conn.execute(
                    "UPDATE main.outbox SET sent_at = o.sent_at, attempts = o.attempts, "
                    "acked_at = o.acked_at FROM old.outbox AS o WHERE o.order_id = outbox.order_id "
                    "AND (o.sent_at IS NOT NULL OR o.attempts != 0 OR o.acked_at IS NOT NULL)"
                )
            if "failed_items" in theirs:
                names = ", ".join(f'"{c}"' for c in _common_columns(conn, "failed_items") if c != "id")
                conn.execute(
                    f"INSERT INTO main.failed_items ({names}) SELECT {names} FROM old.failed_items "
                    f"WHERE {_LOCAL_MARKS['failed_items']}"
                )
        conn.execute("DETACH DATABASE old")
    finally:
        conn.close()


def _common_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    ours = [row[1] for row in conn.execute(f'PRAGMA main.table_info("{table}")')]
    theirs = {row[1] for row in conn.execute(f'PRAGMA old.table_info("{table}")')}
    return [column for column in ours if column in theirs]


def local_records(conn: sqlite3.Connection) -> tuple[str, ...]:
    """What in this store is only this seat's (none in a snapshot, nor in a store that never did more
    than follow the log)."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = []
    for table in LOCAL:
        if table in tables:
            (rows,) = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            if rows:
                found.append(f"{table}: {rows} rows")
    for table, marked in _LOCAL_MARKS.items():
        if table in tables:
            (rows,) = conn.execute(f"SELECT count(*) FROM {table} WHERE {marked}").fetchone()
            if rows:
                found.append(f"{table}: {rows} rows marked by this seat")
    if "loop_state" in tables:
        marks = ", ".join("?" * len(LOCAL_STATE))
        keys = conn.execute(f"SELECT key FROM loop_state WHERE key IN ({marks}) ORDER BY key", LOCAL_STATE)
        found.extend(f"loop_state: {key}" for (key,) in keys)
    return tuple(found)


def pack(copy: Path, out: Path, centre: str) -> SnapshotInfo:
    """Turn a copy (copy_replica) into a snapshot file at `out`: local records stripped, checked as a
    restore will check it, compressed. Blocking: run it off the store's and the hub's threads."""
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        strip(conn)
        info = _inspect(conn, centre)
    finally:
        conn.close()
    size, digest = _file_digest(copy)
    info = msgspec.structs.replace(info, size=size, sha256=digest)
    write_snapshot(copy, out, info)
    return info


def write_snapshot(store: Path, out: Path, info: SnapshotInfo) -> None:
    """The snapshot format: MAGIC, the header as one JSON line, then the store file compressed (zlib)."""
    compressor = zlib.compressobj(LEVEL)
    with store.open("rb") as source, out.open("wb") as sink:
        sink.write(MAGIC + msgspec.json.encode(info) + b"\n")
        for chunk in iter(lambda: source.read(CHUNK), b""):
            sink.write(compressor.compress(chunk))
        sink.write(compressor.flush())


def unpack(source: Path, dest: Path, centre: str, seq: int) -> SnapshotInfo:
    """Write the store held in the snapshot file `source` to `dest` and check it: its header (this
    centre, log entry `seq`, this build's schema), the bytes (length, SHA-256, a complete stream), then
    the store itself (integrity_check, the cursor, the audit chain's head, no local records). Any fault
    is BadSnapshot and leaves no `dest` behind."""
    try:
        with source.open("rb") as reader:
            info = _header(reader, centre, seq)
            _inflate(reader, dest, info)
        conn = sqlite3.connect(dest)
        try:
            found = _inspect(conn, centre)
        finally:
            conn.close()
        expected = msgspec.structs.replace(info, size=0, sha256="")
        if found != expected:
            raise BadSnapshot(
                f"the store does not match its header: it holds {found}, the header says {expected}"
            )
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return info


def _header(reader: IO[bytes], centre: str, seq: int) -> SnapshotInfo:
    if reader.read(len(MAGIC)) != MAGIC:
        raise BadSnapshot("not a Tianshu snapshot (no magic line)")
    line = reader.readline(MAX_HEADER)
    try:
        info = msgspec.json.decode(line, type=SnapshotInfo)
    except msgspec.ValidationError as error:
        raise BadSnapshot(f"its header cannot be read: {error}") from None
    except msgspec.DecodeError:
        raise BadSnapshot("its header is not one JSON line (cut short, or damaged)") from None
    if info.format != FORMAT:
        raise BadSnapshot(f"format {info.format}; this build reads format {FORMAT}")
    if info.centre != centre:
        raise BadSnapshot(f"taken for centre {info.centre!r}, not {centre!r}")
    if info.seq != seq:
        raise BadSnapshot(f"named for log entry {seq} but holds entry {info.seq}")
    if info.schema != SCHEMA_VERSION:
        raise BadSnapshot(f"store schema {info.schema}; this build expects schema {SCHEMA_VERSION}")
    return info


def _inflate(reader: IO[bytes], dest: Path, info: SnapshotInfo) -> None:
    inflater = zlib.decompressobj()
    digest = hashlib.sha256()
    size = 0
    dest.unlink(missing_ok=True)
    # A restored store is readable by its owner only, like every store (it holds case files).
    with os.fdopen(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, STORE_MODE), "wb") as sink:
        try:
            for chunk in iter(lambda: reader.read(CHUNK), b""):
                pending = chunk
                while pending:
                    # At most CHUNK out per call: free pages compress a thousandfold, memory must not.
                    data = inflater.decompress(pending, CHUNK)
                    pending = inflater.unconsumed_tail
                    if inflater.unused_data:
                        raise BadSnapshot("bytes after the end of the compressed store")
                    size += len(data)
                    if size > info.size:
                        raise BadSnapshot(f"the store is longer than the {info.size} bytes its header says")
                    digest.update(data)
                    sink.write(data)
        except zlib.error as error:
            raise BadSnapshot(f"the compressed store is damaged: {error}") from None
        if not inflater.eof:
            raise BadSnapshot("the compressed store is cut short")
        sink.flush()
        os.fsync(sink.fileno())
    if (size, digest.hexdigest()) != (info.size, info.sha256):
        raise BadSnapshot(
            f"the store's bytes differ from its header ({size} bytes for {info.size}, or another SHA-256)"
        )


def _inspect(conn: sqlite3.Connection, centre: str) -> SnapshotInfo:
    """Check a snapshot's store as a restore does, and the header its content calls for (size and
    digest left out: they are the file's)."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise BadSnapshot(f"the store fails SQLite's integrity check: {'; '.join(problems)}")
        chain = audit.verify(conn, cases=False)
        if not chain.ok:
            raise BadSnapshot(f"its audit chain is broken at row {chain.broken_at}: {chain.problem}")
        found = local_records(conn)
        if found:
            raise BadSnapshot(f"it carries a seat's local records: {', '.join(found)}")
        seq, at = read_cursor(conn)
        (schema,) = conn.execute("PRAGMA user_version").fetchone()
        (cases,) = conn.execute("SELECT count(*) FROM cases").fetchone()
    except (sqlite3.DatabaseError, ValueError) as error:
        raise BadSnapshot(f"the store cannot be read: {error}") from None
    return SnapshotInfo(FORMAT, centre, seq, at, int(schema), chain.rows, chain.head, int(cases), 0, "")


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
