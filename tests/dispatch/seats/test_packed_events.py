"""A seat's feed packs what it stored into entries of many events (dispatch.seats.entries.pack_events); a
seat stores each revision once whatever entry brings it, and the leader's runs of discovery make the
cases — the same cases as one entry an event would have made."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dispatch.casework.records.discovery import district_from_grid
from dispatch.seats.apply import DISCOVERY_LIMIT, Applier, read_cursor
from dispatch.seats.entries import (
    BadEntry,
    decode,
    encode,
    jobs_entry,
    lease_entry,
    pack_events,
    pack_readings,
)
from dispatch.seats.follower import weight
from dispatch.seats.verify import differences, read_replica
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import MONDAY_9, POLICY
from tests.dispatch.seats.seating import START, WAIT, event, open_seat, scalar


class Log:
    """One seat's store and the log it applies, numbered as the hub numbers it."""

    def __init__(self, path: Path) -> None:
        self.db = open_store(path)
        self.conn = self.db.conn
        self.applier = Applier(self.conn, POLICY, district_from_grid)
        self.seq = 0
        self.apply(encode(lease_entry(1, "a", MONDAY_9)))

    def apply(self, data: bytes) -> Any:
        self.seq += 1
        return self.applier.apply(self.seq, data)

    def discover(self) -> int:
        """Runs of discovery until nothing is left, as the leader publishes them; how many."""
        runs = 0
        while self.applier.undiscovered:
            runs += 1
            outcome = self.apply(encode(jobs_entry(1, runs, ("discovery",), "a", MONDAY_9 + 60)))
            assert outcome.refused is None, outcome.refused
        return runs

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        self.db.close()


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[tuple[Log, Log]]:
    first, second = Log(tmp_path / "packed.sqlite3"), Log(tmp_path / "single.sqlite3")
    yield first, second
    first.close()
    second.close()


def reports(count: int, start: int = 0) -> list[dict[str, Any]]:
    # Far apart (a degree a report): each opens a case of its own.
    return [event(f"e{i}", MONDAY_9 + i, lon=100.0 + i % 50, lat=20.0 + i // 50) for i in range(start, count)]


def test_a_packed_entry_stores_its_events_and_the_leaders_run_opens_their_cases(
    logs: tuple[Log, Log],
) -> None:
    log, _ = logs
    packed, problems = pack_events(reports(3), "a", MONDAY_9)
    assert problems == []
    assert len(packed) == 1
    stored = log.apply(encode(packed[0]))
    assert (stored.stored, stored.opened) == (3, ())  # stored: no case before discovery's run
    assert log.count("events") == 3
    assert log.count("cases") == 0
    assert log.applier.undiscovered
    assert log.discover() == 1
    assert log.count("cases") == 3
    assert not log.applier.undiscovered
    # The same events again (another seat's feed, a retry): nothing new, nothing left to discover.
    again = log.apply(encode(pack_events(reports(3), "b", MONDAY_9 + 5)[0][0]))
    assert again.stored == 0
    assert log.count("events") == 3
    assert log.count("cases") == 3


def test_a_burst_is_worked_off_run_after_run(logs: tuple[Log, Log]) -> None:
    log, _ = logs
    burst = DISCOVERY_LIMIT + 20
    for entry in pack_events(reports(burst), "a", MONDAY_9)[0]:
        log.apply(encode(entry))
    first = log.apply(encode(jobs_entry(1, 1, ("discovery",), "a", MONDAY_9 + 60)))
    assert len(first.opened) == DISCOVERY_LIMIT  # one run takes no more: commands get in between
    assert log.applier.undiscovered  # … and says more is left, so the leader publishes the next
    log.discover()
    assert log.count("cases") == burst


def test_an_event_that_cannot_be_stored_is_set_aside_and_its_entry_mates_are_stored(
    logs: tuple[Log, Log],
) -> None:
    log, _ = logs
    # A store that refuses one row (as a full column or a broken index would): the others still go in.
    log.conn.execute(
        "CREATE TRIGGER refuse_e1 BEFORE INSERT ON events WHEN NEW.event_id = 'e1' "
        "BEGIN SELECT RAISE(ABORT, 'this row cannot be stored'); END"
    )
    outcome = log.apply(encode(pack_events(reports(3), "a", MONDAY_9)[0][0]))
    assert (outcome.stored, outcome.set_aside, outcome.refused) == (2, 1, None)
    assert [row[0] for row in log.conn.execute("SELECT event_id FROM events ORDER BY id")] == ["e0", "e2"]
    reason, raw = log.conn.execute("SELECT reason || ': ' || detail, raw FROM quarantine").fetchone()
    assert reason == "store: this row cannot be stored"
    assert decode(raw.encode()).event_id == "e1"  # kept whole: nothing is lost
    log.conn.execute("DROP TRIGGER refuse_e1")
    assert log.apply(encode(pack_events(reports(3), "a", MONDAY_9)[0][0])).stored == 1  # sent again


def test_a_bad_event_is_left_out_of_its_pack_and_said() -> None:
    fields = reports(3)
    fields[1] = {**fields[1], "occurred_at": math.nan}
    packed, problems = pack_events(fields, "a", MONDAY_9)
    assert [event.event_id for entry in packed for event in entry.events] == ["e0", "e2"]
    assert len(problems) == 1
    assert "occurred_at" in problems[0]


def test_an_entry_whose_inner_event_has_no_finite_time_is_no_entry() -> None:
    """JSON has no infinity, but a hostile or broken publisher may write a number too big for a float:
    no seat dates an event at infinity; every seat refuses the entry alike, naming the event."""
    data = encode(pack_events(reports(2), "a", MONDAY_9)[0][0])
    assert data.count(b'"occurred_at":') == 2
    hostile = data.replace(f'"occurred_at":{MONDAY_9 + 1}'.encode(), b'"occurred_at":1e400')
    assert hostile != data
    with pytest.raises(BadEntry, match=r"not a log entry: .*events\[1\]\.occurred_at"):
        decode(hostile)


# Sizes of the packs one feed made of a stream, and events sent again by another seat's feed.
packings = st.lists(st.integers(1, 40), min_size=1, max_size=12)
resends = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)), max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=packings, again=resends, most=st.integers(1, 64))
@example(sizes=[DISCOVERY_LIMIT + 1], again=[], most=64)  # more than one run's worth
def test_however_the_feed_is_packed_a_seat_ends_with_the_cases_of_one_entry_an_event(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int], again: list[tuple[int, int]], most: int
) -> None:
    directory = tmp_path_factory.mktemp("packed")
    stream = reports(sum(sizes))
    packed, single = Log(directory / "packed.sqlite3"), Log(directory / "single.sqlite3")
    try:
        first = 0
        for size in sizes:  # the feed's frames, each packed; between them, copies from another seat
            for entry in pack_events(stream[first : first + size], "a", MONDAY_9, most=most)[0]:
                packed.apply(encode(entry))
            first += size
            for start, length in again:
                copies = stream[min(start, first) : min(start + length, first)]
                for entry in pack_events(copies, "b", MONDAY_9 + 1, most=most)[0]:
                    assert packed.apply(encode(entry)).stored == 0
        for fields in stream:
            single.apply(encode(pack_events([fields], "a", MONDAY_9)[0][0]))
        packed.discover()
        single.discover()
        assert packed.count("events") == single.count("events") == len(stream)
        assert packed.count("cases") == single.count("cases") == len(stream)
        # The same cases and the same audit chain (the log's sequence numbers differ: fewer entries).
        ours, theirs = read_replica(directory / "packed.sqlite3"), read_replica(directory / "single.sqlite3")
        assert (ours.audit_rows, ours.audit_head, ours.cases_digest) == (
            theirs.audit_rows, theirs.audit_head, theirs.cases_digest,
        )  # fmt: skip
    finally:
        packed.close()
        single.close()


