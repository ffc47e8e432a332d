"""The hub restarts under the seats (same port, same store): they reconnect, publish and follow again."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, CaseState
from dispatch.seats.hub import HubUnavailable
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences, read_replica
from sim.nats_hub import in_ci, missing_reason, nats_server
from tests.dispatch.casework.policies import DISPATCHER, LEAD, POLICY
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat

pytestmark = pytest.mark.slow


def test_seats_go_on_after_the_hub_restarts(tmp_path: Path) -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)
    with nats_server(tmp_path / "hub") as url:
        a, b = open_seat(url, tmp_path, "a"), open_seat(url, tmp_path, "b")
        try:
            (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
            act(a, case_id, Action.REGISTER, LEAD)
            b.caught_up().result(WAIT)
        except BaseException:
            a.close()
            b.close()
            raise
    port = int(url.rsplit(":", 1)[1])
    try:
        for seat in (a, b):  # the server is gone: both seats see it (then back, below)
            seat.wait_status(lambda status: not status.online, WAIT)
        # The same server again, its log on disk: b's consumer lived only in the old process's memory.
        with nats_server(tmp_path / "hub", port=port):
            # Cut off, a seat takes no commands (docs/seats.md): wait until both are back.
            for seat in (a, b):
                seat.wait_status(lambda status: status.online, WAIT)
            dispatched = act(a, case_id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
            assert b.caught_up().result(WAIT) == a.applied
            assert case_on(b, case_id) == dispatched
            assert dispatched.state is CaseState.DISPATCHED
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def test_a_seat_that_cannot_reach_the_hub_says_so_in_time(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, never listening: every connection is refused
        url = f"nats://127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(HubUnavailable, match=f"cannot reach the hub at {url}"):
            SeatLoop(
                tmp_path / "a.sqlite3", POLICY, ManualClock(START), hub=[url], centre="c", seat="a", timeout=1
            )
    # The failed join left the store as it was: never joined, nothing applied.
    assert read_replica(tmp_path / "a.sqlite3").applied == 0
