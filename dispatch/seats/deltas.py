"""Row deltas: what the log wrote between two of its entries, as rows — so that a seat far behind copies
them instead of running the desk again for every entry it missed.

A replica's state after entry N is the same on every seat (that is what the log's determinism buys), so
the rows any replica changed between entries A and B, read as they stand at B, bring a store at A to B
exactly. The leader records which rows its replica's apply touches (temporary triggers on its own
connection, nothing in the store's schema), and every so many entries publishes them to the hub beside the
snapshots; a seat starting behind applies the deltas that chain from its cursor, then follows the log as
always. The audit rows a delta brings must continue the seat's own hash chain, row by row, and end at the
head the delta names; anything that does not fit (another schema, a broken chain, a row the store refuses)
is refused as a whole and the seat replays the log instead.
"""

from __future__ import annotations

import json
import operator
import sqlite3
import zlib
from typing import Any

import msgspec

from dispatch.casework.records import audit
from dispatch.casework.records.checkpoints import head as audit_head  # rows = the last id: no count(*)
from dispatch.casework.search import index_text
from dispatch.seats.apply import SEQ_KEY, read_cursor
from dispatch.seats.snapshot import REPLICATED, REPLICATED_JOBS, REPLICATED_STATE
from dispatch.store.database import SCHEMA_VERSION

