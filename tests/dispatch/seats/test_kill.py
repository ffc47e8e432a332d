"""A seat killed with SIGKILL in the middle of a catch-up loses nothing and applies nothing twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from dispatch.seats.apply import read_cursor
from dispatch.seats.verify import differences
from dispatch.store.read_only import open_read_only
from tests.dispatch.seats.seating import WAIT, event, open_seat, scalar

pytestmark = pytest.mark.slow
REPORTS = 2000  # the kill lands after ~100-200 applied: ample left however late it lands
ROOT = Path(__file__).resolve().parents[3]


def test_a_seat_killed_mid_catch_up_resumes_where_its_store_stopped(hub: str, tmp_path: Path) -> None:
    a = open_seat(hub, tmp_path, "a")
    try:
        sent = [a.publish_event(event(f"e{n}", lon=114.0 + n / 1000)) for n in range(REPORTS)]
        for done in sent:
            done.result(WAIT)
    finally:
        a.close()

    child = subprocess.Popen(
        [sys.executable, "-m", "tests.dispatch.seats.seat_child", hub, str(tmp_path), "b"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "joined"
        # Killed as soon as it has applied something: wherever it is then, likely inside a transaction.
        progress = child.stdout.readline().strip()
        child.kill()
        child.wait(WAIT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(WAIT)
        if child.stdout is not None:
            child.stdout.close()
    assert progress.isdigit()
    conn = open_read_only(tmp_path / "b.sqlite3")
    try:
        stopped, _ = read_cursor(conn)
        # Whatever the kill interrupted was rolled back: the store holds exactly the entries it counts.
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == stopped
    finally:
        conn.close()
    assert stopped < REPORTS  # the kill came before the catch-up ended (else this proves little)

    b = open_seat(hub, tmp_path, "b")
    try:
        assert b.caught_up().result(WAIT) == REPORTS
        assert scalar(b, "SELECT count(*) FROM cases") == REPORTS
        assert scalar(b, "SELECT coalesce(sum(duplicates), 0) FROM events") == 0
    finally:
        b.close()
    assert differences(a.db_path, b.db_path) == []
    assert main(["seats", "verify", "--db", str(a.db_path), "--db", str(b.db_path)]) == 0
