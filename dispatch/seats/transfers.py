"""Taking another centre's transfers into this centre's loop (levels): an escalation opens a case, a return
takes the escalated case back. Both run at apply, at the entry's time, alike on every seat."""

from __future__ import annotations

import math

import msgspec
import msgspec.structs

from dispatch.casework.model import SYSTEM_ACTOR, Action, Applied, Case, CaseState, Command
from dispatch.casework.policy import Policy
from dispatch.casework.records import levels
from dispatch.casework.records.commands import CaseDesk
from dispatch.seats.entries import BadEntry, EventEntry, TransferEntry, event_id

_INBOUND = ".log.from."  # the part of a subject where other centres put their transfers


def take_escalation(desk: CaseDesk, policy: Policy, entry: TransferEntry) -> Case:
    """A district's case comes up: the city opens its own case, registered at once (the district
    registered it already), saying where it came from; the transfer is recorded as taken."""
    body = _escalation(entry.body)
    at = desk.clock.now()
    draft = Case(
        id=0, code="", state=CaseState.DISCOVERED, version=1, exercise=body.exercise,
        category=body.category, severity=body.severity,
        urgency=policy.urgency(body.severity).value, area=policy.area(body.district).value,
        title=body.title, description=body.description, address=body.address, lon=body.lon,
        lat=body.lat, district=body.district, grid=body.grid, source=f"centre:{entry.sender}",
        camera_id=body.camera_id, discovered_at=body.discovered_at, updated_at=at,
        updated_by=SYSTEM_ACTOR.login,
    )  # fmt: skip
    came = {"from": entry.sender, "from_case": body.code, "transfer": entry.transfer, "by": body.by}
    case = desk.open_case(draft, SYSTEM_ACTOR, came)
    reason = f"{entry.sender} 上报 {body.code}：{body.reason}"
    registered = desk.act_in_transaction(
        Command(case.id, case.version, Action.REGISTER, SYSTEM_ACTOR, reason, came)
    )
    levels.take(
        desk.conn, entry.sender, entry.transfer, levels.ESCALATE, case.id, body.case_id, body.code, at
    )
    return registered.case


def warning_event(entry: TransferEntry) -> EventEntry:
    """The city's CAP warning as this district's own log event (its identity kept: taken once)."""
    try:
        event = msgspec.convert({**entry.body, "id": "", "seat": entry.seat, "at": entry.at}, EventEntry)
    except msgspec.ValidationError as error:
        raise BadEntry(f"not a warning: {error}") from None
    if event.source != "cap" or not math.isfinite(event.occurred_at):
        raise BadEntry("not a warning: a city sends its districts CAP warnings only")
    return msgspec.structs.replace(event, id=event_id(event.source, event.event_id, event.revision))


def take_return(desk: CaseDesk, entry: TransferEntry, *, closed: bool = False) -> Applied:
    """The city hands an escalated case back down: the district's loop takes it back (registered again,
    to be dispatched here) with the city's instruction as the reason. `closed`: the city closed it
    itself; the district's copy closes with the city's word."""
    body = _return(entry.body)
    case = desk.get(body.case_id)
    if closed:
        reason = f"{entry.sender} 已结案 {body.city_case}：{body.reason}"
        payload = {"from": entry.sender, "from_case": body.city_case, "transfer": entry.transfer}
        applied = desk.act_in_transaction(
            Command(case.id, case.version, Action.CLOSED_ABOVE, SYSTEM_ACTOR, reason, payload)
        )
        levels.take(desk.conn, entry.sender, entry.transfer, levels.CLOSED, case.id, case.id, body.city_case,
                    desk.clock.now())  # fmt: skip
        return applied
    reason = f"{entry.sender} 下派 {body.city_case}：{body.reason}"
    payload = {"from": entry.sender, "from_case": body.city_case, "transfer": entry.transfer, "by": body.by}
    applied = desk.act_in_transaction(
        Command(case.id, case.version, Action.TAKE_BACK, SYSTEM_ACTOR, reason, payload)
    )
    levels.take(
        desk.conn,
        entry.sender,
        entry.transfer,
        levels.HAND_DOWN,
        case.id,
        case.id,
        body.city_case,
        desk.clock.now(),
    )
    return applied


class _Escalation(msgspec.Struct, frozen=True):
    case_id: int
    code: str
    category: str
    severity: int
    title: str
    discovered_at: float
    description: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    district: str = ""
    grid: str = ""
    source: str = ""
    camera_id: str = ""
    exercise: bool = False
    reason: str = ""
    by: str = ""


class _Return(msgspec.Struct, frozen=True):
    case_id: int
    code: str
    city_case: str
    reason: str = ""
    by: str = ""


def _escalation(body: dict[str, object]) -> _Escalation:
    try:
        escalation = msgspec.convert(body, _Escalation)
    except msgspec.ValidationError as error:
        raise BadEntry(f"not an escalation: {error}") from None
    if not math.isfinite(escalation.discovered_at) or not 1 <= escalation.severity <= 4:
        raise BadEntry("not an escalation: its time or severity is out of range")
    return escalation


def _return(body: dict[str, object]) -> _Return:
    try:
        return msgspec.convert(body, _Return)
    except msgspec.ValidationError as error:
        raise BadEntry(f"not a return: {error}") from None


def misrouted(entry: object, subject: str | None) -> str | None:
    """Why an entry may not stand where it was published: another centre may put only its own transfers
    here (on the subject naming it), and a transfer comes nowhere else. None: it may."""
    if subject is None:
        return None  # a delivery without its subject (a test, a log read back): nothing to compare
    _, inbound, sender = subject.rpartition(_INBOUND)
    if not inbound:
        return (
            "a transfer from another centre came outside its inbound subject"
            if isinstance(entry, TransferEntry)
            else None
        )
    if not isinstance(entry, TransferEntry):
        return f"centre {sender} may send this centre transfers only"
    if entry.sender != sender:
        return f"a transfer naming centre {entry.sender} came on centre {sender}'s subject"
    return None
