"""A process killed between (or during) actions: on reopen every committed action is there with its audit
row and its order, nothing is half-written, and the loop carries on."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dispatch.casework.model import Action, CaseState, Command
from dispatch.casework.records import audit, orders
from tests.dispatch.casework.policies import DISPATCHER, LEAD, open_loop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
ACKNOWLEDGED = 250  # committed actions to see before the kill


def run_and_kill(path: Path) -> list[tuple[int, int, str]]:
    """Start the child, read its committed actions, SIGKILL it mid-loop; returns what it reported."""
    seen: list[tuple[int, int, str]] = []
    with subprocess.Popen(
        [sys.executable, "-m", "tests.dispatch.casework.crash_child", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    ) as child:  # fmt: skip
        assert child.stdout is not None
        for line in child.stdout:
            case_id, version, action = line.split()
            seen.append((int(case_id), int(version), action))
            if len(seen) == ACKNOWLEDGED:
                child.send_signal(signal.SIGKILL)
                break
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert len(seen) == ACKNOWLEDGED
    return seen


def test_a_killed_desk_loses_nothing_it_committed_and_leaves_nothing_half_done(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    committed = run_and_kill(path)
    loop = open_loop(path)
    conn = loop.conn

    # Every action the child saw committed has its audit row at the version it reported.
    for case_id, version, action in committed:
        rows = audit.timeline(conn, [case_id])
        assert len(rows) >= version
        assert rows[version - 1].action.value == action

    # The chain verifies, and every case agrees with its history (version = rows, state = last row).
    report = audit.verify(conn)
    assert report.ok, report
    for case_id, state, version in conn.execute("SELECT id, state, version FROM cases").fetchall():
        rows = audit.timeline(conn, [case_id])
        assert (CaseState(state), version) == (rows[-1].to_state, len(rows))
        # Each order was written with its dispatch or failed check, and none was acknowledged.
        sent = [r for r in rows if r.action in (Action.DISPATCH, Action.FAIL_CHECK)]
        outbox = conn.execute("SELECT count(*) FROM outbox WHERE case_id = ?", (case_id,)).fetchone()[0]
        assert outbox == len(sent)
    pending = orders.pending_orders(conn, limit=10_000)
    assert len(pending) == conn.execute("SELECT count(*) FROM outbox").fetchone()[0] > 0

    # Discovery resumes after the last event it took: every stored event has exactly one case.
    loop.discovery.run_once()
    counts = [
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("events", "cases", "case_events")
    ]
    assert counts[0] == counts[1] == counts[2]
    # The desk carries on with the cases.
    open_case = conn.execute("SELECT id, version FROM cases WHERE state = 'registered' LIMIT 1").fetchone()
    if open_case is not None:
        loop.desk.act(Command(open_case[0], open_case[1], Action.DISPATCH, DISPATCHER, payload={"unit": "U"}))
    newest = conn.execute("SELECT id, version FROM cases ORDER BY id DESC LIMIT 1").fetchone()
    loop.desk.act(Command(newest[0], newest[1], Action.SUPERVISE, LEAD, "重启后督办", {"card": 2}))
    assert audit.verify(conn).ok
    loop.close()
