"""The supervision board's query: groups from the timer marks at the moment asked, manual 督办, parking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.casework.board import BoardGroup, may_supervise, supervise_command
from dispatch.casework.model import Action, Card, Case, CaseState, Refused, Role
from dispatch.casework.records.supervision import supervision_board
from tests.dispatch.casework.policies import DISPATCHER, LEAD, SUPERVISION, Loop, act, new_case, open_loop

MINUTE = 60.0


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def dispatched_fire(loop: Loop, event_id: str, **event: object) -> Case:
    """A fire case on the wall clock: light at 70 min after dispatch, yellow card past 100, red past 150."""
    case = new_case(loop, event_id, category="fire_alarm", title=f"火警 {event_id}", **event)
    act(loop, case.id, Action.REGISTER, LEAD)
    return act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE-1")


def test_cases_are_grouped_by_the_level_their_marks_give_now(loop: Loop) -> None:
    red = dispatched_fire(loop, "red")
    loop.clock.advance(40 * MINUTE)
    yellow = dispatched_fire(loop, "yellow")
    loop.clock.advance(20 * MINUTE)
    light = dispatched_fire(loop, "light")
    loop.clock.advance(30 * MINUTE)
    dispatched_fire(loop, "quiet")
    loop.clock.advance(70 * MINUTE)  # red: 160 min, yellow: 120, light: 100 (not past), quiet: 70 → light

    board = supervision_board(loop.conn, loop.clock.now())

    assert [c.code for c in board.group(BoardGroup.RED_CARD)] == [red.code]
    assert [c.code for c in board.group(BoardGroup.YELLOW_CARD)] == [yellow.code]
    # Nearest deadline first within a group.
    assert board.group(BoardGroup.YELLOW_LIGHT)[0].id == light.id
    assert len(board.group(BoardGroup.YELLOW_LIGHT)) == 2
    assert board.counts == {
        BoardGroup.RED_CARD: 1,
        BoardGroup.YELLOW_CARD: 1,
        BoardGroup.MANUAL: 0,
        BoardGroup.YELLOW_LIGHT: 2,
    }
    [row] = board.group(BoardGroup.RED_CARD)
    assert row.remaining_s == pytest.approx(-60 * MINUTE)
    assert row.card is Card.RED_CARD
    assert (row.unit, row.category, row.district, row.state) == (
        "U-FIRE-1",
        "fire_alarm",
        "339901",
        CaseState.DISPATCHED,
    )
    # Nothing was swept: the board reads the marks, not the stored card.
    assert loop.conn.execute("SELECT max(card) FROM cases").fetchone()[0] == 0


def test_a_manual_card_above_the_timers_is_its_own_group(loop: Loop) -> None:
    registered = new_case(loop, "manual", category="fire_alarm")
    registered = act(loop, registered.id, Action.REGISTER, LEAD)
    red = dispatched_fire(loop, "red")
    loop.clock.advance(160 * MINUTE)
    act(loop, registered.id, Action.SUPERVISE, SUPERVISION, "两小时未派遣", card=3)
    act(loop, red.id, Action.SUPERVISE, SUPERVISION, "催办", card=2)

    board = supervision_board(loop.conn, loop.clock.now())

    [manual] = board.group(BoardGroup.MANUAL)
    assert manual.id == registered.id
    assert (manual.card, manual.manual_card, manual.remaining_s) == (Card.RED_CARD, Card.RED_CARD, None)
    # A 督办 below the timed level leaves the case where its timers put it.
    [timed] = board.group(BoardGroup.RED_CARD)
    assert (timed.id, timed.manual_card) == (red.id, Card.YELLOW_CARD)


def test_a_parked_case_keeps_the_card_it_had_and_its_remaining_budget(loop: Loop) -> None:
    parked = dispatched_fire(loop, "parked")
    loop.clock.advance(110 * MINUTE)
    act(loop, parked.id, Action.PARK, LEAD, "等待管线单位")
    loop.clock.advance(600 * MINUTE)

    [row] = supervision_board(loop.conn, loop.clock.now()).cases
    assert (row.group, row.parked) == (BoardGroup.YELLOW_CARD, True)
    assert row.remaining_s == pytest.approx(-10 * MINUTE)


def test_a_handled_case_keeps_the_card_it_reached(loop: Loop) -> None:
    handled = dispatched_fire(loop, "handled")
    loop.clock.advance(160 * MINUTE)
    loop.desk.sweep_cards()
    act(loop, handled.id, Action.SIGN, DISPATCHER)
    act(loop, handled.id, Action.HANDLE, DISPATCHER)
    loop.clock.advance(600 * MINUTE)
    [row] = supervision_board(loop.conn, loop.clock.now()).cases
    assert (row.group, row.state) == (BoardGroup.RED_CARD, CaseState.HANDLED)


def test_quiet_and_exercise_cases_stay_off_the_real_board(loop: Loop) -> None:
    drill = dispatched_fire(loop, "drill")
    # Discovery keeps exercise events out of a real store, so mark this one by hand: the board must not
    # count on that.
    loop.conn.execute("UPDATE cases SET exercise = 1 WHERE id = ?", (drill.id,))
    loop.clock.advance(MINUTE)
    dispatched_fire(loop, "fresh")
    loop.clock.advance(5 * MINUTE)
    assert supervision_board(loop.conn, loop.clock.now()).cases == ()
    loop.clock.advance(200 * MINUTE)
    exercise_board = supervision_board(loop.conn, loop.clock.now(), exercise=True)
    assert [c.title for c in exercise_board.cases] == ["火警 drill"]
    real = supervision_board(loop.conn, loop.clock.now())
    assert [c.title for c in real.cases] == ["火警 fresh"]


def test_each_group_is_capped_but_counted(loop: Loop) -> None:
    for n in range(5):
        dispatched_fire(loop, f"f{n}")
    loop.clock.advance(200 * MINUTE)
    board = supervision_board(loop.conn, loop.clock.now(), limit=3)
    assert len(board.group(BoardGroup.RED_CARD)) == 3
    assert board.counts[BoardGroup.RED_CARD] == 5


def test_the_supervise_command_goes_through_the_desk_with_the_seen_version(loop: Loop) -> None:
    dispatched_fire(loop, "late")
    loop.clock.advance(120 * MINUTE)
    [row] = supervision_board(loop.conn, loop.clock.now()).cases
    applied = loop.desk.act(supervise_command(row, SUPERVISION, Card.RED_CARD, "立即处置"))
    assert (applied.case.manual_card, applied.case.card) == (Card.RED_CARD, Card.RED_CARD)
    assert (applied.audit.action, applied.audit.reason, applied.audit.payload["card"]) == (
        Action.SUPERVISE,
        "立即处置",
        3,
    )
    # The row is now stale: a second 督办 from the same view is refused, not applied twice.
    with pytest.raises(Refused):
        loop.desk.act(supervise_command(row, SUPERVISION, Card.RED_CARD, "再次"))
    with pytest.raises(ValueError, match="yellow or red"):
        supervise_command(row, SUPERVISION, Card.YELLOW_LIGHT, "x")


def test_only_supervision_and_the_shift_lead_may_supervise() -> None:
    assert {r for r in Role if may_supervise(r)} == {Role.SUPERVISION, Role.SHIFT_LEAD}
