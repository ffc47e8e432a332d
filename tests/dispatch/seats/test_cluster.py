"""Seats on a three-node NATS cluster (what a centre runs): a node dies mid-run and the centre goes on."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, Case, CaseState, Command, Refusal, Refused
from dispatch.seats.hub import HubUnavailable
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences
from sim.nats_hub import in_ci, missing_reason, nats_cluster
from tests.dispatch.casework.policies import DISPATCHER, LEAD, POLICY
from tests.dispatch.seats.seating import START, WAIT, case_on, event

pytestmark = pytest.mark.slow
# A node's death moves the stream's and the lease's leadership to another node (an election of a few
# seconds); commands given meanwhile are not confirmed and are given again, as an officer would.
SETTLE_S = 60.0


def settle(seat: SeatLoop, case_id: int, action: Action, reached: CaseState, **payload: Any) -> Case:
    """Give the command until the case is in `reached`: again after no confirmation (the first may have
    been stored after all: then the repeat is refused as stale, and the case shows it). A command the hub
    stored is answered once this seat has applied it, and after a node's death that waits until the seat
    follows the log again (its consumer is made again every second until the stream has a leader): that
    can take longer than WAIT, so each answer is awaited until the cluster has had SETTLE_S to settle."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        case = case_on(seat, case_id)
        if case.state is reached:
            return case
        actor = DISPATCHER if action is Action.DISPATCH else LEAD
        given = seat.act(Command(case_id, case.version, action, actor, "", payload))
        try:
            return given.result(max(0.0, deadline - time.monotonic())).case
        except HubUnavailable:
            seat.wait_status(lambda status: status.online, SETTLE_S)
        except Refused as refused:
            if refused.code is not Refusal.STALE:
                raise
            seat.caught_up().result(WAIT)
        assert time.monotonic() < deadline, f"case {case_id} never reached {reached}"


def test_three_seats_on_a_cluster_go_on_when_a_node_dies(tmp_path: Path) -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)
    with nats_cluster(tmp_path / "hub") as nodes:
        urls = [node.url for node in nodes]
        seats: list[SeatLoop] = []
        try:
            for i, name in enumerate(("a", "b", "c")):
                # Each seat knows every node (its client picks one, and another when that one dies).
                seats.append(SeatLoop(
                    tmp_path / f"{name}.sqlite3", POLICY, ManualClock(START), hub=urls[i:] + urls[:i],
                    centre="test", seat=name, lead=name == "a", timeout=WAIT,
                ))  # fmt: skip
            a, b, c = seats
            assert a.wait_status(lambda status: status.leading, WAIT).leading
            (first,) = a.publish_event(event("e1")).result(WAIT).opened
            (second,) = b.publish_event(event("e2", lon=114.40)).result(WAIT).opened
            for seat in (a, c):  # each acts below on a case another seat opened: it reaches them by the log
                seat.caught_up().result(WAIT)
            settle(c, first, Action.REGISTER, CaseState.REGISTERED)
            settle(a, second, Action.REGISTER, CaseState.REGISTERED)

            nodes[0].kill()  # mid-run: the two others keep the log and the lease

            settle(b, first, Action.DISPATCH, CaseState.DISPATCHED, unit="U-1")
            settle(c, second, Action.DISPATCH, CaseState.DISPATCHED, unit="U-2")
            a.wait_status(lambda status: status.online and status.leading, SETTLE_S)
            last = max(seat.caught_up().result(SETTLE_S) for seat in seats)
            for seat in seats:
                seat.wait_status(lambda status: status.online, SETTLE_S)
                assert seat.caught_up().result(SETTLE_S) >= last
            assert {case_on(seat, first).state for seat in seats} == {CaseState.DISPATCHED}
        finally:
            for seat in seats:
                seat.close()
    for seat in seats[1:]:
        assert differences(seats[0].db_path, seat.db_path) == []
