"""Row deltas (dispatch.seats.deltas): a store brought forward by the rows the leader's replica wrote is the
store the log would have made — whatever the log held and wherever it was cut — and a delta that does not
fit is refused whole, the store left as it was."""

from __future__ import annotations

import itertools
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.casework.model import Action, Actor, Command
from dispatch.casework.records.discovery import district_from_grid
from dispatch.seats import deltas
from dispatch.seats.apply import Applier, read_cursor
from dispatch.seats.deltas import BadDelta, Delta, Recorder, apply_delta, pack, prepare
from dispatch.seats.entries import (
    command_entry,
    encode,
    handover_entry,
    jobs_entry,
    lease_entry,
    pack_events,
    pack_readings,
    retry_entry,
)
from dispatch.seats.snapshot import REPLICATED_JOBS, REPLICATED_STATE
from dispatch.seats.verify import differences
from dispatch.store.database import SCHEMA_VERSION, open_store
from tests.dispatch.casework.policies import DISPATCHER, INTAKE, LEAD, MONDAY_9, POLICY, SUPERVISOR
from tests.dispatch.seats.seating import event

CENTRE = "test"
SET_ASIDE = "INSERT INTO failed_items (job, item, error, failed_at, first_failed_at) VALUES (?, ?, 'x', 1, 1)"
MOVES: list[tuple[Action, Actor, dict[str, Any]]] = [
    (Action.REGISTER, LEAD, {}),
    (Action.REQUEST_VERIFY, INTAKE, {}),
    (Action.CONFIRM, SUPERVISOR, {}),
    (Action.DISPATCH, DISPATCHER, {"unit": "U-CITY"}),
    (Action.SIGN, DISPATCHER, {}),
    (Action.HANDLE, DISPATCHER, {}),
    (Action.VOID, LEAD, {"reason": "误报"}),
    (Action.ACKNOWLEDGE, DISPATCHER, {}),
]


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_store(path)
        self.conn = self.db.conn
        self.applier = Applier(self.conn, POLICY, district_from_grid)

    def apply(self, seq: int, data: bytes) -> None:
        self.applier.apply_batch([(seq, data, None)])

    def take(self, ready: deltas.Prepared) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:  # as the desk's transaction does it (a failed COMMIT leaves the transaction open)
            apply_delta(self.conn, ready)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        store.close()


def state(conn: sqlite3.Connection) -> dict[str, Any]:
    """Everything the log writes, as a user of any seat could read it: every replicated row (a seat's own
    marks left out), the replicated loop state, and which cases a search by code finds."""
    found: dict[str, Any] = {}
    for table in deltas.CAPTURED:
        columns, key = deltas._columns(conn, table)
        where = f"WHERE job IN {REPLICATED_JOBS!r}" if table == "failed_items" else ""
        names = ", ".join(f'"{c}"' for c in columns)
        found[table] = conn.execute(
            f'SELECT {names} FROM "{table}" {where} ORDER BY {", ".join(key)}'
        ).fetchall()
    marks = ", ".join("?" * len(REPLICATED_STATE))
    found["loop_state"] = conn.execute(
        f"SELECT key, value FROM loop_state WHERE key IN ({marks}) ORDER BY key", sorted(REPLICATED_STATE)
    ).fetchall()
    found["search"] = {
        code: conn.execute(
            "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid", (f'"{code}"',)
        ).fetchall()
        for (code,) in conn.execute("SELECT code FROM cases")
    }
    found["search:人民路"] = conn.execute(
        "SELECT rowid FROM cases_fts WHERE cases_fts MATCH '\"人民\"' ORDER BY rowid"
    ).fetchall()
    return found


