"""One leader runs the periodic jobs through the log: a lease in the hub's key-value store, taken over
when the leader dies, fenced by its term so that a stale leader's jobs are refused everywhere."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, Card, Refusal
from dispatch.seats.apply import Outcome, read_term
from dispatch.seats.seat import JOBS_EVERY_S, SeatLoop
from dispatch.seats.verify import differences
from dispatch.store.read_only import open_read_only
from sim.nats_hub import in_ci, missing_reason, nats_server
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat, timeline

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
# How long a takeover may take at most here: the lease's TTL is 3 s and a seat tries every second; the
# rest is room for a loaded machine.
TAKEOVER_S = 20.0


def fire_case(seat: SeatLoop) -> int:
    """A fire alarm dispatched at START: its handling marks are at 70, 100 and 150 minutes."""
    (case_id,) = seat.publish_event(event("f1", category="fire_alarm")).result(WAIT).opened
    act(seat, case_id, Action.REGISTER, LEAD)
    act(seat, case_id, Action.DISPATCH, DISPATCHER, unit="U-FIRE")
    return case_id


def cards(seat: SeatLoop, case_id: int) -> list[int]:
    """The card levels the audit shows raised on the case, in order."""
    return [row.payload["card"] for row in timeline(seat, case_id) if row.action is Action.CARD]


def at_minute(clock: ManualClock, minutes: float) -> None:
    clock.advance(START + minutes * 60 - clock.now())


def test_one_seat_leads_and_its_jobs_run_alike_everywhere(hub: str, tmp_path: Path) -> None:
    clock = ManualClock(START)
    a = open_seat(hub, tmp_path, "a", clock=clock, lead=True)
    b = open_seat(hub, tmp_path, "b")  # a wall, say: it never leads
    try:
        term = a.wait_status(lambda status: status.leading, WAIT).term
        assert b.status.term is None
        assert b.run_jobs() is None  # a seat that does not lead runs no jobs
        case_id = fire_case(a)
        at_minute(clock, 120)
        ran = a.run_jobs()
        assert ran is not None
        outcome = ran.result(WAIT)
        assert outcome.refused is None
        assert outcome.raised == (case_id,)
        b.caught_up().result(WAIT)
        assert case_on(b, case_id).card is Card.YELLOW_CARD
        assert cards(a, case_id) == cards(b, case_id) == [Card.YELLOW_CARD]
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []
    conn = open_read_only(b.db_path)
    try:
        assert read_term(conn) == term  # the term in force is part of the replica
    finally:
        conn.close()


def test_a_stale_leaders_jobs_are_refused_on_every_seat(hub: str, tmp_path: Path) -> None:
    a_clock, b_clock = ManualClock(START), ManualClock(START)
    a = open_seat(hub, tmp_path, "a", clock=a_clock, lead=True)
    try:
        old = a.wait_status(lambda status: status.leading, WAIT).term
        assert old is not None
        case_id = fire_case(a)
    finally:
        a.close()  # gives the lease back
    b = open_seat(hub, tmp_path, "b", clock=b_clock, lead=True)
    # a comes back (without a lease of its own) still believing in its old term: a paused process, a
    # run queued before it noticed it lost the lease.
    a = open_seat(hub, tmp_path, "a", clock=a_clock)
    try:
        new = b.wait_status(lambda status: status.leading, TAKEOVER_S).term
        assert new is not None
        assert new > old
        at_minute(a_clock, 120)
        late = a.publish_jobs(old, 99).result(WAIT)
        assert late.refused is not None
        assert late.refused.code is Refusal.STALE
        assert late.raised == ()
        b.caught_up().result(WAIT)
        assert cards(a, case_id) == cards(b, case_id) == []
        # The leader's own run at the same minute goes through.
        at_minute(b_clock, 120)
        ran = b.run_jobs()
        assert ran is not None
        assert ran.result(WAIT).raised == (case_id,)
        a.caught_up().result(WAIT)
        assert cards(a, case_id) == cards(b, case_id) == [Card.YELLOW_CARD]
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def test_the_leader_killed_another_takes_over_and_no_job_runs_twice(hub: str, tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.dispatch.seats.lease_child", hub, str(tmp_path), "a"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdin is not None
    assert child.stdout is not None
    b_clock = ManualClock(START)
    b: SeatLoop | None = None
    try:
        word, old = child.stdout.readline().split()
        assert word == "leading"
        b = open_seat(hub, tmp_path, "b", clock=b_clock, lead=True)
        assert b.status.term is None
        case_id = fire_case(b)
        # The leader runs the jobs at minute 120: the yellow card, once.
        child.stdin.write("jobs 120\n")
        child.stdin.flush()
        assert child.stdout.readline().split() == ["ran", str(case_id)]
        child.kill()
        child.wait(WAIT)
        new = b.wait_status(lambda status: status.leading, TAKEOVER_S).term
        assert new is not None
        assert new > int(old)
        # The new leader runs the jobs at the same minute again: nothing is raised twice…
        at_minute(b_clock, 120)
        again = b.run_jobs()
        assert again is not None
        # The whole outcome, so that a failure says whether the run was refused, a repeat, or ran.
        outcome = again.result(WAIT)
        assert (outcome.refused, outcome.duplicate, outcome.raised) == (None, False, ())
        # …and at minute 160 the red card, once.
        at_minute(b_clock, 160)
        later = b.run_jobs()
        assert later is not None
        outcome = later.result(WAIT)
        assert (outcome.refused, outcome.duplicate, outcome.raised) == (None, False, (case_id,))
        assert cards(b, case_id) == [Card.YELLOW_CARD, Card.RED_CARD]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(WAIT)
        child.stdin.close()
        child.stdout.close()
        if b is not None:
            b.close()


def test_the_lease_and_the_jobs_go_on_after_the_hub_restarts(tmp_path: Path) -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)
    clock = ManualClock(START)
    with nats_server(tmp_path / "hub") as url:
        a = open_seat(url, tmp_path, "a", clock=clock, lead=True)
        b = open_seat(url, tmp_path, "b")
        try:
            a.wait_status(lambda status: status.leading, WAIT)
            case_id = fire_case(a)
            b.caught_up().result(WAIT)
        except BaseException:
            a.close()
            b.close()
            raise
    try:
        for seat in (a, b):
            seat.wait_status(lambda status: not status.online, WAIT)
        # The same server again, its log and lease on disk; the clients' consumers and the lease's
        # renewals must start again by themselves.
        with nats_server(tmp_path / "hub", port=int(url.rsplit(":", 1)[1])):
            at_minute(clock, 120)
            outcome = run_jobs_as_leader(a)
            assert outcome.raised == (case_id,)
            b.caught_up().result(WAIT)  # b follows again too
            assert cards(a, case_id) == cards(b, case_id) == [Card.YELLOW_CARD]
            a.close()
            b.close()
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def run_jobs_as_leader(seat: SeatLoop) -> Outcome:
    """Run the jobs once the seat leads again. A term it held before the restart may lapse between
    reading the status and publishing (then the run is refused as stale): the next lead runs them, as
    the next beat would."""
    deadline = time.monotonic() + TAKEOVER_S
    while True:
        seat.wait_status(lambda status: status.leading and status.online, TAKEOVER_S)
        ran = seat.run_jobs()
        outcome = ran.result(WAIT) if ran is not None else None
        if outcome is not None and outcome.refused is None:
            return outcome
        assert time.monotonic() < deadline, f"no run of the jobs went through: {outcome}"


def test_the_leaders_beat_runs_the_jobs_at_most_every_few_seconds(hub: str, tmp_path: Path) -> None:
    clock = ManualClock(START)
    a = open_seat(hub, tmp_path, "a", clock=clock, lead=True)
    b = open_seat(hub, tmp_path, "b")
    try:
        a.wait_status(lambda status: status.leading, WAIT)
        case_id = fire_case(a)
        at_minute(clock, 120)
        a.beat().result(WAIT)
        first = a.last_run
        assert first is not None
        assert first.result(WAIT).raised == (case_id,)
        a.beat().result(WAIT)  # the same second: no second run
        assert a.last_run is first
        clock.advance(JOBS_EVERY_S)
        a.beat().result(WAIT)
        assert a.last_run is not first
        assert a.last_run.result(WAIT).refused is None
        b.beat().result(WAIT)  # a seat that does not lead runs none
        assert b.last_run is None
        b.caught_up().result(WAIT)
        assert cards(b, case_id) == [Card.YELLOW_CARD]
    finally:
        a.close()
        b.close()
