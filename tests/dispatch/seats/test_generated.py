"""Generated work from two seats at once (events, commands on what each seat sees, clocks apart): both
stores end identical, every command is answered once, and none is lost or applied twice."""

from __future__ import annotations

import concurrent.futures
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, Applied, Command, Refused
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences
from tests.dispatch.casework.policies import DISPATCHER, INTAKE, LEAD, SUPERVISOR
from tests.dispatch.seats.seating import START, WAIT, event, open_seat, scalar

pytestmark = pytest.mark.slow

# What officers do to a case, with who does it; most are refused in most states, which is the point.
MOVES: list[tuple[Action, Actor, dict[str, Any]]] = [
    (Action.REGISTER, LEAD, {}),
    (Action.REQUEST_VERIFY, INTAKE, {}),
    (Action.CONFIRM, SUPERVISOR, {}),
    (Action.DISPATCH, DISPATCHER, {"unit": "U-CITY"}),
    (Action.DISPATCH, DISPATCHER, {"unit": "U-SAN"}),
    (Action.SIGN, DISPATCHER, {}),
    (Action.HANDLE, DISPATCHER, {}),
    (Action.VOID, LEAD, {"reason": "误报"}),
    (Action.ACKNOWLEDGE, DISPATCHER, {}),
]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("event"), st.integers(0, 1), st.integers(1, 3)),
        st.tuples(
            st.just("act"),
            st.integers(0, 1),
            st.integers(1, 3),
            st.integers(0, len(MOVES) - 1),
            st.integers(0, 1),  # how many versions behind the seat's own view the officer is
        ),
        st.tuples(st.just("tick"), st.integers(0, 1), st.floats(0, 3600, allow_nan=False)),
    ),
    min_size=1,
    max_size=25,
)
_examples = itertools.count()


def _version(seat: SeatLoop, case_id: int) -> int:
    row = seat.query(
        lambda ctx: ctx.desk.conn.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()
    ).result(WAIT)
    return 1 if row is None else int(row[0])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(work=steps)
def test_two_seats_working_at_once_end_with_identical_stores(
    hub: str, tmp_path: Path, work: list[tuple[Any, ...]]
) -> None:
    n = next(_examples)
    directory = tmp_path / f"example{n}"
    # b runs ten minutes behind a: entries from both interleave with times that go back and forth.
    clocks = [ManualClock(START + 600), ManualClock(START)]
    # A centre (stream) of its own per example: the hub outlives examples, the log must not.
    seats = [
        open_seat(hub, directory, name, centre=f"gen{n}", clock=clocks[i]) for i, name in enumerate("ab")
    ]
    commands: list[concurrent.futures.Future[Applied]] = []
    reports: set[int] = set()
    ingested: list[concurrent.futures.Future[Any]] = []
    try:
        for step in work:
            kind, who = step[0], step[1]
            seat = seats[who]
            if kind == "tick":
                clocks[who].advance(step[2])
            elif kind == "event":
                reports.add(step[2])
                ingested.append(seat.publish_event(event(f"e{step[2]}", lon=114.3 + step[2] / 100)))
            else:
                _, _, case_id, move, behind = step
                action, actor, payload = MOVES[move]
                payload = dict(payload)
                reason = str(payload.pop("reason", ""))
                version = _version(seat, case_id) - behind
                commands.append(seat.act(Command(case_id, version, action, actor, reason, payload)))
        _done, pending = concurrent.futures.wait(commands + ingested, WAIT)
        assert not pending
        assert all(f.exception() is None for f in ingested)
        # Every command is answered, with the case after it or a refusal: nothing else.
        answers = [f.exception() or f.result() for f in commands]
        assert all(isinstance(answer, Applied | Refused) for answer in answers)
        applied = sum(isinstance(answer, Applied) for answer in answers)
        for seat in seats:
            seat.caught_up().result(WAIT)
            # One case per distinct report; one audit row per applied command, none twice.
            assert scalar(seat, "SELECT count(*) FROM cases") == len(reports)
            assert scalar(seat, "SELECT count(*) FROM audit WHERE action != 'discover'") == applied
    finally:
        for seat in seats:
            seat.close()
    assert differences(seats[0].db_path, seats[1].db_path) == []
