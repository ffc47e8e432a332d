"""A seat cut off from the hub goes read-only (its last state, no commands) and catches up once back."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import sys
from pathlib import Path
from typing import Any

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, CaseState, Command
from dispatch.seats.follower import Follower
from dispatch.seats.hub import HubUnavailable
from dispatch.seats.lease import Lease
from dispatch.seats.seat import SeatLoop, SeatOffline
from dispatch.seats.verify import differences
from sim.nats_hub import in_ci, missing_reason, nats_server
from tests.dispatch.casework.policies import DISPATCHER, LEAD, POLICY
from tests.dispatch.seats.cable import Cable
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat

pytestmark = pytest.mark.slow


def refused_offline(future: concurrent.futures.Future[Any]) -> SeatOffline:
    """The seat answered at once (no waiting on a hub it cannot reach), with SeatOffline."""
    assert future.done()
    error = future.exception()
    assert isinstance(error, SeatOffline)
    return error


@pytest.mark.parametrize("silent", [False, True], ids=["line closed", "cable pulled"])
def test_a_seat_cut_off_is_read_only_then_catches_up(hub: str, tmp_path: Path, silent: bool) -> None:
    cable = Cable(hub)
    a: SeatLoop | None = None
    b = open_seat(hub, tmp_path, "b")
    try:
        a = open_seat(cable.url, tmp_path, "a")
        (case_id,) = b.publish_event(event("e1")).result(WAIT).opened
        registered = act(b, case_id, Action.REGISTER, LEAD)
        a.caught_up().result(WAIT)

        # Closed, the seat hears it at once; pulled, it misses its pings (about two seconds).
        cable.cut(silent=silent)
        a.wait_status(lambda status: not status.online, WAIT)
        error = refused_offline(
            a.act(Command(case_id, registered.version, Action.DISPATCH, DISPATCHER, payload={"unit": "U-1"}))
        )
        assert "read-only until it is back" in str(error)
        refused_offline(a.publish_event(event("e2")))
        # The officer still sees the last state, while the others go on without this seat.
        dispatched = act(b, case_id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
        assert case_on(a, case_id) == registered

        cable.mend()
        a.wait_status(lambda status: status.online, WAIT)
        assert a.caught_up().result(WAIT) == b.applied
        assert case_on(a, case_id) == dispatched
        assert dispatched.state is CaseState.DISPATCHED
        # Back, it takes commands again.
        (other,) = a.publish_event(event("e3", lon=114.40)).result(WAIT).opened
        b.caught_up().result(WAIT)
        assert case_on(b, other).state is case_on(a, other).state
    finally:
        if a is not None:
            a.close()
        b.close()
        cable.close()
    assert a is not None
    assert differences(a.db_path, b.db_path) == []


def test_a_seat_is_read_only_while_the_hub_is_stopped(tmp_path: Path) -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)
    with nats_server(tmp_path / "hub") as url:
        a = open_seat(url, tmp_path, "a")
        try:
            (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
            registered = act(a, case_id, Action.REGISTER, LEAD)
        except BaseException:
            a.close()
            raise
    try:
        a.wait_status(lambda status: not status.online, WAIT)
        refused_offline(
            a.act(Command(case_id, registered.version, Action.DISPATCH, DISPATCHER, payload={"unit": "U-1"}))
        )
        assert case_on(a, case_id) == registered
        with nats_server(tmp_path / "hub", port=int(url.rsplit(":", 1)[1])):
            a.wait_status(lambda status: status.online, WAIT)
            assert act(a, case_id, Action.DISPATCH, DISPATCHER, unit="U-1").state is CaseState.DISPATCHED
            a.close()
    finally:
        a.close()


def test_a_line_reset_while_publishing_is_an_answer_not_silence(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (the chaos test): a connection reset in the middle of a publish left the command's caller
    waiting for ever; now it hears 'not confirmed', and the seat goes on."""
    a = open_seat(hub, tmp_path, "a")
    try:
        (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
        real = a._hub.publish

        async def reset(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionResetError(104, "Connection reset by peer")

        monkeypatch.setattr(a._hub, "publish", reset)
        command = Command(case_id, 1, Action.REGISTER, LEAD)
        with pytest.raises(HubUnavailable, match="not confirmed"):
            a.act(command).result(WAIT)
        monkeypatch.setattr(a._hub, "publish", real)
        assert a.act(command).result(WAIT).case.state is CaseState.REGISTERED
    finally:
        a.close()


def test_a_command_stored_but_not_applied_here_is_answered_not_confirmed_in_time(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seat whose follower is gone (lost with a node, not yet made again) would keep the officer waiting
    for ever on a command the hub stored: after the seat's timeout it says 'not confirmed' — and the
    command is in the log all the same (another seat shows it)."""
    b = open_seat(hub, tmp_path, "b")

    async def deaf(self: Follower, seq: int, data: bytes, stored_at: float, subject: str) -> None:
        return None  # this seat hears nothing of the log

    try:
        (case_id,) = b.publish_event(event("e1")).result(WAIT).opened
        monkeypatch.setattr(Follower, "deliver", deaf)
        a = SeatLoop(tmp_path / "a.sqlite3", POLICY, ManualClock(START), hub=[hub], centre="test", seat="a",
                     timeout=3.0)  # fmt: skip
        try:
            with pytest.raises(HubUnavailable, match="not confirmed: in the log"):
                a.act(Command(case_id, 1, Action.REGISTER, LEAD)).result(WAIT)
        finally:
            a.close()
        b.caught_up().result(WAIT)
        assert case_on(b, case_id).state is CaseState.REGISTERED
    finally:
        b.close()


def test_a_seat_whose_leaving_hangs_leaves_nothing_pending_behind(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (a CI run): a seat whose close took longer than its timeout stopped its loop with tasks
    still pending; destroyed later, they were reported in the name of an unrelated test."""
    seat = SeatLoop(tmp_path / "a.sqlite3", POLICY, ManualClock(START), hub=[hub], centre="test", seat="a",
                    lead=True, timeout=2.0)  # fmt: skip
    seat.wait_status(lambda status: status.leading, WAIT)
    hung = asyncio.Event()

    async def hangs(self: Lease) -> None:
        await hung.wait()  # a hub that never answers the lease's release

    monkeypatch.setattr(Lease, "close", hangs)
    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: reported.append(unraisable.object))
    seat.close()
    assert seat._aio.is_closed()
    del seat
    gc.collect()  # a task destroyed pending, or a socket left open, is reported here
    assert reported == []


def test_a_command_whose_sign_in_check_is_cancelled_by_a_closing_store_is_answered(
    hub: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of who is signed in runs on the seat's store: closed under it, the command still gets an
    answer (not a callback error and a caller waiting for ever)."""
    a = open_seat(hub, tmp_path, "a")
    try:
        (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
        cancelled: concurrent.futures.Future[object] = concurrent.futures.Future()
        cancelled.cancel()
        monkeypatch.setattr(a._local, "query", lambda job: cancelled)
        with pytest.raises(HubUnavailable, match="closed"):
            a.act(Command(case_id, 1, Action.REGISTER, LEAD)).result(WAIT)
    finally:
        monkeypatch.undo()
        a.close()
