"""The map's read: open cases where they happen, closed ones for a while, merged reports not twice."""

from __future__ import annotations

from pathlib import Path

from dispatch.casework.model import Action
from dispatch.casework.records.map_cases import CLOSED_KEPT_S, map_cases
from tests.dispatch.casework.policies import DISPATCHER, LEAD, SUPERVISOR, act, new_case, open_loop

CLOSE = ((Action.REGISTER, LEAD), (Action.DISPATCH, DISPATCHER), (Action.SIGN, LEAD),
         (Action.HANDLE, LEAD), (Action.START_CHECK, SUPERVISOR), (Action.CLOSE, LEAD))  # fmt: skip


def test_open_cases_show_where_they_happen_and_count_per_cell(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    near = new_case(loop, "a", lon=120.15, lat=30.27, severity=1, grid="330102001001", title="积水")
    new_case(loop, "b", lon=120.30, lat=30.10, severity=4, grid="330102001001", category="noise")
    # A hotline call without a position: not on the map, but it counts in its cell.
    new_case(loop, "c", lon=None, lat=None, category="graffiti", grid="330102001002")

    read = map_cases(loop.conn, loop.clock.now())

    first = read.cases[0]  # most severe first
    assert (first.id, first.lon, first.lat, first.severity, first.title) == (
        near.id,
        120.15,
        30.27,
        1,
        "积水",
    )
    assert len(read.cases) == 2
    assert all(c.closed_at is None for c in read.cases)
    assert read.open_per_grid == {"330102001001": 2, "330102001002": 1}
    loop.close()


def test_a_closed_case_stays_a_while_then_leaves_the_read(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    case = new_case(loop, "a", lon=120.15, lat=30.27)
    for action, actor in CLOSE:
        payload = {"unit": "U-CITY"} if action is Action.DISPATCH else {}
        case = act(loop, case.id, action, actor, **payload)
    closed_at = loop.clock.now()

    (shown,) = map_cases(loop.conn, closed_at + 1).cases
    assert shown.closed_at is not None
    assert map_cases(loop.conn, closed_at + 1).open_per_grid == {}
    assert map_cases(loop.conn, closed_at + CLOSED_KEPT_S + 1).cases == ()
    loop.close()
