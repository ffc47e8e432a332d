"""Shift handover: shift boundaries in local time, the open-case snapshot, one handover per shift, receipt."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dispatch.casework.model import Action, Actor, Card, CaseState, Role
from dispatch.casework.records.handover import (
    acknowledge,
    count_open_cases,
    load_handover,
    open_cases,
    recent_handovers,
    write_handover,
)
from dispatch.casework.shifts import (
    DEFAULT_SHIFTS,
    HandoverError,
    HandoverProblem,
    Shift,
    ShiftPattern,
    current_shift,
    shift_to_hand_over,
)
from tests.dispatch.casework.policies import (
    DISPATCHER,
    LEAD,
    SUPERVISION,
    VIEWER,
    Loop,
    act,
    new_case,
    open_loop,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEXT_LEAD = Actor("zhou", Role.SHIFT_LEAD, "周夜班")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def test_the_default_day_runs_eight_to_eight() -> None:
    assert current_shift(at("2026-01-05T08:00"), SHANGHAI) == Shift(
        at("2026-01-05T08:00"), at("2026-01-05T20:00"), 0
    )
    assert current_shift(at("2026-01-05T19:59:59"), "Asia/Shanghai").index == 0
    night = current_shift(at("2026-01-05T07:59"), SHANGHAI)
    assert night == Shift(at("2026-01-04T20:00"), at("2026-01-05T08:00"), 1)
    assert current_shift(at("2026-01-05T23:30"), SHANGHAI).start == at("2026-01-05T20:00")


def test_a_night_across_the_clock_change_is_an_hour_shorter() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    night = current_shift(at("2026-03-29T03:30", berlin), berlin)
    assert night.end - night.start == 11 * 3600


def test_other_patterns_are_configurable() -> None:
    three = ShiftPattern((0, 8 * 60, 16 * 60))
    assert current_shift(at("2026-01-05T10:00"), SHANGHAI, three) == Shift(
        at("2026-01-05T08:00"), at("2026-01-05T16:00"), 1
    )
    with pytest.raises(ValueError, match="ascending"):
        ShiftPattern((20 * 60, 8 * 60))
    with pytest.raises(ValueError, match="within a day"):
        ShiftPattern((25 * 60,))


def test_a_handover_written_just_after_the_change_closes_the_shift_that_ended() -> None:
    day = current_shift(at("2026-01-05T12:00"), SHANGHAI, DEFAULT_SHIFTS)
    assert shift_to_hand_over(at("2026-01-05T19:40"), SHANGHAI) == day
    assert shift_to_hand_over(at("2026-01-05T20:25"), SHANGHAI) == day
    assert shift_to_hand_over(at("2026-01-06T02:30"), SHANGHAI).start == at("2026-01-05T20:00")


def test_the_handover_captures_every_open_case_with_its_next_deadline(loop: Loop) -> None:
    fresh = new_case(loop, "fresh", title="井盖缺失")
    late = new_case(loop, "late", category="fire_alarm", title="仓库火警")
    act(loop, late.id, Action.REGISTER, LEAD)
    late = act(loop, late.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE-1")
    late = act(loop, late.id, Action.SUPERVISE, SUPERVISION, "尽快处置", card=3)
    gone = new_case(loop, "gone", title="误报", address="别处1号", lon=114.5, lat=30.9)
    act(loop, gone.id, Action.VOID, LEAD, "误报")
    shift = current_shift(loop.clock.now(), "UTC")

    handover = write_handover(
        loop.conn, shift=shift, author=LEAD, note="  火警仍在处置，注意跟进  ", now=100.0
    )

    assert handover.note == "火警仍在处置，注意跟进"
    assert (handover.author, handover.author_name, handover.created_at) == ("li", "li", 100.0)
    assert (handover.shift_start, handover.shift_end) == (shift.start, shift.end)
    assert [c.code for c in handover.open_cases] == [late.code, fresh.code]
    red, discovered = handover.open_cases
    assert (red.state, red.card, red.deadline, red.unit, red.title) == (
        CaseState.DISPATCHED,
        Card.RED_CARD,
        late.handle_due,
        "U-FIRE-1",
        "仓库火警",
    )
    assert (discovered.state, discovered.deadline) == (CaseState.DISCOVERED, fresh.register_due)
    stored = json.loads(loop.conn.execute("SELECT open_cases FROM handovers").fetchone()[0])
    assert stored[0]["code"] == late.code
    assert stored[0]["deadline"] == late.handle_due
    assert load_handover(loop.conn, handover.id) == handover
    assert open_cases(loop.conn, now=100.0) == handover.open_cases
    assert count_open_cases(loop.conn) == 2


def test_the_card_captured_is_the_one_the_timers_give_at_handover(loop: Loop) -> None:
    fire = new_case(loop, "fire", category="fire_alarm")
    act(loop, fire.id, Action.REGISTER, LEAD)
    act(loop, fire.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE-1")
    loop.clock.advance(120 * 60)  # past the yellow limit (100 min); no sweep has run
    shift = current_shift(loop.clock.now(), "UTC")
    handover = write_handover(loop.conn, shift=shift, author=LEAD, note="火警超时", now=loop.clock.now())
    assert [c.card for c in handover.open_cases] == [Card.YELLOW_CARD]


def test_exercise_cases_stay_out_of_a_real_handover(loop: Loop) -> None:
    drill = new_case(loop, "drill")
    loop.conn.execute("UPDATE cases SET exercise = 1 WHERE id = ?", (drill.id,))
    assert open_cases(loop.conn, now=loop.clock.now()) == ()
    assert [c.id for c in open_cases(loop.conn, now=loop.clock.now(), exercise=True)] == [drill.id]


def test_one_handover_per_shift_written_by_a_shift_lead_with_a_note(loop: Loop) -> None:
    shift = current_shift(loop.clock.now(), "UTC")
    with pytest.raises(HandoverError) as forbidden:
        write_handover(loop.conn, shift=shift, author=DISPATCHER, note="x", now=1.0)
    assert forbidden.value.code is HandoverProblem.FORBIDDEN
    with pytest.raises(HandoverError) as empty:
        write_handover(loop.conn, shift=shift, author=LEAD, note="   ", now=1.0)
    assert empty.value.code is HandoverProblem.NOTE_REQUIRED
    write_handover(loop.conn, shift=shift, author=LEAD, note="平稳", now=1.0)
    with pytest.raises(HandoverError) as twice:
        write_handover(loop.conn, shift=shift, author=NEXT_LEAD, note="再写", now=2.0)
    assert twice.value.code is HandoverProblem.ALREADY_WRITTEN
    assert loop.conn.execute("SELECT count(*) FROM handovers").fetchone()[0] == 1
    assert not loop.conn.in_transaction


def test_the_next_lead_acknowledges_receipt_once(loop: Loop) -> None:
    loop.conn.execute(
        "INSERT INTO operators (login, name, role, password_hash, created_at) VALUES (?, ?, ?, 'x', 0)",
        (NEXT_LEAD.login, NEXT_LEAD.name, NEXT_LEAD.role.value),
    )
    shift = current_shift(loop.clock.now(), "UTC")
    written = write_handover(loop.conn, shift=shift, author=LEAD, note="平稳", now=1.0)
    assert not written.received

    for actor, problem in ((LEAD, HandoverProblem.OWN_HANDOVER), (VIEWER, HandoverProblem.FORBIDDEN)):
        with pytest.raises(HandoverError) as refused:
            acknowledge(loop.conn, written.id, actor, 2.0)
        assert refused.value.code is problem

    received = acknowledge(loop.conn, written.id, NEXT_LEAD, 3.0)
    assert (received.received_by, received.received_by_name, received.received_at) == ("zhou", "周夜班", 3.0)
    other = Actor("wu", Role.SHIFT_LEAD)
    with pytest.raises(HandoverError) as again:
        acknowledge(loop.conn, written.id, other, 4.0)
    assert again.value.code is HandoverProblem.ALREADY_RECEIVED
    with pytest.raises(HandoverError) as unknown:
        acknowledge(loop.conn, 999, other, 4.0)
    assert unknown.value.code is HandoverProblem.UNKNOWN_HANDOVER


def test_recent_handovers_are_newest_first(loop: Loop) -> None:
    first = current_shift(loop.clock.now(), "UTC")
    second = current_shift(first.end, "UTC")
    write_handover(loop.conn, shift=first, author=LEAD, note="一", now=1.0)
    write_handover(loop.conn, shift=second, author=NEXT_LEAD, note="二", now=2.0)
    assert [h.note for h in recent_handovers(loop.conn)] == ["二", "一"]
    assert [h.note for h in recent_handovers(loop.conn, limit=1)] == ["二"]
