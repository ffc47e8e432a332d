"""The centre's log keeps what its retention says, not the centre's years: a seat that was away longer
starts from the newest snapshot with its own records carried over; a seat the log trimmed past while it
was joined stops applying and says how to go on — never a silent stall, never a replica with a hole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action
from dispatch.seats.hub import Retention
from dispatch.seats.seat import SeatLoop, SeatStalled
from dispatch.seats.snapshot import carry_local, local_records
from dispatch.seats.verify import differences
from tests.dispatch.casework.policies import LEAD, POLICY
from tests.dispatch.seats.cable import Cable
from tests.dispatch.seats.local_rows import write_local_records
from tests.dispatch.seats.seating import START, WAIT, act, event, open_seat, scalar

pytestmark = pytest.mark.slow
KEEP = Retention(max_entries=40)  # the log keeps its last 40 entries


def creator(hub: str, directory: Path) -> SeatLoop:
    """The console that creates the centre's stream, with the test's retention; it leads."""
    return SeatLoop(
        directory / "a.sqlite3", POLICY, ManualClock(START), hub=[hub], centre="test", seat="a", lead=True,
        retention=KEEP,
    )  # fmt: skip


def records(path: Path) -> tuple[str, ...]:
    conn = sqlite3.connect(path)
    try:
        return local_records(conn)
    finally:
        conn.close()


def busy_hour(seat: SeatLoop, first: int, count: int) -> None:
    """`count` reports, an entry each, applied on `seat`."""
    for i in range(first, first + count):
        seat.publish_event(event(f"e{i}", START, lon=100.0 + i / 10)).result(WAIT)


def test_a_console_back_after_the_log_was_trimmed_starts_from_the_snapshot_with_its_own_records(
    hub: str, tmp_path: Path
) -> None:
    a = creator(hub, tmp_path)
    b = open_seat(hub, tmp_path, "b")
    try:
        busy_hour(a, 0, 3)
        b.caught_up().result(WAIT)
        b.write(lambda ctx: write_local_records(ctx.desk.conn, START)).result(WAIT)  # sign-ins and more
        mine = records(tmp_path / "b.sqlite3")
        assert mine  # a console's own records: a restore used to be refused for them
        b.close()
        busy_hour(a, 3, 60)  # more than the log keeps: b's next entry is gone from it
        a.take_snapshot().result(WAIT)
        b = open_seat(hub, tmp_path, "b")
        assert b.restored is not None  # started from the snapshot, not from a hole in the log
        # It works on like any seat: its command reaches the leader.
        act(b, int(str(scalar(b, "SELECT max(id) FROM cases"))), Action.REGISTER, LEAD)
        a.caught_up().result(WAIT)
        b.caught_up().result(WAIT)
        assert scalar(b, "SELECT count(*) FROM cases") == 63
    finally:
        b.close()
        a.close()
    assert records(tmp_path / "b.sqlite3") == mine  # nothing of its own lost
    assert differences(tmp_path / "a.sqlite3", tmp_path / "b.sqlite3") == []


def test_a_seat_the_log_trimmed_past_while_it_was_cut_off_stops_and_says_restart(
    hub: str, tmp_path: Path
) -> None:
    a = creator(hub, tmp_path)
    with Cable(hub) as cable:
        b = open_seat(cable.url, tmp_path, "b")
        try:
            # a's lease entry is in the log before the reports: b stops after three entries (below).
            a.wait_status(lambda status: status.leading, WAIT)
            busy_hour(a, 0, 2)
            b.caught_up().result(WAIT)
            cable.cut()
            b.wait_status(lambda status: not status.online, WAIT)
            busy_hour(a, 2, 60)
            cable.mend()
            b.wait_status(lambda status: status.online, WAIT)
            with pytest.raises(SeatStalled, match="restart seat b to start from the newest snapshot"):
                b.caught_up().result(WAIT)
            with pytest.raises(SeatStalled, match="no longer holds entry 4"):
                b.caught_up().result(WAIT)  # asked again: answered at once, never left waiting
            stopped = b.status.stopped  # the status bar shows it (app/seats/status.py)
            assert stopped is not None
            assert "restart seat b" in stopped
            assert scalar(b, "SELECT count(*) FROM cases") == 2  # its last state, no hole filled wrongly
        finally:
            b.close()
        a.take_snapshot().result(WAIT)
        b = open_seat(cable.url, tmp_path, "b")  # the restart it asked for
        try:
            assert b.restored is not None
            b.caught_up().result(WAIT)
            assert scalar(b, "SELECT count(*) FROM cases") == 62
        finally:
            b.close()
            a.close()
    assert differences(tmp_path / "a.sqlite3", tmp_path / "b.sqlite3") == []


def test_carrying_local_records_keeps_only_the_columns_both_stores_have(tmp_path: Path) -> None:
    """A console restoring a snapshot of a newer build: its older store lacks a column (here: one the
    old store has that the new one has not); the rows still come over."""
    from dispatch.store.database import open_store

    old, new = open_store(tmp_path / "old.sqlite3"), open_store(tmp_path / "new.sqlite3")
    write_local_records(old.conn, START)
    old.conn.execute("ALTER TABLE gaps ADD COLUMN only_old TEXT")
    old.close()
    new.close()
    carry_local(tmp_path / "old.sqlite3", tmp_path / "new.sqlite3")
    assert records(tmp_path / "new.sqlite3") == records(tmp_path / "old.sqlite3")
