"""The shift handover (交接班) on seats: written at one console, it is on every seat (the next shift's lead
may sit at another), with the open cases as the log had them; signed for anywhere; refused alike."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from dispatch.casework.model import Action, Actor, Role
from dispatch.casework.records.handover import recent_handovers
from dispatch.casework.shifts import Handover, HandoverError, HandoverProblem, Shift
from dispatch.seats.entries import pack_events
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import START, WAIT, act, event, open_seat

pytestmark = pytest.mark.slow
NEXT_LEAD = Actor("zhou", Role.SHIFT_LEAD, "周夜班")
NIGHT = Shift(START - 12 * 3600, START, 1)


def handovers(seat: SeatLoop) -> list[Handover]:
    return seat.query(lambda ctx: recent_handovers(ctx.desk.conn)).result(WAIT)


def test_a_handover_written_on_one_seat_is_received_on_another(hub: str, tmp_path: Path) -> None:
    a, b = open_seat(hub, tmp_path, "a", lead=True), open_seat(hub, tmp_path, "b")
    try:
        a.wait_status(lambda status: status.leading, WAIT)
        packed, _ = pack_events([event("e1", START), event("e2", START, lon=114.4)], "a", START)
        a.publish_events(packed[0]).result(WAIT)
        a.leading.work_off(WAIT)
        b.caught_up().result(WAIT)  # the cases a's discovery opened reach b by the log, in its own time
        act(b, 1, Action.REGISTER, LEAD)

        written = a.hand_over(NIGHT, LEAD, "  夜班交接：人民路井盖待复查  ").result(WAIT)
        assert written.note == "夜班交接：人民路井盖待复查"
        assert sorted(case.id for case in written.open_cases) == [1, 2]  # as the log had them
        b.caught_up().result(WAIT)
        (seen,) = handovers(b)
        assert (seen.id, seen.note, seen.open_cases) == (written.id, written.note, written.open_cases)
        assert seen.received_by is None

        # The night's lead signs for it at the other console; both consoles show the receipt.
        received = b.receive_handover(written.id, NEXT_LEAD).result(WAIT)
        assert received.received_by == "zhou"
        a.caught_up().result(WAIT)
        assert handovers(a) == handovers(b)
        assert handovers(a)[0].received_by == "zhou"

        # The rules hold on every seat alike, and the sender hears them in their own words.
        with pytest.raises(HandoverError) as again:
            b.hand_over(NIGHT, NEXT_LEAD, "再写一次").result(WAIT)
        assert again.value.code is HandoverProblem.ALREADY_WRITTEN
        with pytest.raises(HandoverError) as forbidden:
            a.hand_over(Shift(START, START + 12 * 3600, 0), DISPATCHER, "派遣员不能交班").result(WAIT)
        assert forbidden.value.code is HandoverProblem.FORBIDDEN
        with pytest.raises(HandoverError) as twice:
            a.receive_handover(written.id, LEAD).result(WAIT)
        assert twice.value.code is HandoverProblem.OWN_HANDOVER
        for seat in (a, b):
            seat.caught_up().result(WAIT)
        assert handovers(a) == handovers(b)
    finally:
        b.close()
        a.close()
    assert differences(tmp_path / "a.sqlite3", tmp_path / "b.sqlite3") == []


def test_two_leads_handing_over_one_shift_at_once_get_one_handover_and_one_clear_refusal(
    hub: str, tmp_path: Path
) -> None:
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    try:
        both = [a.hand_over(NIGHT, LEAD, "甲的交接"), b.hand_over(NIGHT, NEXT_LEAD, "乙的交接")]
        concurrent.futures.wait(both, WAIT)
        answers = [future.exception() or future.result() for future in both]
        written = [answer for answer in answers if isinstance(answer, Handover)]
        refused = [answer for answer in answers if isinstance(answer, HandoverError)]
        assert len(written) == 1
        assert [error.code for error in refused] == [HandoverProblem.ALREADY_WRITTEN]
        for seat in (a, b):
            seat.caught_up().result(WAIT)
        assert [h.note for h in handovers(a)] == [h.note for h in handovers(b)] == [written[0].note]
    finally:
        b.close()
        a.close()
