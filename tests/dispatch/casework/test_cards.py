"""The supervision overlay: the sweep raises light → yellow → red at the marks, by hand 督办 too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.casework.model import (
    SYSTEM_ACTOR,
    Action,
    Actor,
    Card,
    CaseState,
    Command,
    Refusal,
    Refused,
    Role,
)
from dispatch.casework.records import audit
from tests.dispatch.casework.policies import (
    DISPATCHER,
    INTAKE,
    LEAD,
    SUPERVISION,
    Loop,
    act,
    new_case,
    open_loop,
)

UNIT = Actor("U-FIRE", Role.UNIT)
MINUTE = 60.0


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def fire(loop: Loop, event_id: str = "f1", lon: float = 114.3) -> int:
    """A fire alarm dispatched now: 100 wall-clock minutes to handle, marks at 70, 100 and 150 minutes."""
    case = new_case(loop, event_id, category="fire_alarm", lon=lon)
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE")
    return case.id


def sweep_at(loop: Loop, start: float, minutes: float) -> list[tuple[int, Card]]:
    loop.clock.advance(start + minutes * MINUTE - loop.clock.now())
    return [(a.case.id, a.case.card) for a in loop.desk.sweep_cards()]


def test_the_sweep_raises_light_then_yellow_then_red_at_the_marks(loop: Loop) -> None:
    start = loop.clock.now()
    case_id = fire(loop)
    assert sweep_at(loop, start, 70 - 1 / 60) == []
    assert sweep_at(loop, start, 70) == [(case_id, Card.YELLOW_LIGHT)]
    # A card only once the limit has passed: due at 100 minutes and handled then is on time.
    assert sweep_at(loop, start, 100) == []
    assert sweep_at(loop, start, 100 + 1 / 60) == [(case_id, Card.YELLOW_CARD)]
    assert sweep_at(loop, start, 150) == []
    assert sweep_at(loop, start, 151) == [(case_id, Card.RED_CARD)]
    assert sweep_at(loop, start, 500) == []

    cards = [r for r in audit.timeline(loop.conn, [case_id]) if r.action is Action.CARD]
    assert [(r.actor, r.role, r.payload) for r in cards] == [
        ("system", Role.SYSTEM, {"card": 1, "from": 0}),
        ("system", Role.SYSTEM, {"card": 2, "from": 1}),
        ("system", Role.SYSTEM, {"card": 3, "from": 2}),
    ]
    assert all(r.from_state is r.to_state is CaseState.DISPATCHED for r in cards)
    assert audit.verify(loop.conn).ok


def test_a_late_sweep_goes_straight_to_the_level_due(loop: Loop) -> None:
    start = loop.clock.now()
    case_id = fire(loop)
    assert sweep_at(loop, start, 200) == [(case_id, Card.RED_CARD)]


def test_parked_cases_earn_no_cards_and_resume_where_they_stopped(loop: Loop) -> None:
    start = loop.clock.now()
    parked, running = fire(loop, "f1"), fire(loop, "f2", lon=114.31)
    loop.clock.advance(60 * MINUTE)
    act(loop, parked, Action.PARK, LEAD, "等待消防支队")
    assert sweep_at(loop, start, 200) == [(running, Card.RED_CARD)]
    act(loop, parked, Action.UNPARK, LEAD)
    # 40 minutes were left at parking: due at 240, so the light comes on 30 minutes before that.
    assert loop.desk.get(parked).handle_due == start + 240 * MINUTE
    assert sweep_at(loop, start, 209) == []
    assert sweep_at(loop, start, 210) == [(parked, Card.YELLOW_LIGHT)]


def test_a_handled_case_stops_earning_cards(loop: Loop) -> None:
    start = loop.clock.now()
    case_id = fire(loop)
    act(loop, case_id, Action.SIGN, UNIT)
    assert sweep_at(loop, start, 80) == [(case_id, Card.YELLOW_LIGHT)]
    act(loop, case_id, Action.HANDLE, UNIT)
    assert sweep_at(loop, start, 300) == []
    assert loop.desk.get(case_id).card is Card.YELLOW_LIGHT
    act(loop, case_id, Action.FAIL_CHECK, LEAD, "火点未灭")
    # Rework runs on the same handling clock, long past its limits now.
    assert sweep_at(loop, start, 301) == [(case_id, Card.RED_CARD)]


def test_a_manual_card_is_never_lowered_by_the_timers(loop: Loop) -> None:
    case = new_case(loop, category="fire_alarm")
    supervised = act(loop, case.id, Action.SUPERVISE, SUPERVISION, "市领导批示", card=3)
    assert (supervised.card, supervised.manual_card) == (Card.RED_CARD, Card.RED_CARD)
    row = audit.last_change(loop.conn, case.id)
    assert row is not None
    assert (row.actor, row.reason, row.payload) == ("sun", "市领导批示", {"card": 3, "manual": 3})
    act(loop, case.id, Action.REGISTER, LEAD)
    # Dispatch starts a fresh clock but the 督办 stays on the case.
    assert act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE").card is Card.RED_CARD
    loop.clock.advance(80 * MINUTE)
    assert loop.desk.sweep_cards() == []
    assert loop.desk.get(case.id).card is Card.RED_CARD


def test_a_second_manual_card_only_raises(loop: Loop) -> None:
    case = new_case(loop)
    act(loop, case.id, Action.SUPERVISE, SUPERVISION, "催办", card=3)
    again = act(loop, case.id, Action.SUPERVISE, LEAD, "再次督办", card=2)
    assert (again.card, again.manual_card) == (Card.RED_CARD, Card.RED_CARD)


@pytest.mark.parametrize(
    ("actor", "payload", "code"),
    [
        (SUPERVISION, {"card": 1}, Refusal.BAD_PAYLOAD),
        (SUPERVISION, {"card": "red"}, Refusal.BAD_PAYLOAD),
        (INTAKE, {"card": 2}, Refusal.FORBIDDEN),
    ],
)
def test_a_manual_card_is_yellow_or_red_by_supervision(
    loop: Loop, actor: Actor, payload: dict[str, object], code: Refusal
) -> None:
    case = new_case(loop)
    with pytest.raises(Refused) as caught:
        loop.desk.act(Command(case.id, 1, Action.SUPERVISE, actor, "督办", payload))
    assert caught.value.code is code


@pytest.mark.parametrize("payload", [{}, {"card": 7}, {"card": True}, {"card": "3"}])
def test_a_system_card_needs_a_level(loop: Loop, payload: dict[str, object]) -> None:
    case_id = fire(loop)
    version = loop.desk.get(case_id).version
    with pytest.raises(Refused) as caught:
        loop.desk.act(Command(case_id, version, Action.CARD, SYSTEM_ACTOR, payload=payload))
    assert caught.value.code is Refusal.BAD_PAYLOAD


def test_a_system_card_never_hides_a_manual_one(loop: Loop) -> None:
    case_id = fire(loop)
    act(loop, case_id, Action.SUPERVISE, SUPERVISION, "督办", card=2)
    assert act(loop, case_id, Action.CARD, SYSTEM_ACTOR, card=1).card is Card.YELLOW_CARD


def test_a_sweep_inside_a_callers_transaction_rolls_back_with_it(loop: Loop) -> None:
    start = loop.clock.now()
    case_id = fire(loop)
    loop.clock.advance(start + 120 * MINUTE - loop.clock.now())
    raised: list[int] = []

    def sweep_then_fail() -> None:
        with loop.desk.transaction():
            raised.extend(a.case.id for a in loop.desk.sweep_cards())
            raise RuntimeError("the caller failed after the sweep")

    with pytest.raises(RuntimeError):
        sweep_then_fail()
    assert raised == [case_id]
    assert loop.desk.get(case_id).card is Card.NONE
    assert [a.case.card for a in loop.desk.sweep_cards()] == [Card.YELLOW_CARD]
    assert not loop.conn.in_transaction


def test_a_parked_case_keeps_the_card_it_had_when_something_else_changes_it(loop: Loop) -> None:
    start = loop.clock.now()
    case_id = fire(loop)
    assert sweep_at(loop, start, 120) == [(case_id, Card.YELLOW_CARD)]
    act(loop, case_id, Action.PARK, LEAD, "等待消防支队")
    duplicate = new_case(loop, "f2", category="fire_alarm")
    act(loop, duplicate.id, Action.MERGE, LEAD, master_id=case_id)
    master = loop.desk.get(case_id)
    assert (master.events_count, master.card) == (2, Card.YELLOW_CARD)
