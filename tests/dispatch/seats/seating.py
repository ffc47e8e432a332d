"""Seats for tests: a store in tmp_path on a hub, the test policy, a hand-driven clock; events to ingest."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, AuditRow, Case, Command
from dispatch.casework.records import audit
from dispatch.seats.seat import SeatLoop
from tests.dispatch.casework.policies import GRID, LAT, LON, POLICY

WAIT = 10.0
# A month before now: the hub refuses entries dated well ahead of its own clock (apply.MAX_AHEAD_S), and
# hand-driven clocks in these tests move forward by hours at most. The processes a test starts
# (lease_child, centre_child, seat_child) take the test's START from the environment: computed again at
# their own import, it would be as much later as the run took to reach the test (in a whole run, enough
# for an old leader's "minute 120" to pass the red card's mark that the test expects of the new one).
START = float(os.environ.setdefault("TIANSHU_TEST_SEATS_START", str(int(time.time()) - 30 * 86400)))


def open_seat(
    hub: str, directory: Path, name: str, *, centre: str = "test", clock: ManualClock | None = None,
    lead: bool = False,
) -> SeatLoop:  # fmt: skip
    return SeatLoop(
        directory / f"{name}.sqlite3", POLICY, clock or ManualClock(START), hub=[hub], centre=centre,
        seat=name, lead=lead,
    )  # fmt: skip


def event(event_id: str, at: float = START, **fields: Any) -> dict[str, Any]:
    """A grid officer's report (opens a discovered case without verification)."""
    return {
        "source": "grid", "event_id": event_id, "revision": 1, "occurred_at": at,
        "category": "manhole_cover", "severity": 3, "title": "人民路井盖缺失", "address": "江汉区人民路18号",
        "lon": LON, "lat": LAT, "grid": GRID, **fields,
    }  # fmt: skip


def case_on(seat: SeatLoop, case_id: int) -> Case:
    return seat.query(lambda ctx: ctx.desk.get(case_id)).result(WAIT)


def act(seat: SeatLoop, case_id: int, action: Action, actor: Actor, **payload: Any) -> Case:
    """Act on what this seat sees now; the case after it (Refused propagates)."""
    reason = str(payload.pop("reason", ""))
    version = case_on(seat, case_id).version
    return seat.act(Command(case_id, version, action, actor, reason, payload)).result(WAIT).case


def timeline(seat: SeatLoop, case_id: int) -> list[AuditRow]:
    return seat.query(lambda ctx: audit.timeline(ctx.desk.conn, [case_id])).result(WAIT)


def scalar(seat: SeatLoop, sql: str) -> object:
    return seat.query(lambda ctx: ctx.desk.conn.execute(sql).fetchone()[0]).result(WAIT)
