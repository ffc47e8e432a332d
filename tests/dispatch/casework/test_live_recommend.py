"""The dispatch recommendation measures a unit from its live position while it is fresh, and from its base
otherwise, and every choice says which; a unit holding an order stays unavailable wherever it is."""

from __future__ import annotations

from pathlib import Path

from dispatch.casework.model import Action, Case
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.readouts import LIVE_FRESH_S, DispatchOptions, PositionSource, UnitChoice
from dispatch.casework.recommend import RoadNetwork
from dispatch.casework.records.case_file import dispatch_options
from dispatch.casework.routing import Router
from dispatch.feed.positions_wire import PositionFix
from dispatch.store.positions import store_positions
from sim.city import demo_city
from tests.dispatch.casework.policies import DISPATCHER, LEAD, Loop, act, new_case, open_loop
from tests.dispatch.casework.test_queue import demo_roster

LIVE, BASE = PositionSource.LIVE, PositionSource.BASE


def report(loop: Loop, unit: str, lon: float, lat: float, age_s: float, status: str = "available") -> None:
    now = loop.clock.now()
    fix = PositionFix(1, unit, lon, lat, 90.0, 30.0, status, now - age_s, now)
    loop.conn.execute("BEGIN")
    store_positions(loop.conn, [fix])
    loop.conn.execute("COMMIT")


def fire_at_centre(loop: Loop) -> Case:
    """A fire alarm at the centre of district 339901, whose routing rule names U-339901-XF."""
    district = demo_city().district("339901")
    return new_case(loop, "fire", category="fire_alarm", lon=district.centre.lon, lat=district.centre.lat,
                    grid=district.street_codes[0] + "001")  # fmt: skip


def options(loop: Loop, case: Case, *, now: float | None) -> DispatchOptions:
    policy = load_policy(default_policy_path())
    network = RoadNetwork.from_city(demo_city())
    return dispatch_options(loop.conn, case, Router(policy.routing), demo_roster(), network, now)


def by_id(options: DispatchOptions) -> dict[str, UnitChoice]:
    return {choice.unit_id: choice for choice in options.choices}


def test_a_fresh_live_position_next_to_the_scene_puts_a_far_crew_first_and_says_so(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3", policy=load_policy(default_policy_path()))
    try:
        centre = demo_city().district("339901").centre
        fire = fire_at_centre(loop)
        before = options(loop, fire, now=loop.clock.now())
        # The crew of a far district has just driven past the scene; another reported 20 minutes ago.
        report(loop, "U-339903-XF", centre.lon + 0.0005, centre.lat, age_s=120.0)
        report(loop, "U-339904-XF", centre.lon, centre.lat + 0.0005, age_s=LIVE_FRESH_S + 600.0)
        after = options(loop, fire, now=loop.clock.now())
    finally:
        loop.close()
    ranked_before = [c.unit_id for c in before.choices if c.travel_s is not None and not c.routed]
    ranked_after = [c.unit_id for c in after.choices if c.travel_s is not None and not c.routed]
    assert ranked_before[0] != "U-339903-XF"
    assert ranked_after[0] == "U-339903-XF", "measured from where it is, it is the nearest"
    live = by_id(after)["U-339903-XF"]
    assert (live.position, live.position_age_s) == (LIVE, 120.0)
    assert live.travel_s is not None
    assert live.travel_s < by_id(before)["U-339903-XF"].travel_s
    stale = by_id(after)["U-339904-XF"]
    assert (stale.position, stale.position_age_s) == (BASE, LIVE_FRESH_S + 600.0)
    assert stale.travel_s == by_id(before)["U-339904-XF"].travel_s, "a stale fix is not trusted"
    others = [c for c in after.choices if c.unit_id not in {"U-339903-XF", "U-339904-XF"}]
    assert all(c.position_age_s is None for c in others)
    assert {c.position for c in others if c.travel_s is not None} == {BASE}
    unplaced = by_id(after)["U-CITY-YJ"]  # a city-wide office with no base and no live position
    assert (unplaced.position, unplaced.travel_s) == (None, None)


def test_a_busy_crew_stays_unavailable_and_an_off_duty_one_too(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3", policy=load_policy(default_policy_path()))
    try:
        city = demo_city()
        centre = city.district("339901").centre
        elsewhere = new_case(loop, "e-other", category="fire_alarm", lon=centre.lon + 0.05, lat=centre.lat,
                             grid="339902001001")  # fmt: skip
        act(loop, elsewhere.id, Action.REGISTER, LEAD)
        act(loop, elsewhere.id, Action.DISPATCH, DISPATCHER, unit="U-339902-XF")
        # Both are right beside the new scene: one driving to its other case, one signed off duty.
        report(loop, "U-339902-XF", centre.lon + 0.0004, centre.lat, age_s=30.0, status="en_route")
        report(loop, "U-339905-XF", centre.lon - 0.0004, centre.lat, age_s=30.0, status="off_duty")
        chosen = options(loop, fire_at_centre(loop), now=loop.clock.now())
    finally:
        loop.close()
    choices = by_id(chosen)
    for unit in ("U-339902-XF", "U-339905-XF"):
        assert (choices[unit].available, choices[unit].position) == (False, LIVE)
    ranked = [c for c in chosen.choices if c.travel_s is not None and not c.routed]
    free = [c for c in ranked if c.available]
    assert ranked[: len(free)] == free, "every free crew comes before the unavailable ones, however near"


def test_without_a_clock_the_recommendation_is_measured_from_the_bases(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3", policy=load_policy(default_policy_path()))
    try:
        centre = demo_city().district("339901").centre
        report(loop, "U-339903-XF", centre.lon, centre.lat, age_s=1.0)
        chosen = options(loop, fire_at_centre(loop), now=None)
    finally:
        loop.close()
    assert by_id(chosen)["U-339903-XF"].position is BASE
