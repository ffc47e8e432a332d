"""A wall joins its centre by itself (`--wall --hub … --seat wall-1`): it follows the log into its own
store, read-only, and shows what the consoles' seats did."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.seats.apply import read_cursor
from dispatch.store.read_only import open_read_only
from tests.cli.test_wall_command import run_wall_child
from tests.dispatch.seats.seating import WAIT, case_on, open_seat
from tests.dispatch.seats.seating import event as seat_event


@pytest.mark.slow
def test_a_wall_joins_its_centre_by_itself_and_shows_what_a_console_did(hub: str, tmp_path: Path) -> None:
    """`--wall --hub … --seat wall-1`: the wall follows the centre's log into its own store (read-only:
    it publishes nothing) and takes over for a severe case a console's seat opened."""
    now = time.time()  # the wall runs on this machine's clock: a case opened just now takes it over
    console = open_seat(hub, tmp_path, "desk-1", clock=ManualClock(now))
    try:
        severe = seat_event("m1", now, category="large_crowd", severity=1, title="地铁站大客流")
        (case_id,) = console.publish_event(severe).result(WAIT).opened
        opened_at = case_on(console, case_id).discovered_at
        last = console.caught_up().result(WAIT)
    finally:
        console.close()
    seen = run_wall_child(tmp_path, "joined", str(tmp_path / "wall.sqlite3"), str(opened_at), hub)
    assert seen["code"] == 0
    walls = seen["walls"]
    assert isinstance(walls, list)
    assert walls
    assert all(takeover == "地铁站大客流" for *_, takeover in walls)
    conn = open_read_only(tmp_path / "wall.sqlite3")
    try:
        assert read_cursor(conn)[0] == last  # its own replica, caught up
    finally:
        conn.close()
