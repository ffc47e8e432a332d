"""An officer's 重试 of the items the jobs set aside goes through the log: every seat marks them, and the
leader's next run retries them on every seat alike (a mark on one seat's store alone made that seat's
replica open a case the others never opened)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.seats.entries import pack_events
from dispatch.seats.seat import SeatLoop, SeatOffline
from dispatch.seats.verify import differences
from dispatch.service import LoopContext
from tests.dispatch.seats.cable import Cable
from tests.dispatch.seats.seating import START, WAIT, event, open_seat, scalar

pytestmark = pytest.mark.slow
REFUSE = "CREATE TRIGGER refuse_cases BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'cases refused'); END"


def _sql(seat: SeatLoop, statement: str) -> None:
    def job(ctx: LoopContext) -> None:
        with ctx.desk.transaction() as conn:
            conn.execute(statement)

    seat.write(job).result(WAIT)


def test_a_retry_asked_on_one_seat_is_retried_on_every_seat(hub: str, tmp_path: Path) -> None:
    leader, other = open_seat(hub, tmp_path, "a", lead=True), open_seat(hub, tmp_path, "b")
    try:
        leader.wait_status(lambda status: status.leading, WAIT)
        for seat in (leader, other):  # the same fault on every seat (a full disk would differ)
            _sql(seat, REFUSE)
        packed, _ = pack_events([event("e1", START)], "b", START)
        assert other.publish_events(packed[0]).result(WAIT).stored == 1
        leader.leading.work_off(WAIT)
        other.caught_up().result(WAIT)
        for seat in (leader, other):
            assert scalar(seat, "SELECT count(*) FROM failed_items WHERE job = 'discovery'") == 1
            assert scalar(seat, "SELECT count(*) FROM cases") == 0
            _sql(seat, "DROP TRIGGER refuse_cases")  # mended

        assert other.retry_failed("li.na").result(WAIT) == 1  # asked on the seat that does not lead
        leader.caught_up().result(WAIT)
        assert scalar(leader, "SELECT retry FROM failed_items") == 1  # marked on the leader too
        ran = leader.run_jobs()
        assert ran is not None
        assert len(ran.result(WAIT).opened) == 1
        other.caught_up().result(WAIT)
        for seat in (leader, other):
            assert scalar(seat, "SELECT count(*) FROM cases") == 1
            assert scalar(seat, "SELECT count(*) FROM failed_items") == 0
    finally:
        other.close()
        leader.close()
    assert differences(tmp_path / "a.sqlite3", tmp_path / "b.sqlite3") == []


def test_a_retry_asked_on_a_seat_cut_off_is_refused_at_once(hub: str, tmp_path: Path) -> None:
    with Cable(hub) as cable:
        seat = open_seat(cable.url, tmp_path, "b")
        try:
            cable.cut()
            seat.wait_status(lambda status: not status.online, WAIT)
            asked = seat.retry_failed("li.na")
            with pytest.raises(SeatOffline, match="read-only until it is back"):
                asked.result(WAIT)
        finally:
            seat.close()
