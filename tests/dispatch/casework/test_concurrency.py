"""Two consoles on one store: the second to act on a version is refused as stale; nothing is overwritten."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.casework.model import Action, Actor, Applied, CaseState, Command, Refusal, Refused
from dispatch.casework.records import audit
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import DISPATCHER, LEAD, POLICY, Loop, act, new_case, open_loop

S = CaseState
OTHER_LEAD = Actor("zhou", LEAD.role, "周值班长")


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Loop, Loop]]:
    """Two consoles: two connections, two desks, one store file, one clock."""
    first = open_loop(tmp_path / "store.sqlite3")
    second = open_loop(first.path, first.clock)
    yield first, second
    first.close()
    second.close()


def audit_count(loop: Loop) -> int:
    return int(loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0])


def test_the_second_console_is_refused_with_who_did_what(two: tuple[Loop, Loop]) -> None:
    first, second = two
    case = new_case(first)
    registered = act(first, case.id, Action.REGISTER, LEAD)
    # Both consoles show version 2; the dispatcher is quicker.
    seen_by_second = second.desk.get(case.id)
    assert seen_by_second.version == registered.version
    first.desk.act(Command(case.id, registered.version, Action.DISPATCH, DISPATCHER, payload={"unit": "U-A"}))
    rows = audit_count(first)

    with pytest.raises(Refused) as caught:
        second.desk.act(Command(case.id, seen_by_second.version, Action.VOID, OTHER_LEAD, "重复上报"))
    refused = caught.value
    assert refused.code is Refusal.STALE
    assert "wang (dispatcher) did dispatch" in refused.detail
    assert f"version {registered.version}, now {registered.version + 1}" in refused.detail
    assert refused.by is not None
    assert (refused.by.actor, refused.by.action) == ("wang", Action.DISPATCH)
    # The refusal carries the case as it is now, so the console can refresh without asking again.
    assert refused.current == second.desk.get(case.id)
    assert (refused.current.state, refused.current.unit) == (S.DISPATCHED, "U-A")
    assert audit_count(second) == rows
    assert audit.verify(second.conn).ok


def test_the_same_action_from_both_consoles_happens_once(two: tuple[Loop, Loop]) -> None:
    first, second = two
    case = new_case(first)
    version = act(first, case.id, Action.REGISTER, LEAD).version
    first.desk.act(Command(case.id, version, Action.DISPATCH, DISPATCHER, payload={"unit": "U-A"}))
    with pytest.raises(Refused) as caught:
        second.desk.act(Command(case.id, version, Action.DISPATCH, DISPATCHER, payload={"unit": "U-B"}))
    assert caught.value.code is Refusal.STALE
    assert second.desk.get(case.id).unit == "U-A"
    assert second.conn.execute("SELECT unit FROM outbox").fetchall() == [("U-A",)]


def test_a_console_waiting_on_the_lock_is_refused_when_it_gets_it(tmp_path: Path) -> None:
    """Both begin a write transaction; the second waits for the first's commit, then finds a new version."""
    first = open_loop(tmp_path / "store.sqlite3")
    case = new_case(first)
    version = act(first, case.id, Action.REGISTER, LEAD).version
    db = open_store(first.path, check_same_thread=False)
    # A console in another process: only SQLite's lock stands between the two (not this process's gate).
    second = CaseDesk(db.conn, Timers(POLICY), first.clock, gate=threading.RLock())
    begun = threading.Event()
    db.conn.set_trace_callback(lambda sql: begun.set() if sql == "BEGIN IMMEDIATE" else None)
    outcome: list[Applied | Refused] = []

    def second_console() -> None:
        try:
            outcome.append(second.act(Command(case.id, version, Action.VOID, OTHER_LEAD, "误报")))
        except Refused as refused:
            outcome.append(refused)

    with first.desk.transaction():
        thread = threading.Thread(target=second_console)
        thread.start()
        # The other console has started BEGIN IMMEDIATE and can only be waiting on our lock now.
        assert begun.wait(10)
        first.desk.act_in_transaction(
            Command(case.id, version, Action.DISPATCH, DISPATCHER, payload={"unit": "U-A"})
        )
    thread.join(10)
    assert not thread.is_alive()
    (result,) = outcome
    assert isinstance(result, Refused)
    assert result.code is Refusal.STALE
    assert "did dispatch" in result.detail
    assert first.desk.get(case.id).state is S.DISPATCHED
    assert audit.verify(first.conn).ok
    db.close()
    first.close()


def test_two_writers_in_threads_keep_one_linear_chain(tmp_path: Path) -> None:
    """Many commands from two threads at once: every one applied or refused as stale, the chain one line."""
    first = open_loop(tmp_path / "store.sqlite3")
    ids = [new_case(first, f"e{i}", lon=114.0 + i * 0.01).id for i in range(20)]
    desks = []
    for _ in range(2):
        db = open_store(first.path, check_same_thread=False)
        desks.append((db, CaseDesk(db.conn, Timers(POLICY), first.clock)))
    applied: list[int] = []
    stale: list[tuple[int, Refusal]] = []
    start = threading.Barrier(2)

    def console(desk: CaseDesk) -> None:
        start.wait()
        for case_id in ids:
            # Both consoles saw version 1 of every case: exactly one register each may win.
            try:
                desk.act(Command(case_id, 1, Action.REGISTER, LEAD))
                applied.append(case_id)
            except Refused as refused:
                stale.append((case_id, refused.code))

    threads = [threading.Thread(target=console, args=(desk,)) for _, desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(applied) == ids
    assert sorted(stale) == [(case_id, Refusal.STALE) for case_id in ids]
    report = audit.verify(first.conn)
    assert (report.ok, report.rows) == (True, 40)
    for db, _ in desks:
        db.close()
    first.close()