FORMAT = 1
MAGIC = b"tianshu-delta\n"
# Tables the log writes that a delta does not carry row by row: the search index is derived from the
# cases it brings (contentless FTS5 keeps no text to read back), loop_state's replicated keys go in the
# delta's header.
_DERIVED = frozenset({"cases_fts", "loop_state"}) | {t for t in REPLICATED if t.startswith("cases_fts_")}
# Cases first: the other tables refer to them (and inserting a case while rows referring to cases are
# pending makes SQLite look for those rows in every table that refers to cases, by a scan where there is no
# index: seconds for a delta of thousands of cases).
CAPTURED = ("cases", *sorted(REPLICATED - _DERIVED - {"cases"}))
# Columns a seat writes on replicated rows by itself (an order's sending: only the seat that sends it):
# never carried, never overwritten.
_LOCAL_COLUMNS = {"outbox": frozenset({"sent_at", "attempts", "acked_at"})}
# Rows of a replicated table that are the seat's own (its local jobs' failures), and a key other than the
# row id for a table whose ids differ between seats because of them.
_ROW_FILTER = {"failed_items": f"job IN ({', '.join(repr(job) for job in REPLICATED_JOBS)})"}
_KEY = {"failed_items": ("job", "item")}
# Tables whose rows are never deleted and whose new rows take ids above every row before (INTEGER PRIMARY
# KEY, assigned in order): their new rows are found by id at the cut, not by a trigger on every insert
# (a trigger a row added ~6 µs to storing a feed event, ~45 % of it).
_APPENDED = frozenset({"audit", "events"})
_KEYS_TABLE = "temp.seat_delta_keys"
_SET_STATE = (
    "INSERT INTO loop_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


class BadDelta(Exception):
    """A delta that cannot be applied to this store: the reason says why (the seat replays instead)."""


class TableRows(msgspec.Struct, frozen=True, forbid_unknown_fields=True, array_like=True):
    """One table's rows in a delta: as they stand at its last entry, and the keys of those gone."""

    name: str
    columns: list[str]
    key: list[str]
    rows: list[Any]  # each a list (a tuple where it was read)
    deleted: list[Any]


class Delta(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The rows the log wrote after entry `first` up to entry `last`, as they stand at `last`."""

    format: int
    centre: str
    first: int
    last: int
    schema: int
    state: dict[str, str]  # loop_state's replicated keys at `last`
    audit_rows: int  # the audit table's rows at `last` …
    audit_head: str  # … and the hash of the last one
    retried: bool  # an officer's retry of set-aside items came in the range (local ones are marked too)
    tables: list[TableRows]
    new_cases: list[int]  # the cases opened in the range (the search index is made for them)


def _columns(conn: sqlite3.Connection, table: str) -> tuple[list[str], list[str]]:
    """A table's columns as the delta carries them, and its key."""
    info = conn.execute(f'PRAGMA main.table_info("{table}")').fetchall()
    key = list(_KEY.get(table, [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]))
    local = _LOCAL_COLUMNS.get(table, frozenset())
    skipped = local | ({"id"} if table in _KEY else set())
    return [row[1] for row in info if row[1] not in skipped], key


class Recorder:
    """On the store's thread of a seat that may lead: which rows of the replicated tables its apply
    touched since entry `first` (temporary triggers on this connection only; rolled back with whatever
    touched them)."""

    def __init__(self, conn: sqlite3.Connection, first: int) -> None:
        self.conn, self.first = conn, first
        self.retried = False
        tables = {n for (n,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
        self.tables = {t: _columns(conn, t) for t in CAPTURED if t in tables}
        self.marks = self._marks()  # the appended tables' last ids at `first`
        conn.execute(
            # `inserted`: the first thing that happened to the row since `first` made it (a new case);
            # `deleted`: it was deleted since (whether it is gone is read at the cut).
            "CREATE TEMP TABLE IF NOT EXISTS seat_delta_keys (tbl TEXT NOT NULL, key TEXT NOT NULL, "
            "inserted INTEGER NOT NULL, deleted INTEGER NOT NULL, PRIMARY KEY (tbl, key)) "
            "WITHOUT ROWID"
        )
        conn.execute(f"DELETE FROM {_KEYS_TABLE}")
        for table, (_, key) in self.tables.items():
            for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
                if event == "INSERT" and table in _APPENDED:
                    continue
                keep = _ROW_FILTER.get(table)
                flags = f"{int(event == 'INSERT')}, {int(event == 'DELETE')}"
                values = ", ".join(
                    f"('{table}', json_array({', '.join(f'{row}.{c}' for c in key)}), {flags})"
                    for row in rows
                )
                when = " OR ".join(f"{row}.{keep}" for row in rows) if keep else ""
                into = f"INTO seat_delta_keys (tbl, key, inserted, deleted) VALUES {values}"
                remember = (
                    f"INSERT {into} ON CONFLICT (tbl, key) DO UPDATE SET deleted = 1"
                    if event == "DELETE"
                    else f"INSERT OR IGNORE {into}"
                )
                conn.execute(
                    f'CREATE TEMP TRIGGER IF NOT EXISTS "seat_delta_{table}_{event.lower()}" '
                    f'AFTER {event} ON main."{table}" {f"WHEN {when} " if when else ""}'
                    f"BEGIN {remember}; END"
                )

    def _marks(self) -> dict[str, int]:
        return {
            table: int(self.conn.execute(f'SELECT coalesce(max(id), 0) FROM main."{table}"').fetchone()[0])
            for table in _APPENDED
            if table in self.tables
        }

    def touched(self) -> tuple[int, int]:
        """Rows touched since `first`: those found by their keys, and those appended (the audit's, the
        feed's events: read by a range of ids, ~2.7 µs a row against ~5 µs)."""
        (keys,) = self.conn.execute(f"SELECT count(*) FROM {_KEYS_TABLE}").fetchone()
        return int(keys), sum(self._marks()[table] - mark for table, mark in self.marks.items())

    def take(self, centre: str) -> Delta:
        """Between transactions: the delta from `first` to the store's cursor; recording starts afresh
        from there."""
        conn = self.conn
        last = read_cursor(conn)[0]
        tables = []
        for table, (columns, key) in self.tables.items():
            # All in SQLite: the keys recorded, each row as it stands now, and the keys of rows gone.
            match = " AND ".join(f"t.\"{c}\" = json_extract(k.key, '$[{i}]')" for i, c in enumerate(key))
            names = ", ".join(f't."{c}"' for c in columns)
            if table in self.marks:  # the rows added since `first`, and those changed
                rows = conn.execute(
                    f'SELECT {names} FROM main."{table}" AS t WHERE t.id > ? OR t.id IN '
                    "(SELECT json_extract(k.key, '$[0]') FROM seat_delta_keys AS k WHERE k.tbl = ?) "
                    "ORDER BY t.id",
                    (self.marks[table], table),
                ).fetchall()
            else:
                rows = conn.execute(
                    f'SELECT {names} FROM seat_delta_keys AS k JOIN main."{table}" AS t ON {match} '
                    f"WHERE k.tbl = ? ORDER BY {', '.join(f't.{c}' for c in key)}",
                    (table,),
                ).fetchall()
            gone = [json.loads(k) for (k,) in conn.execute(
                f'SELECT k.key FROM seat_delta_keys AS k WHERE k.tbl = ? AND k.deleted AND NOT EXISTS '
                f'(SELECT 1 FROM main."{table}" AS t WHERE {match})',
                (table,),
            )]  # fmt: skip
            if rows or gone:
                tables.append(TableRows(table, columns, key, rows, gone))
        state = dict(conn.execute(
            f"SELECT key, value FROM loop_state WHERE key IN ({', '.join('?' * len(REPLICATED_STATE))})",
            sorted(REPLICATED_STATE),
        ).fetchall())  # fmt: skip
        audit_rows, head_hash = audit_head(conn)
        new_cases = [case_id for (case_id,) in conn.execute(
            "SELECT c.id FROM seat_delta_keys AS k JOIN main.cases AS c "
            "ON c.id = json_extract(k.key, '$[0]') WHERE k.tbl = 'cases' AND k.inserted ORDER BY c.id"
        )]  # fmt: skip
        delta = Delta(
            FORMAT, centre, self.first, last, SCHEMA_VERSION, state, audit_rows, head_hash, self.retried,
            tables, new_cases,
        )  # fmt: skip
        self.skip(last)
        return delta

    def skip(self, last: int) -> None:
        """Forget what was recorded: the next delta starts at `last` (a seat that does not lead)."""
        self.conn.execute(f"DELETE FROM {_KEYS_TABLE}")
        self.first, self.retried, self.marks = last, False, self._marks()


def pack(delta: Delta) -> bytes:
    return MAGIC + zlib.compress(msgspec.msgpack.encode(delta), 1)


def unpack(data: bytes) -> Delta:
    """The delta in `data`; BadDelta when it is none (wrong magic, damaged, another format)."""
    if not data.startswith(MAGIC):
        raise BadDelta("not a delta")
    try:
        delta = msgspec.msgpack.decode(zlib.decompress(data[len(MAGIC) :]), type=Delta)
    except (zlib.error, msgspec.DecodeError) as error:
        raise BadDelta(f"damaged: {error}") from None
    if delta.format != FORMAT:
        raise BadDelta(f"format {delta.format}, this build reads {FORMAT}")
    return delta


class Prepared(msgspec.Struct, frozen=True):
    """A delta checked as far as it can be without the store (off the store's thread): its audit rows
    chain among themselves to the head it names; what the store's own head must be for them to follow."""

    delta: Delta
    audit_prev: str  # the hash the store's last audit row must have (GENESIS: none)
    audit_before: int  # the audit rows the store must hold
    terms: dict[int, str]  # the search terms of the cases it carries (indexed for those new here)


def prepare(data: bytes, centre: str) -> Prepared:
    """Unpack and check a delta for `centre`: BadDelta when it is not one this build can apply."""
    delta = unpack(data)
    if delta.centre != centre:
        raise BadDelta(f"a delta of centre {delta.centre!r}, this seat is in {centre!r}")
    if delta.schema != SCHEMA_VERSION:
        raise BadDelta(f"store schema {delta.schema}, this build has {SCHEMA_VERSION}")
    if not 0 <= delta.first < delta.last:
        raise BadDelta(f"entries {delta.first + 1}-{delta.last}")
    if set(delta.state) - REPLICATED_STATE or delta.state.get(SEQ_KEY) != str(delta.last):
        raise BadDelta("its cursor is not its last entry")
    names = [table.name for table in delta.tables]
    if len(set(names)) != len(names) or set(names) - set(CAPTURED):
        raise BadDelta(f"tables {names}: not those the log writes, each once")
    for table in delta.tables:
        width = len(table.columns)
        if any(not isinstance(row, list) or len(row) != width for row in table.rows) or any(
            not isinstance(key, list) or len(key) != len(table.key) for key in table.deleted
        ):
            raise BadDelta(f"table {table.name!r}: a row of another width than its columns")
    audit_rows = next((table for table in delta.tables if table.name == "audit"), None)
    prev, before = delta.audit_head, delta.audit_rows
    if audit_rows is not None:
        prev, before = _chain(audit_rows, delta)
    cases = next((table for table in delta.tables if table.name == "cases"), None)
    terms: dict[int, str] = {}
    if cases is not None and delta.new_cases:
        new = set(delta.new_cases)
        try:
            at = [cases.columns.index(c) for c in ("id", "title", "description", "address", "code")]
            made = (row for row in cases.rows if row[at[0]] in new)
            terms = {row[at[0]]: index_text(*(row[i] for i in at[1:])) for row in made}
        except (ValueError, TypeError) as error:
            raise BadDelta(f"its cases cannot be indexed: {error}") from None
    return Prepared(delta, prev, before, terms)


def _chain(rows: TableRows, delta: Delta) -> tuple[str, int]:
    """The audit rows a delta brings: consecutive, each hashed over its fields and chained to the one
    before, the last the delta's head. The hash the store's head must have and the rows it must hold."""
    if rows.deleted:
        raise BadDelta("audit rows deleted")
    try:
        at = [rows.columns.index(c) for c in (*audit.CHAINED_COLUMNS.split(", "), "prev_hash", "hash")]
    except ValueError as error:
        raise BadDelta(f"audit rows without a column: {error}") from None
    first_id = delta.audit_rows - len(rows.rows) + 1
    start = prev = None
    pick, chained, changes = operator.itemgetter(*at), len(at) - 2, len(at) - 3  # fields, then the hashes
    for n, row in enumerate(rows.rows):
        picked: tuple[Any, ...] = pick(row)
        fields = picked[: chained if picked[changes] is not None else changes]
        prev_hash, hash_ = picked[-2], picked[-1]
        if fields[0] != first_id + n:
            raise BadDelta(f"audit row {fields[0]} where {first_id + n} was due")
        if prev is not None and prev_hash != prev:
            raise BadDelta(f"audit row {fields[0]} does not follow the one before it")
        try:
            if audit.row_hash(prev_hash, fields) != hash_:
                raise BadDelta(f"audit row {fields[0]}: its hash is not of its fields")
        except (TypeError, AttributeError, msgspec.EncodeError) as error:
            raise BadDelta(f"audit row {fields[0]}: {error}") from None
        start, prev = prev_hash if start is None else start, hash_
    if prev is not None and prev != delta.audit_head:
        raise BadDelta("its audit rows do not end at the head it names")
    return (delta.audit_head if start is None else start), first_id - 1


def apply_delta(conn: sqlite3.Connection, ready: Prepared) -> None:
    """Inside the caller's transaction: bring the store from its cursor to the delta's `last`. The store
    may stand anywhere from the delta's `first` on (a seat restarting rarely stops where the leader cut):
    a row the entries it already applied wrote is written again as it stands at `last`, and the audit rows
    it holds must be those of the delta. BadDelta (and the caller rolls back) when it does not fit."""
    delta = ready.delta
    applied = read_cursor(conn)[0]
    if not delta.first <= applied < delta.last:
        raise BadDelta(f"entries {delta.first + 1}-{delta.last}; this store holds up to {applied}")
    conn.execute("PRAGMA defer_foreign_keys = ON")  # rows come table by table; checked at commit
    (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()
    for table in delta.tables:
        if table.name == "audit":
            table = _audit_after(conn, ready, table)
        _apply_table(conn, table)
    if not any(table.name == "audit" for table in delta.tables):
        _audit_after(conn, ready, TableRows("audit", [], [], [], []))
    new = [case_id for (case_id,) in conn.execute("SELECT id FROM cases WHERE id > ?", (before,))]
    try:
        conn.executemany(
            "INSERT INTO cases_fts (rowid, terms) VALUES (?, ?)", [(i, ready.terms[i]) for i in new]
        )
    except KeyError as error:
        raise BadDelta(f"case {error} is new here but not in the delta") from None
    conn.executemany(_SET_STATE, sorted(delta.state.items()))
    if delta.retried:  # the retry marked this seat's own set-aside items too (request_retry marks all)
        conn.execute("UPDATE failed_items SET retry = 1 WHERE retry = 0")


def _audit_after(conn: sqlite3.Connection, ready: Prepared, rows: TableRows) -> TableRows:
    """The delta's audit rows this store does not hold yet; BadDelta unless those it holds are the
    delta's (the same count reached, the same hash there)."""
    count, head_hash = audit_head(conn)
    held = count - ready.audit_before  # of the delta's rows
    if not 0 <= held <= len(rows.rows):
        raise BadDelta("its audit rows do not follow this store's")
    expected = ready.audit_prev if held == 0 else rows.rows[held - 1][rows.columns.index("hash")]
    if head_hash != expected:
        raise BadDelta("its audit rows do not follow this store's")
    return TableRows(rows.name, rows.columns, rows.key, rows.rows[held:], rows.deleted)


def _apply_table(conn: sqlite3.Connection, rows: TableRows) -> None:
    columns, key = _columns(conn, rows.name)
    if rows.columns != columns or rows.key != key:
        raise BadDelta(f"table {rows.name!r} has other columns here")
    quoted = ", ".join(f'"{c}"' for c in columns)
    where = " AND ".join(f'"{c}" = ?' for c in key)
    values = ", ".join("?" * len(columns))
    try:
        if rows.name == "audit":  # appended only (the chain was checked)
            conn.executemany(f"INSERT INTO audit ({quoted}) VALUES ({values})", rows.rows)
            return
        if rows.deleted:
            conn.executemany(f'DELETE FROM "{rows.name}" WHERE {where}', rows.deleted)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in key)
        conn.executemany(
            f'INSERT INTO "{rows.name}" ({quoted}) VALUES ({values}) '
            f"ON CONFLICT ({', '.join(key)}) DO {f'UPDATE SET {updates}' if updates else 'NOTHING'}",
            rows.rows,
        )
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError, OverflowError) as error:
        raise BadDelta(f"table {rows.name!r}: {error}") from None
