"""Closed today: what the officers finished, whenever it was due, beside the rates counted by deadline."""

from __future__ import annotations

from pathlib import Path

from dispatch.casework.model import Action
from dispatch.casework.records.live import closed_since
from dispatch.casework.records.metrics import compute
from tests.dispatch.casework.policies import DISPATCHER, LEAD, MONDAY_9, SUPERVISOR, act, new_case, open_loop

DAY = 86_400.0
CLOSE = ((Action.REGISTER, LEAD), (Action.DISPATCH, DISPATCHER), (Action.SIGN, LEAD),
         (Action.HANDLE, LEAD), (Action.START_CHECK, SUPERVISOR), (Action.CLOSE, LEAD))  # fmt: skip


def test_a_case_due_tomorrow_closed_today_counts_as_closed_today_not_in_todays_rate(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    loop.clock.advance(6 * 3600)  # 15:00: four working hours to handle run into Tuesday
    case = new_case(loop, "late-day")
    for action, actor in CLOSE:
        payload = {"unit": "U-CITY"} if action is Action.DISPATCH else {}
        case = act(loop, case.id, action, actor, **payload)
    midnight = MONDAY_9 - 9 * 3600
    assert case.handle_due is not None
    assert case.handle_due >= midnight + DAY, "the policy gives this case until tomorrow"
    assert closed_since(loop.conn, midnight) == 1
    assert closed_since(loop.conn, loop.clock.now() + 1) == 0, "nothing closed after now"
    assert closed_since(loop.conn, midnight, exercise=True) == 0, "a drill console counts drill cases only"
    assert compute(loop.conn, midnight, midnight + DAY).total.closed == 0, "today's rate does not move"
    loop.close()
