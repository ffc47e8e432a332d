"""A seat starting behind takes the leader's row deltas from its cursor, then follows the log: the same
replica as replaying every entry, and a delta it cannot use costs it nothing but time."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, CaseState
from dispatch.seats import catch_up
from dispatch.seats.apply import Outcome
from dispatch.seats.catch_up import Cutter, chain
from dispatch.seats.deltas import BadDelta, Delta
from dispatch.seats.entries import pack_events
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat, scalar

pytestmark = pytest.mark.slow


def _day(leader: SeatLoop, names: range) -> list[int]:
    """Reports taken into cases by the leader's run of discovery, each registered and dispatched."""
    packed, _ = pack_events([event(f"e{n}", START) for n in names], "a", START)
    for entry in packed:
        leader.publish_events(entry).result(WAIT)
    leader.leading.work_off(WAIT)
    cases = leader.query(
        lambda ctx: [i for (i,) in ctx.desk.conn.execute("SELECT id FROM cases WHERE state = 'discovered'")]
    ).result(WAIT)
    for case_id in cases:
        act(leader, case_id, Action.REGISTER, LEAD)
        act(leader, case_id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    return cases


def _kept(leader: SeatLoop) -> None:
    leader.caught_up().result(WAIT)
    if leader.last_delta is not None:
        leader.last_delta.result(WAIT)


def test_a_restarted_seat_and_a_new_wall_catch_up_by_the_leaders_deltas(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catch_up, "DELTA_ENTRIES", 4)
    monkeypatch.setattr(catch_up, "AHEAD", 1)  # a batch a delta: the chain is taken across batches
    leader, b = open_seat(hub, tmp_path, "a", lead=True), open_seat(hub, tmp_path, "b")
    wall = None
    try:
        leader.wait_status(lambda status: status.leading, WAIT)
        _day(leader, range(3))
        b.caught_up().result(WAIT)
        stopped_at = b.applied
        b.close()

        cases = _day(leader, range(3, 9))  # while b is away
        _kept(leader)
        b = open_seat(hub, tmp_path, "b")
        assert b.caught.deltas >= 2
        assert stopped_at < stopped_at + b.caught.entries <= leader.applied
        assert b.caught_up().result(WAIT) == leader.applied
        assert case_on(b, cases[-1]).state is CaseState.DISPATCHED
        # Every report stored once (none counted again as a repeat), each case searchable by its words.
        assert scalar(b, "SELECT count(*) FROM events WHERE duplicates = 0") == 9
        found = b.query(lambda ctx: ctx.desk.conn.execute(
            "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH '\"人民\"'"
        ).fetchone()[0]).result(WAIT)  # fmt: skip
        assert found == 9
        # It works on: its command reaches the leader.
        act(b, cases[0], Action.SIGN, DISPATCHER)
        leader.caught_up().result(WAIT)
        assert case_on(leader, cases[0]).state is CaseState.SIGNED

        wall = SeatLoop(
            tmp_path / "wall.sqlite3", leader.policy, ManualClock(START), hub=[hub], centre="test",
            seat="wall", snapshots=False,
        )  # fmt: skip
        assert wall.caught.deltas >= 2
        assert wall.caught_up().result(WAIT) == leader.caught_up().result(WAIT)
    finally:
        for seat in (leader, b, wall):
            if seat is not None:
                seat.close()
    assert differences(leader.db_path, b.db_path) == []
    assert differences(leader.db_path, tmp_path / "wall.sqlite3") == []


@pytest.mark.parametrize("ahead", [1, 8])
@pytest.mark.parametrize(
    "fault",
    [
        "damaged bytes claiming the whole log",
        "the second damaged on the hub",
        "the second refused by the store",
    ],
)
def test_a_seat_keeps_the_deltas_before_one_it_cannot_use_and_replays_from_there(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int, fault: str
) -> None:
    monkeypatch.setattr(catch_up, "DELTA_ENTRIES", 4)
    monkeypatch.setattr(catch_up, "AHEAD", ahead)  # the bad one in the first batch, or a later one
    leader = open_seat(hub, tmp_path, "a", lead=True)
    late = None
    try:
        leader.wait_status(lambda status: status.leading, WAIT)
        _day(leader, range(4))
        _kept(leader)
        links = chain(leader._on_hub(leader._hub.deltas()).result(WAIT), 0)
        assert len(links) >= 2
        kept_before = (links[0][1], 1)
        if fault == "damaged bytes claiming the whole log":  # the chain takes it first: nothing before it
            leader._on_hub(leader._hub.put_delta(0, leader.applied, b"tianshu-delta\n damaged")).result(WAIT)
            kept_before = (0, 0)
        elif fault == "the second damaged on the hub":
            leader._on_hub(leader._hub.put_delta(*links[1], b"tianshu-delta\n damaged")).result(WAIT)
        else:
            writes = iter([catch_up.apply_delta, _refuse])
            monkeypatch.setattr(catch_up, "apply_delta", lambda conn, ready: next(writes)(conn, ready))
        late = open_seat(hub, tmp_path, "late")
        assert (late.caught.entries, late.caught.deltas) == kept_before
        assert late.caught_up().result(WAIT) == leader.applied
    finally:
        leader.close()
        if late is not None:
            late.close()
    assert differences(leader.db_path, tmp_path / "late.sqlite3") == []


def _refuse(conn: object, ready: object) -> None:
    raise BadDelta("its audit rows do not follow this store's")


def test_only_the_leader_publishes_deltas_and_a_quiet_beat_cuts_what_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catch_up, "FOLLOWER_KEEPS", 2)
    store = open_store(tmp_path / "seat.sqlite3")
    clock, published, leading = ManualClock(START), list[Delta](), [False]
    cutter = Cutter("test", clock, lambda: leading[0], published.append)
    try:
        cutter.open(store.conn)

        def applied(seq: int) -> list[Outcome]:
            store.conn.execute(
                "INSERT INTO loop_state VALUES ('seat_applied_seq', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(seq),),
            )
            return [Outcome(seq, f"e{seq}", "a")]

        cutter.applied(applied(1))
        clock.advance(catch_up.DELTA_S)
        cutter.beat()  # not leading: nothing published, what it recorded kept a while
        assert published == []
        leading[0] = True
        cutter.applied(applied(2))
        clock.advance(catch_up.DELTA_S - 1)
        cutter.beat()
        assert published == []  # not yet
        clock.advance(1)
        cutter.beat()  # leading: from before it led (a chain across a change of leader)
        assert [(d.first, d.last) for d in published] == [(0, 2)]
        cutter.beat()  # nothing since
        assert len(published) == 1
        leading[0] = False  # the lease lost: kept for FOLLOWER_KEEPS cuts' worth of entries, then forgotten
        for seq in range(3, 3 + 2 * catch_up.DELTA_ENTRIES):
            cutter.applied(applied(seq))
        leading[0] = True
        cutter.applied(applied(3 + 2 * catch_up.DELTA_ENTRIES))
        cutter.cut()
        assert published[-1].first == 2 + 2 * catch_up.DELTA_ENTRIES  # the kept part was let go at 2,002
        assert published[-1].last == 3 + 2 * catch_up.DELTA_ENTRIES
    finally:
        store.close()


def test_the_chain_takes_a_store_furthest_from_its_own_entry() -> None:
    kept = [(0, 10), (10, 20), (10, 25), (20, 30), (25, 40), (41, 50)]
    assert chain(kept, 0) == [(0, 10), (10, 25), (25, 40)]
    assert chain(kept, 20) == [(20, 30), (25, 40)]  # the second from the middle of its range
    assert chain(kept, 15) == [(10, 25), (25, 40)]
    assert chain(kept, 40) == []  # nothing covers entry 41's predecessor
    assert chain(kept, 45) == [(41, 50)]
    assert chain([], 0) == []
