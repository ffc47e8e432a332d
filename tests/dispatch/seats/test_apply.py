"""The apply discipline on one store, without a hub: in order, once, at the entry's time, whatever the
bytes say."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.casework.model import Action, Command, Refusal
from dispatch.casework.records import audit
from dispatch.casework.records.discovery import district_from_grid
from dispatch.seats.apply import Applier, Gap, read_cursor
from dispatch.seats.entries import BadEntry, EventEntry, command_entry, decode, encode, event_entry, event_id
from dispatch.seats.verify import differences
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY
from tests.dispatch.seats.seating import event


class Store:
    def __init__(self, path: Path) -> None:
        self.db = open_store(path)
        self.conn = self.db.conn

    def applier(self) -> Applier:
        return Applier(self.conn, POLICY, district_from_grid)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "seat.sqlite3")
    yield opened
    opened.db.close()


def report(name: str, at: float = MONDAY_9) -> bytes:
    fields = event(name, at)
    return encode(EventEntry(id=event_id("grid", name, 1), seat="a", at=at, **fields))


def register(case_id: int, version: int, at: float) -> bytes:
    return encode(command_entry(Command(case_id, version, Action.REGISTER, LEAD), "b", at))


def test_entries_apply_once_in_order_and_the_cursor_moves_with_them(store: Store) -> None:
    applier = store.applier()
    opened = applier.apply(1, report("e1"))
    assert opened is not None
    assert opened.opened == (1,)
    # Entry 3 before 2 is not applied: 2 would be lost for good.
    with pytest.raises(Gap):
        applier.apply(3, report("e3"))
    assert read_cursor(store.conn) == (1, MONDAY_9)
    assert applier.apply(2, register(1, 1, MONDAY_9 + 60)) is not None
    # Delivered again after a reconnect: nothing happens.
    assert applier.apply(2, register(1, 1, MONDAY_9 + 60)) is None
    assert applier.apply(1, report("e1")) is None
    assert [row.action for row in audit.timeline(store.conn, [1])] == [Action.DISCOVER, Action.REGISTER]
    # A restarted seat reads where it stopped from the store itself.
    assert (store.applier().seq, read_cursor(store.conn)) == (2, (2, MONDAY_9 + 60))


def test_a_command_is_dated_by_its_entry_and_never_before_the_last(store: Store) -> None:
    applier = store.applier()
    applier.apply(1, report("e1", MONDAY_9 + 600))
    # Its sender's clock ran ten minutes behind: the command takes the log's last time, not its own.
    outcome = applier.apply(2, register(1, 1, MONDAY_9))
    assert outcome is not None
    assert outcome.applied is not None
    assert outcome.applied.audit.at == MONDAY_9 + 600
    assert outcome.applied.case.register_due is not None


def test_an_entry_dated_far_ahead_of_the_hub_is_refused_and_does_not_drag_time_along(store: Store) -> None:
    applier = store.applier()
    applier.apply(1, report("e1"), stored_at=MONDAY_9)
    # A seat whose clock says next year: refused, or every later command would be dated next year too.
    wrong = applier.apply(2, register(1, 1, MONDAY_9 + 365 * 86400), stored_at=MONDAY_9 + 1)
    assert wrong is not None
    assert wrong.refused is not None
    assert wrong.refused.code is Refusal.BAD_PAYLOAD
    right = applier.apply(3, register(1, 1, MONDAY_9 + 60), stored_at=MONDAY_9 + 61)
    assert right is not None
    assert right.applied is not None
    assert right.applied.audit.at == MONDAY_9 + 60


def test_a_stale_command_is_refused_and_writes_nothing_but_the_cursor(store: Store) -> None:
    applier = store.applier()
    applier.apply(1, report("e1"))
    applier.apply(2, register(1, 1, MONDAY_9 + 60))
    outcome = applier.apply(3, register(1, 1, MONDAY_9 + 120))
    assert outcome is not None
    assert outcome.refused is not None
    assert outcome.refused.code is Refusal.STALE
    assert outcome.refused.current is not None
    assert outcome.refused.current.version == 2
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 2
    assert read_cursor(store.conn)[0] == 3


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.one_of(
        st.binary(max_size=200),
        st.dictionaries(
            st.text(max_size=10), st.none() | st.integers() | st.floats() | st.text(max_size=10)
        ).map(lambda d: msgspec.json.encode({"type": "command", **d})),
        st.builds(
            lambda case_id, version, action, role, at: msgspec.json.encode(
                {
                    "type": "command",
                    "id": "x",
                    "seat": "a",
                    "at": at,
                    "case_id": case_id,
                    "version": version,
                    "action": action,
                    "actor": {"login": "li", "role": role},
                }
            ),
            st.integers(-(2**70), 2**70),
            st.integers(-5, 5),
            st.sampled_from(["register", "void", "fly", ""]),
            st.sampled_from(["shift_lead", "viewer", "king"]),
            st.floats() | st.integers(0, 2**40),
        ),
    )
)
def test_no_entry_stops_the_log(store: Store, junk: bytes) -> None:
    """Whatever bytes an entry holds, it is answered (applied or refused alike everywhere) and the next
    entry goes through."""
    applier = store.applier()
    seq = applier.seq
    outcome = applier.apply(seq + 1, junk, stored_at=MONDAY_9)
    assert outcome is not None
    assert (outcome.applied is None) != (outcome.refused is None)
    assert applier.apply(seq + 2, report(f"e{seq}")) is not None
    assert read_cursor(store.conn)[0] == seq + 2


def test_a_batch_stops_at_a_gap_and_skips_repeats(store: Store) -> None:
    applier = store.applier()
    batch = applier.apply_batch(
        [(1, report("e1"), None), (1, report("e1"), None), (2, report("e2"), None), (4, report("e4"), None)]
    )
    assert [outcome.seq for outcome in batch.outcomes] == [1, 2]
    assert batch.gap is not None
    assert batch.gap.expected == 3
    assert read_cursor(store.conn)[0] == 2


# (what, which report or case, the version the officer saw, seconds after Monday 9:00)
moves = st.lists(
    st.tuples(
        st.sampled_from(["event", "register"]), st.integers(1, 4), st.integers(1, 3), st.integers(0, 600)
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(work=moves, cuts=st.lists(st.integers(1, 30), max_size=6))
def test_batches_apply_exactly_as_one_entry_at_a_time(
    tmp_path_factory: pytest.TempPathFactory, work: list[tuple[str, int, int, int]], cuts: list[int]
) -> None:
    entries: list[tuple[int, bytes, float | None]] = [
        (
            seq,
            report(f"e{n}", MONDAY_9 + t) if what == "event" else register(n, version, MONDAY_9 + t),
            MONDAY_9 + 3600,
        )
        for seq, (what, n, version, t) in enumerate(work, start=1)
    ]
    directory = tmp_path_factory.mktemp("batches")
    one, many = Store(directory / "one.sqlite3"), Store(directory / "many.sqlite3")
    try:
        singly = one.applier()
        for seq, data, stored_at in entries:
            singly.apply(seq, data, stored_at)
        batched = many.applier()
        bounds = sorted({0, len(entries), *(c for c in cuts if c < len(entries))})
        for start, end in itertools.pairwise(bounds):
            assert batched.apply_batch(entries[start:end]).gap is None
    finally:
        one.db.close()
        many.db.close()
    assert differences(directory / "one.sqlite3", directory / "many.sqlite3") == []


@given(
    name=st.sampled_from(["occurred_at", "lon", "lat", "revision", "severity", "source"]),
    value=st.sampled_from([math.nan, math.inf, "12", None, True, [1]]),
)
def test_an_event_that_json_would_change_is_refused_before_it_is_published(name: str, value: object) -> None:
    fields = {**event("e1"), name: value}
    fits = (value is None and name in {"lon", "lat", "severity"}) or (name == "source" and value == "12")
    if not fits:
        with pytest.raises(BadEntry, match="not an event"):
            event_entry(fields, "a", MONDAY_9)
        return
    entry = event_entry(fields, "a", MONDAY_9)
    # What was accepted means exactly what was given: the same after the trip through the log.
    assert decode(encode(entry)) == entry
    assert getattr(entry, name) == value
    assert entry.id == event_id(entry.source, "e1", 1)
