"""Reads for one case: its whole file for the case panel, and the units the dispatch dialog offers."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence

from dispatch.casework.machine import RULES
from dispatch.casework.model import OPEN_STATES, Action, AuditRow, Case, CaseState, Role
from dispatch.casework.payloads import is_row_id
from dispatch.casework.readouts import (
    LIVE_FRESH_S,
    CaseFile,
    DispatchOptions,
    LinkedEvent,
    MergeProposal,
    OrderDelivery,
    PositionSource,
    RosterUnit,
    UnitChoice,
    UnitWord,
)
from dispatch.casework.recommend import RoadNetwork, UnitPosition, recommend
from dispatch.casework.records import audit
from dispatch.casework.records.cases import family, load_case
from dispatch.casework.records.episodes import clearing_proposed
from dispatch.casework.records.queue import busy_units
from dispatch.casework.records.split import split_offers
from dispatch.casework.records.unit_positions import UnitFix, latest_positions
from dispatch.casework.routing import Router
from dispatch.feed.attachments import screen_all
from dispatch.store.database import EVENT_COLUMNS, event_from_row

_EVENT_COLUMNS = ", ".join(f"e.{name.strip()}" for name in EVENT_COLUMNS.split(","))
_MERGEABLE = RULES[Action.MERGE].sources
# What a unit answers to an order; an officer may record the same from a phone call.
UNIT_ACTIONS = frozenset({Action.SIGN, Action.PROGRESS, Action.HANDLE, Action.REQUEST_RETURN})


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _places(
    roster: Sequence[RosterUnit], fixes: Sequence[UnitFix], now: float | None, busy: set[str]
) -> dict[str, tuple[float, float, PositionSource]]:
    """Where each unit is measured from: a fresh live position, else its base. A fresh off-duty status
    joins `busy` (the crew cannot take an order)."""
    places = {
        u.unit_id: (u.lon, u.lat, PositionSource.BASE)
        for u in roster
        if u.lon is not None and u.lat is not None
    }
    known = {u.unit_id for u in roster}
    for fix in fixes:
        if now is not None and fix.unit_id in known and now - fix.at <= LIVE_FRESH_S:
            places[fix.unit_id] = (fix.lon, fix.lat, PositionSource.LIVE)
            if fix.status == "off_duty":
                busy.add(fix.unit_id)
    return places


def load_case_file(conn: sqlite3.Connection, case_id: int) -> CaseFile | None:
    """The case, its source events (merged cases' too), the timeline of its whole family, and the open
    merge proposals that name it; None when there is no such case."""
    case = load_case(conn, case_id)
    if case is None:
        return None
    members = family(conn, case_id)
    timeline = tuple(audit.timeline(conn, members))
    # Cases the history names (a master, one split off again) are shown by code too.
    named = {*members, *([case.master_id] if case.master_id is not None else [])}
    for row in timeline:
        for key in ("master_id", "absorbed", "released"):
            value = row.payload.get(key)
            if isinstance(value, int) and is_row_id(value):
                named.add(value)
    mentioned = sorted(named)
    codes = tuple(
        (row[0], row[1])
        for row in conn.execute(
            f"SELECT id, code FROM cases WHERE id IN ({_marks(len(mentioned))})", mentioned
        )
    )
    by_id = dict(codes)
    rows = conn.execute(
        f"SELECT ce.via_case, {_EVENT_COLUMNS} FROM case_events AS ce "
        "JOIN events AS e ON e.id = ce.event_row WHERE ce.case_id = ? ORDER BY e.occurred_at, e.id",
        (case_id,),
    )
    events = tuple(
        LinkedEvent(event_from_row(row[1:]), row[0], by_id.get(row[0], "") if row[0] is not None else "")
        for row in rows
    )
    return CaseFile(
        case=case,
        events=events,
        timeline=timeline,
        proposals=_proposals(conn, case),
        codes=codes,
        master_code=by_id.get(case.master_id, "") if case.master_id is not None else "",
        order=_latest_order(conn, case_id),
        unit_words=unit_words(timeline, case.unit),
        splits=split_offers(conn, case),
        clearing_proposed=clearing_proposed(conn, case),
    )


def unit_words(timeline: Sequence[AuditRow], unit: str) -> tuple[UnitWord, ...]:
    """The units' reports in a timeline, with what their payloads say; old or odd payloads give less,
    never an error, and every attachment is screened again on the way out."""
    words = []
    sent_to: dict[int, str] = {}  # the unit each case was last dispatched to, as the timeline goes
    for row in timeline:
        if row.action is Action.DISPATCH and isinstance(row.payload.get("unit"), str):
            sent_to[row.case_id] = row.payload["unit"]
        if row.action not in UNIT_ACTIONS:
            continue
        payload = row.payload
        own = row.role is Role.UNIT
        reported = payload.get("reported_at")
        note = payload.get("note")
        listed: list[tuple[str, str, int | None]] = []
        for item in _items(payload.get("attachments")):
            if isinstance(item, dict) and isinstance(item.get("uri"), str):
                kind, size = item.get("content_type"), item.get("size")
                size_ok = isinstance(size, int) and not isinstance(size, bool)
                listed.append((item["uri"], kind if isinstance(kind, str) else "", size if size_ok else None))
        listed += [(uri, "", None) for uri in _items(payload.get("photos")) if isinstance(uri, str)]
        kept, refused = screen_all(listed)
        words.append(
            UnitWord(
                case_id=row.case_id,
                action=row.action,
                unit=row.actor if own else sent_to.get(row.case_id, unit),
                at=_moment(reported, row.at),
                note=note if isinstance(note, str) else (row.reason if not own else ""),
                position=_position(payload.get("position")),
                attachments=kept,
                refused=len(refused) + len(_items(payload.get("refused_attachments"))),
                recorded_by="" if own else row.actor,
            )
        )
    return tuple(words)


def _moment(value: object, fallback: float) -> float:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if number and math.isfinite(value) else fallback  # type: ignore[arg-type]


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _position(value: object) -> tuple[float, float] | None:
    if not isinstance(value, dict):
        return None
    lon, lat = value.get("lon"), value.get("lat")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    lon_f, lat_f = float(lon), float(lat)  # type: ignore[arg-type]
    return (lon_f, lat_f) if -180 <= lon_f <= 180 and -90 <= lat_f <= 90 else None


def _latest_order(conn: sqlite3.Connection, case_id: int) -> OrderDelivery | None:
    row = conn.execute(
        "SELECT order_id, unit, created_at, acked_at FROM outbox WHERE case_id = ? "
        "ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (case_id,),
    ).fetchone()
    return None if row is None else OrderDelivery(row[0], row[1], row[2], row[3])


def _proposals(conn: sqlite3.Connection, case: Case) -> tuple[MergeProposal, ...]:
    if case.state not in OPEN_STATES:
        return ()
    rows = conn.execute(
        "SELECT o.id, o.code, o.title, o.state, o.version, p.distance_m, p.gap_s FROM merge_proposals AS p "
        "JOIN cases AS o ON o.id = (CASE WHEN p.case_id = ? THEN p.candidate_id ELSE p.case_id END) "
        "WHERE (p.case_id = ? OR p.candidate_id = ?) AND p.dismissed = 0 AND o.is_open = 1 "
        "ORDER BY p.distance_m, o.id",
        (case.id, case.id, case.id),
    )
    proposals = []
    for other_id, code, title, state_text, version, distance, gap in rows:
        other_state = CaseState(state_text)
        mine = (case.id, case.version, case.state, case.code)
        theirs = (other_id, version, other_state, code)
        newer, older = (mine, theirs) if case.id > other_id else (theirs, mine)
        # The later report joins the earlier case, unless only the earlier one can still be merged.
        if newer[2] in _MERGEABLE:
            absorbed, master, possible = newer, older, True
        elif older[2] in _MERGEABLE:
            absorbed, master, possible = older, newer, True
        else:
            absorbed, master, possible = newer, older, False
        proposals.append(
            MergeProposal(
                other_id=other_id,
                other_code=code,
                other_title=title,
                other_state=other_state,
                distance_m=distance,
                gap_s=gap,
                absorbed_id=absorbed[0],
                absorbed_version=absorbed[1],
                master_id=master[0],
                master_code=master[3],
                possible=possible,
            )
        )
    return tuple(proposals)


def dispatch_options(
    conn: sqlite3.Connection,
    case: Case,
    router: Router,
    roster: Sequence[RosterUnit],
    network: RoadNetwork | None,
    now: float | None = None,
) -> DispatchOptions:
    """The routed unit first, then units of its kind ranked by road travel time (free ones first), then
    every other unit by name, so the dispatcher can still send anyone.

    A unit is measured from its live position when one at most LIVE_FRESH_S old is stored at `now`
    (without `now`, from its base), else from its base; each choice says which, and the live position's
    age. A unit holding an order, or whose fresh live status is off duty, is not available."""
    rule = router.route(case.category, case.district)
    routed = rule.unit if rule is not None else ""
    busy = set(busy_units(conn))
    units = {unit.unit_id: unit for unit in roster}
    fixes = latest_positions(conn) if now is not None else ()
    places = _places(roster, fixes, now, busy)
    kind = units[routed].kind if routed in units else None
    times: dict[str, tuple[float, float]] = {}
    ranked: list[str] = []
    if network is not None and case.lon is not None and case.lat is not None:
        positioned = [
            UnitPosition(u.unit_id, *places[u.unit_id][:2], u.unit_id not in busy)
            for u in roster
            if u.unit_id in places and (kind is None or u.kind == kind or u.unit_id == routed)
        ]
        for rec in recommend(network, case.lon, case.lat, positioned, limit=len(positioned)):
            times[rec.unit_id] = (rec.travel_s, rec.straight_m)
            ranked.append(rec.unit_id)
    order = [routed] if routed else []
    order += [u for u in ranked if u != routed]
    order += sorted((u for u in units if u not in order), key=lambda u: units[u].name)
    # A fix stamped slightly ahead of this clock counts as just now.
    ages = {fix.unit_id: max(0.0, now - fix.at) for fix in fixes} if now is not None else {}
    choices = []
    for unit_id in order:
        travel, straight = times.get(unit_id, (None, None))
        choices.append(
            UnitChoice(
                unit_id=unit_id,
                name=units[unit_id].name if unit_id in units else unit_id,
                available=unit_id not in busy,
                routed=unit_id == routed,
                travel_s=None if travel is None or math.isinf(travel) else travel,
                straight_m=straight,
                position=places[unit_id][2] if unit_id in places else None,
                position_age_s=ages.get(unit_id),
            )
        )
    return DispatchOptions(
        case_id=case.id, version=case.version, code=case.code, title=case.title, category=case.category,
        address=case.address, routed_unit=routed, choices=tuple(choices),
    )  # fmt: skip