@settings(max_examples=60)
@given(count=st.integers(0, 80), most=st.integers(1, 30), most_bytes=st.integers(200, 5000))
def test_packing_keeps_every_event_once_in_order_within_the_bounds(
    count: int, most: int, most_bytes: int
) -> None:
    fields = reports(count)
    packed, problems = pack_events(fields, "a", MONDAY_9, most=most, most_bytes=most_bytes)
    assert problems == []
    assert [event.event_id for entry in packed for event in entry.events] == [f"e{i}" for i in range(count)]
    for entry in packed:
        assert 1 <= len(entry.events) <= most
        sizes = [len(encode(event)) for event in entry.events]
        assert len(sizes) == 1 or sum(sizes) <= most_bytes  # an event bigger than the bound goes alone
        assert decode(encode(entry)) == entry
    # Packed again (a retry after a lost acknowledgement): the same entries, so the hub keeps one.
    assert [
        entry.id for entry in pack_events(fields, "a", MONDAY_9 + 9, most=most, most_bytes=most_bytes)[0]
    ] == [entry.id for entry in packed]


@pytest.mark.slow
def test_on_a_hub_the_leader_works_a_burst_off_and_every_seat_gets_its_cases(
    hub: str, tmp_path: Path
) -> None:
    leader = open_seat(hub, tmp_path, "a", lead=True)
    other = open_seat(hub, tmp_path, "b")
    try:
        leader.wait_status(lambda status: status.leading, WAIT)
        assert other.leading.discover() is None  # only the leader runs discovery
        burst = DISCOVERY_LIMIT + 30
        published = [other.publish_events(entry) for entry in pack_events(reports(burst), "b", START)[0]]
        assert sum(future.result(WAIT).stored for future in published) == burst
        first = leader.leading.discover()
        assert first is not None
        assert len(first.result(WAIT).opened) == DISCOVERY_LIMIT
        # The next run went out by itself, as soon as the first was applied with rows left.
        second = leader.leading.discovering
        assert second is not None
        assert len(second.result(WAIT).opened) == 30
        other.caught_up().result(WAIT)
        assert scalar(other, "SELECT count(*) FROM cases") == burst
        assert leader.leading.discover() is None  # nothing left
        other.close()
        leader.close()
        assert differences(leader.db_path, other.db_path) == []
    finally:
        other.close()
        leader.close()


