"""Levels through a real hub: a district escalates a case to its city (上报), the city hands it back down
(下派), each audited on both sides, every seat of each centre alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, CaseState, Command, Refusal, Refused
from dispatch.casework.records.warning_areas import warning_areas
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences
from tests.dispatch.casework.policies import DISPATCHER, LEAD, POLICY
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat, scalar, timeline

pytestmark = pytest.mark.slow


def district_seat(hub: str, directory: Path, name: str, *, lead: bool = False) -> SeatLoop:
    return SeatLoop(
        directory / f"{name}.sqlite3", POLICY, ManualClock(START), hub=[hub], centre="jiangan", seat=name,
        lead=lead, parent="city",
    )  # fmt: skip


def relay(seat: SeatLoop) -> int:
    """What the leader sends once it has applied the log as it stands (its beat does this every second)."""
    seat.caught_up().result(WAIT)
    sent = seat.relay_transfers()
    assert sent is not None, "the seat should lead its centre"
    return sent.result(WAIT)


def test_a_case_goes_up_to_the_city_and_comes_back_down(hub: str, tmp_path: Path) -> None:
    city = open_seat(hub, tmp_path, "c1", centre="city", lead=True)
    ja1 = district_seat(hub, tmp_path, "ja1", lead=True)
    ja2 = district_seat(hub, tmp_path, "ja2")
    try:
        city.wait_status(lambda status: status.leading, WAIT)
        ja1.wait_status(lambda status: status.leading, WAIT)
        (case_id,) = ja1.publish_event(event("flood-1", category="waterlogging")).result(WAIT).opened
        act(ja1, case_id, Action.REGISTER, LEAD)
        ja2.caught_up().result(WAIT)  # the shift lead at ja2 sees the case registered
        escalated = act(ja2, case_id, Action.ESCALATE, LEAD, reason="积水超过区级排涝能力")
        assert escalated.state is CaseState.ESCALATED
        # The district's leader sends it; a seat that does not lead sends nothing.
        assert ja2.relay_transfers() is None
        assert relay(ja1) == 1
        assert relay(ja1) == 0  # confirmed in the district's log: not sent again
        city.caught_up().result(WAIT)
        (city_case,) = [
            row[0]
            for row in city.query(
                lambda ctx: ctx.desk.conn.execute("SELECT id FROM cases").fetchall()
            ).result(WAIT)
        ]
        up = case_on(city, city_case)
        assert (up.state, up.source, up.category) == (CaseState.REGISTERED, "centre:jiangan", "waterlogging")
        assert "jiangan 上报" in timeline(city, city_case)[-1].reason
        assert "积水超过区级排涝能力" in timeline(city, city_case)[-1].reason

        # While it is up, the district cannot dispatch it: it waits for the city.
        version = case_on(ja1, case_id).version
        with pytest.raises(Refused) as refused:
            ja1.act(Command(case_id, version, Action.DISPATCH, LEAD, "", {"unit": "U-1"})).result(WAIT)
        assert refused.value.code is Refusal.ILLEGAL

        down = act(city, city_case, Action.HAND_DOWN, LEAD, reason="请江岸区按防汛预案处置")
        assert down.state is CaseState.HANDED_DOWN
        assert relay(city) == 1
        for seat in (ja1, ja2):
            seat.caught_up().result(WAIT)
            back = case_on(seat, case_id)
            assert back.state is CaseState.REGISTERED
            last = timeline(seat, case_id)[-1]
            assert last.action is Action.TAKE_BACK
            assert "请江岸区按防汛预案处置" in last.reason
        # Audited on both sides, sent once each way, and the district's replicas agree.
        assert [row.action for row in timeline(ja1, case_id)][-2:] == [Action.ESCALATE, Action.TAKE_BACK]
        assert [row.action for row in timeline(city, city_case)][-1] is Action.HAND_DOWN
        assert scalar(ja2, "SELECT count(*) FROM level_outbox WHERE relayed_at IS NOT NULL") == 1
        city.caught_up().result(WAIT)  # its relay's confirmation reaches its own replica by the log
        assert scalar(city, "SELECT count(*) FROM level_outbox WHERE relayed_at IS NOT NULL") == 1
        paths = (tmp_path / "ja1.sqlite3", tmp_path / "ja2.sqlite3")
    finally:
        for seat in (city, ja1, ja2):
            seat.close()
    assert differences(paths[0], paths[1]) == []


def test_the_citys_warnings_reach_its_districts_once(hub: str, tmp_path: Path) -> None:
    """A district's seats see the city's CAP warnings: the city's leader sends each down into the district's
    log, where every district seat stores it once (a new leader sending them again changes nothing)."""
    city = SeatLoop(
        tmp_path / "c1.sqlite3", POLICY, ManualClock(START), hub=[hub], centre="city", seat="c1", lead=True,
        children=("jiangan",),
    )  # fmt: skip
    ja1 = district_seat(hub, tmp_path, "ja1", lead=True)
    ja2 = district_seat(hub, tmp_path, "ja2")
    ring = [[114.30, 30.58], [114.32, 30.58], [114.32, 30.60], [114.30, 30.58]]
    cap = {"area_desc": "江岸区", "areas": [{"polygons": [ring]}]}
    try:
        city.wait_status(lambda status: status.leading, WAIT)
        warning = event("w1", source="cap", category="rainstorm", severity=2, title="暴雨橙色预警", cap=cap)
        assert city.publish_event(warning).result(WAIT).refused is None
        relay(city)
        relay(city)  # again (as a new leader would): the district stores it once
        for seat in (ja1, ja2):
            seat.caught_up().result(WAIT)
            areas = seat.query(lambda ctx: warning_areas(ctx.desk.conn, START + 60)).result(WAIT)
            assert [(w.event_id, w.title, w.area, len(w.rings)) for w in areas] == [
                ("w1", "暴雨橙色预警", "江岸区", 1)
            ]
            assert scalar(seat, "SELECT count(*) FROM events WHERE source = 'cap'") == 1
        paths = (tmp_path / "ja1.sqlite3", tmp_path / "ja2.sqlite3")
    finally:
        for seat in (city, ja1, ja2):
            seat.close()
    assert differences(*paths) == []


def test_a_case_the_city_closes_itself_closes_in_the_district_too(hub: str, tmp_path: Path) -> None:
    city = open_seat(hub, tmp_path, "c1", centre="city", lead=True)
    ja1 = district_seat(hub, tmp_path, "ja1", lead=True)
    try:
        city.wait_status(lambda status: status.leading, WAIT)
        ja1.wait_status(lambda status: status.leading, WAIT)
        (case_id,) = ja1.publish_event(event("flood-2", category="waterlogging")).result(WAIT).opened
        act(ja1, case_id, Action.REGISTER, LEAD)
        act(ja1, case_id, Action.ESCALATE, LEAD, reason="需市级统筹")
        assert relay(ja1) == 1
        city.caught_up().result(WAIT)
        (up,) = [
            row[0]
            for row in city.query(
                lambda ctx: ctx.desk.conn.execute("SELECT id FROM cases").fetchall()
            ).result(WAIT)
        ]
        # The city works it to the end itself.
        act(city, up, Action.DISPATCH, DISPATCHER, unit="U-CITY")
        act(city, up, Action.SIGN, DISPATCHER)
        act(city, up, Action.HANDLE, DISPATCHER)
        act(city, up, Action.START_CHECK, LEAD)
        act(city, up, Action.CLOSE, LEAD)
        assert relay(city) == 1
        ja1.caught_up().result(WAIT)
        closed = case_on(ja1, case_id)
        assert closed.state is CaseState.CLOSED
        last = timeline(ja1, case_id)[-1]
        assert last.action is Action.CLOSED_ABOVE
        assert "city 已结案" in last.reason
    finally:
        city.close()
        ja1.close()