steps = st.lists(
    st.one_of(
        st.tuples(st.just("events"), st.integers(0, 8), st.integers(1, 4)),
        st.tuples(st.just("jobs"), st.just(0), st.just(0)),
        st.tuples(st.just("act"), st.integers(1, 6), st.integers(0, len(MOVES) - 1)),
        st.tuples(st.just("stale"), st.integers(1, 6), st.integers(0, len(MOVES) - 1)),
        st.tuples(st.just("tick"), st.integers(60, 7200), st.just(0)),
        st.tuples(st.just("handover"), st.just(0), st.just(0)),
        st.tuples(st.just("reading"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("retry"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=30,
)
# The leader cuts a delta after a step or not: deltas of one entry and of many, a case changed in one
# delta and again in the next.
cut_after = st.lists(st.booleans(), min_size=30, max_size=30)


def _version(store: Store, case_id: int) -> int:
    row = store.conn.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()
    return 1 if row is None else int(row[0])


def run(
    work: list[tuple[str, int, int]], leader: Store, cuts_after: list[bool] | None = None
) -> tuple[list[bytes], list[tuple[int, bytes]]]:
    """Apply a day to the leader, recording: a morning's reports taken into cases, then the `work`. Its
    log and its deltas (where it begins, its bytes), cut after the steps `cuts_after` says and at the end."""
    recorder = Recorder(leader.conn, 0)
    log: list[bytes] = []
    cuts: list[tuple[int, bytes]] = []
    at, names = MONDAY_9, itertools.count()

    def append(data: bytes) -> None:
        log.append(data)
        leader.apply(len(log), data)

    append(encode(lease_entry(1, "a", at)))
    append(encode(pack_events([event(f"m{i}", at) for i in range(4)], "a", at)[0][0]))
    append(encode(jobs_entry(1, 0, ("discovery",), "a", at)))
    for step, (what, n, m) in enumerate(work):
        if what == "events":
            batch = [event(f"e{(n + i) % 6}", at, revision=1 + (n + i) // 6) for i in range(m)]
            append(encode(pack_events(batch, "a", at)[0][0]))
        elif what == "jobs":
            append(encode(jobs_entry(1, len(log), ("discovery", "supervision"), "a", at)))
        elif what in ("act", "stale"):
            action, actor, payload = MOVES[m]
            version = _version(leader, n) - (what == "stale")
            reason = str(payload.get("reason", ""))
            extra = {k: v for k, v in payload.items() if k != "reason"}
            append(encode(command_entry(Command(n, version, action, actor, reason, extra), "b", at)))
        elif what == "tick":
            at += n
        elif what == "handover":
            append(
                encode(
                    handover_entry("write", LEAD, "a", at, note=f"交接 {next(names)}", shift=(at - 3600, at))
                )
            )
        elif what == "reading":
            append(encode(pack_readings([("water_level", n / 10, at, "m", {})], "a", at)[0][0]))
        elif what == "retry":
            append(encode(retry_entry("li", "a", at)))
        elif what == "cut" and recorder.first < len(log):
            cuts.append((recorder.first, pack(recorder.take(CENTRE))))
        if cuts_after and cuts_after[step] and recorder.first < len(log):
            cuts.append((recorder.first, pack(recorder.take(CENTRE))))
    if recorder.first < len(log):
        cuts.append((recorder.first, pack(recorder.take(CENTRE))))
    return log, cuts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(work=steps, cuts_after=cut_after, start=st.integers(0, 40))
def test_a_store_brought_forward_by_deltas_is_the_store_the_log_makes(
    tmp_path_factory: pytest.TempPathFactory, work: list[tuple[str, int, int]], cuts_after: list[bool],
    start: int,
) -> None:  # fmt: skip
    """From a new store, or from one that replayed the log up to any entry: the deltas from there give
    the leader's store exactly — every row, the audit chain, the search index."""
    directory = tmp_path_factory.mktemp("deltas")
    leader, behind = Store(directory / "leader.sqlite3"), Store(directory / "behind.sqlite3")
    try:
        log, cuts = run(work, leader, cuts_after)
        at = min(start, len(log))  # anywhere: a seat rarely stops where the leader cut
        for seq, data in enumerate(log[:at], start=1):
            behind.apply(seq, data)
        for _, data in cuts:
            ready = prepare(data, CENTRE)
            if ready.delta.first <= read_cursor(behind.conn)[0] < ready.delta.last:
                behind.take(ready)
        assert read_cursor(behind.conn)[0] == len(log)
        assert state(behind.conn) == state(leader.conn)
    finally:
        leader.close()
        behind.close()
    assert differences(directory / "leader.sqlite3", directory / "behind.sqlite3") == []


def _day(stores: list[Store], tmp_path: Path, name: str = "leader") -> tuple[Store, list[bytes], list[bytes]]:
    leader = Store(tmp_path / f"{name}.sqlite3")
    stores.append(leader)
    work = [("events", 0, 3), ("jobs", 0, 0), ("cut", 0, 0), ("act", 1, 0), ("act", 2, 0), ("act", 1, 3)]
    log, cuts = run(work, leader)
    return leader, log, [data for _, data in cuts]


def test_a_delta_carries_what_a_day_wrote_and_the_leaders_outbox_marks_stay_its_own(
    stores: list[Store], tmp_path: Path
) -> None:
    leader, _, cuts = _day(stores, tmp_path)
    # The leader sent the order (only it may): a mark of its own, never carried to another seat.
    leader.conn.execute("UPDATE outbox SET sent_at = ?, attempts = 1", (MONDAY_9,))
    behind = Store(tmp_path / "behind.sqlite3")
    stores.append(behind)
    for data in cuts:
        behind.take(prepare(data, CENTRE))
    assert state(behind.conn) == state(leader.conn)
    assert behind.conn.execute("SELECT count(*), max(sent_at), max(attempts) FROM outbox").fetchone() == (
        1,
        None,
        0,
    )
    assert [row[0] for row in behind.conn.execute("SELECT state FROM cases ORDER BY id")] == [
        row[0] for row in leader.conn.execute("SELECT state FROM cases ORDER BY id")
    ]


def test_a_seats_own_set_aside_items_stay_and_a_retry_marks_them_as_on_the_leader(
    stores: list[Store], tmp_path: Path
) -> None:
    leader = Store(tmp_path / "leader.sqlite3")
    behind = Store(tmp_path / "behind.sqlite3")
    stores.extend([leader, behind])
    for store in (leader, behind):  # each seat's own job failed on something of its own
        store.conn.execute(SET_ASIDE, ("intake", f"{store.path.stem}-frame"))
    recorder = Recorder(leader.conn, 0)
    leader.apply(1, encode(lease_entry(1, "a", MONDAY_9)))
    leader.conn.execute(SET_ASIDE, ("discovery", "e9"))  # as a run of discovery sets an event aside
    leader.apply(2, encode(retry_entry("li", "a", MONDAY_9)))
    recorder.retried = True  # the seat's cutter notes a retry entry's marks
    behind.take(prepare(pack(recorder.take(CENTRE)), CENTRE))
    rows = behind.conn.execute("SELECT job, item, retry FROM failed_items ORDER BY job").fetchall()
    assert rows == [("discovery", "e9", 1), ("intake", "behind-frame", 1)]


def _mangled(data: bytes, change: Any) -> bytes:
    delta = deltas.unpack(data)
    raw = msgspec.to_builtins(delta)
    change(raw)
    return pack(msgspec.convert(raw, Delta))


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in raw["tables"] if t[0] == name)


def _audit_cell(raw: dict[str, Any], column: str, value: Any) -> None:
    table = _table(raw, "audit")
    table[3][0][table[1].index(column)] = value


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda raw: _audit_cell(raw, "actor", "mallory"), "its hash is not of its fields"),
        (lambda raw: _audit_cell(raw, "prev_hash", "1" * 64), "its hash is not of its fields"),
        (lambda raw: _audit_cell(raw, "id", 99), "audit row 99 where"),
        (lambda raw: _table(raw, "audit").__setitem__(4, [[1]]), "audit rows deleted"),
        (lambda raw: raw.__setitem__("audit_head", "f" * 64), "do not end at the head"),
        (lambda raw: raw.__setitem__("centre", "other"), "centre 'other'"),
        (lambda raw: raw.__setitem__("schema", 1), "store schema 1"),
        (lambda raw: raw["state"].__setitem__("seat_applied_seq", "1"), "its cursor is not its last entry"),
        (
            lambda raw: raw["tables"].append(["operators", ["login"], ["login"], [["x"]], []]),
            "not those the log",
        ),
        (lambda raw: _table(raw, "cases")[3][0].pop(), "another width"),
    ],
)
def test_a_delta_that_is_not_what_it_claims_is_refused_before_the_store_is_touched(
    stores: list[Store], tmp_path: Path, change: Any, reason: str
) -> None:
    _, _, cuts = _day(stores, tmp_path)
    with pytest.raises(BadDelta, match=reason):
        prepare(_mangled(cuts[0], change), CENTRE)


def test_a_delta_that_does_not_follow_the_store_is_refused_and_the_store_is_left_as_it_was(
    stores: list[Store], tmp_path: Path
) -> None:
    leader, log, cuts = _day(stores, tmp_path)
    behind = Store(tmp_path / "behind.sqlite3")
    stores.append(behind)
    with pytest.raises(BadDelta, match="this store holds up to 0"):
        behind.take(prepare(cuts[1], CENTRE))  # the second before the first
    # A store at the right entry whose own audit chain differs (another centre's store, a tampered one).
    second = prepare(cuts[1], CENTRE)
    for seq, data in enumerate(log[: second.delta.first], start=1):
        behind.apply(seq, data)
    behind.conn.execute("DROP TRIGGER audit_append_only_update")
    behind.conn.execute("UPDATE audit SET hash = ? WHERE id = (SELECT max(id) FROM audit)", ("e" * 64,))
    before = state(behind.conn)
    with pytest.raises(BadDelta, match="do not follow this store's"):
        behind.take(second)
    assert state(behind.conn) == before
    assert leader.conn.execute("SELECT count(*) FROM audit").fetchone()[0] > before["audit"].__len__()


def test_a_row_the_store_refuses_rolls_the_whole_delta_back(stores: list[Store], tmp_path: Path) -> None:
    _, _, cuts = _day(stores, tmp_path)
    behind = Store(tmp_path / "behind.sqlite3")
    stores.append(behind)
    behind.conn.execute(
        "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'no orders'); END"
    )
    before = state(behind.conn)
    ready = [prepare(data, CENTRE) for data in cuts]
    behind.take(ready[0])
    taken = state(behind.conn)
    assert taken != before
    with pytest.raises(BadDelta, match="no orders"):
        behind.take(ready[1])
    assert state(behind.conn) == taken
    assert read_cursor(behind.conn)[0] == ready[0].delta.last


@settings(max_examples=200, deadline=None)
@given(junk=st.binary(max_size=300))
def test_no_bytes_are_taken_for_a_delta_unless_they_are_one(junk: bytes) -> None:
    for data in (junk, deltas.MAGIC + junk, deltas.MAGIC + zlib.compress(junk)):
        with pytest.raises(BadDelta):
            prepare(data, CENTRE)


cells = st.one_of(
    st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=8), st.binary(max_size=8)
)
hostile = st.fixed_dictionaries({
    "format": st.just(deltas.FORMAT), "centre": st.just(CENTRE), "first": st.integers(0, 5),
    "last": st.integers(0, 9), "schema": st.just(SCHEMA_VERSION),
    "state": st.dictionaries(st.sampled_from(sorted(REPLICATED_STATE)), st.text(max_size=4)),
    "audit_rows": st.integers(0, 5), "audit_head": st.text(max_size=64), "retried": st.booleans(),
    "tables": st.lists(st.tuples(
        st.sampled_from(deltas.CAPTURED), st.lists(st.text(max_size=6), max_size=4),
        st.lists(st.text(max_size=6), max_size=2), st.lists(st.lists(cells, max_size=5), max_size=3),
        st.lists(st.lists(cells, max_size=3), max_size=2),
    ), max_size=3),
    "new_cases": st.lists(st.integers(-1, 9), max_size=3),
})  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=hostile)
def test_a_hostile_delta_is_refused_whole_or_fits(tmp_path: Path, raw: dict[str, Any]) -> None:
    """Whatever a delta holds, taking it either fails — BadDelta, or the commit's refusal of a row that
    refers to nothing — leaving the store as it was, or the store stands at the delta's last entry: never
    a store half-written."""
    if raw["retried"]:  # often a delta whose header holds together, so that its rows are tried
        raw["state"]["seat_applied_seq"], raw["first"] = str(raw["last"]), 0
    data = deltas.MAGIC + zlib.compress(msgspec.msgpack.encode(raw))
    store = Store(tmp_path / f"hostile-{abs(hash(data))}.sqlite3")
    try:
        before = state(store.conn)
        try:
            store.take(prepare(data, CENTRE))
        except (BadDelta, sqlite3.IntegrityError):
            assert state(store.conn) == before
        else:
            assert read_cursor(store.conn)[0] == raw["last"]
    finally:
        store.close()