# Anything a buggy or hostile seat could put in the new entries' fields.
anything = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12)
event_fields = st.fixed_dictionaries(
    {"source": st.text(max_size=8), "event_id": st.text(max_size=8), "revision": anything,
     "occurred_at": anything, "category": anything, "id": st.text(max_size=5), "seat": st.just("x"),
     "at": st.floats(0, 2e9)},
    optional={"lon": anything, "lat": anything, "severity": anything, "cap": anything, "device": anything,
              "type": st.sampled_from(["event", "events", "command"])},
)  # fmt: skip
reading_fields = st.fixed_dictionaries(
    {"type": st.just("reading"), "id": st.text(max_size=5), "seat": st.just("x"), "at": st.floats(0, 2e9),
     "name": anything, "value": anything, "taken_at": anything},
    optional={"unit": anything, "labels": st.dictionaries(st.text(max_size=3), anything, max_size=2)},
)  # fmt: skip
hostile = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("readings"), "id": st.text(max_size=5), "seat": st.text(max_size=5),
         "at": st.floats(0, 2e9), "readings": st.lists(reading_fields, max_size=4)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("events"), "id": st.text(max_size=5), "seat": st.text(max_size=5),
         "at": st.floats(0, 2e9), "events": st.lists(event_fields, max_size=4)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("retry"), "id": st.text(max_size=5), "seat": st.text(max_size=5),
         "at": st.floats(0, 2e9), "actor": anything}
    ),
    st.fixed_dictionaries(
        {"type": st.just("handover"), "id": st.text(max_size=5), "seat": st.text(max_size=5),
         "at": st.floats(0, 2e9), "kind": st.sampled_from(["write", "receive", "burn", ""]),
         "actor": st.fixed_dictionaries({"login": st.text(max_size=6), "role": st.sampled_from(
             ["shift_lead", "dispatcher", "king", ""])}),
         },
        optional={"note": anything, "shift_start": anything, "shift_end": anything, "handover": anything,
                  "exercise": anything},
    ),
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=hostile)
def test_no_packed_handover_or_retry_entry_stops_the_log(
    logs: tuple[Log, Log], entry: dict[str, Any]
) -> None:
    """Whatever a seat writes into the new kinds of entry, every seat answers it alike (stored, marked,
    a handover or its refusal, or the entry refused) and the next entry goes through."""
    log, _ = logs
    outcome = log.apply(msgspec.json.encode(entry))
    assert outcome is not None
    said = [outcome.refused, outcome.problem, outcome.handover, outcome.stored or outcome.set_aside or None]
    assert sum(part is not None for part in said) <= 1
    follow = log.apply(encode(pack_events([event(f"next{log.seq}")], "a", MONDAY_9)[0][0]))
    assert follow.refused is None
    assert read_cursor(log.conn)[0] == log.seq


def test_readings_go_packed_and_every_replica_holds_each_once(logs: tuple[Log, Log]) -> None:
    log, _ = logs
    samples = [("water_level", 3.0 + i / 10, MONDAY_9 + i * 60, "m", {"station": "S1"}) for i in range(5)]
    samples.insert(2, ("water_level", math.nan, MONDAY_9, "m", {}))  # no number: left out, said
    packed, problems = pack_readings(samples, "a", MONDAY_9, most=2)
    assert [len(entry.readings) for entry in packed] == [2, 2, 1]
    assert len(problems) == 1
    assert "not a reading" in problems[0]
    for entry in packed:
        assert log.apply(encode(entry)).refused is None
    # Another seat's feed brought some of them again, packed its own way.
    again, _ = pack_readings(samples[3:], "b", MONDAY_9 + 5)
    assert log.apply(encode(again[0])).refused is None
    held = log.conn.execute("SELECT value, feed FROM metrics ORDER BY at").fetchall()
    assert held == [(3.0 + i / 10, "seat:a") for i in range(5)]


def test_the_wal_is_folded_by_what_entries_wrote_not_by_how_many_there_were(logs: tuple[Log, Log]) -> None:
    """A packed entry weighs its reports and a run of discovery the cases it opened: folded back by
    entries, a packed feed let the WAL grow to tens of megabytes before the fold that held the store."""
    log, _ = logs
    (packed,) = pack_events(reports(40), "a", MONDAY_9)[0]
    stored = log.apply(encode(packed))
    run = log.apply(encode(jobs_entry(1, 1, ("discovery",), "a", MONDAY_9 + 60)))
    assert [weight(stored), weight(run)] == [40, 40]
    assert weight(log.apply(encode(pack_events(reports(40), "b", MONDAY_9 + 61)[0][0]))) == 1  # nothing new
