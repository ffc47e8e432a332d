"""What each action does to a case beyond its state: timers, counters, merges, orders for the unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.clock import iso_utc
from dispatch.casework.model import OPEN_STATES, Action, Card, Case, CaseState, Command, Refusal, Refused
from dispatch.casework.policy import AreaType, Urgency
from dispatch.casework.records import audit, episodes, levels
from dispatch.casework.records.cases import load_case
from dispatch.casework.records.split import plan_split
from dispatch.casework.timers import HandleClock

if TYPE_CHECKING:
    from dispatch.casework.records.commands import CaseDesk


@dataclass(frozen=True, slots=True)
class Effect:
    """The case after an action (version is set by the desk, and the state the rule leads to unless the
    effect found it: a split's), the audit payload, any order."""

    case: Case
    payload: dict[str, Any] = field(default_factory=dict)
    order: dict[str, Any] | None = None
    state: CaseState | None = None


EffectFn = Callable[["CaseDesk", Case, Command, float], Effect]


def _bad(case: Case, detail: str) -> Refused:
    return Refused(Refusal.BAD_PAYLOAD, detail, current=case)


def _keep(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    return Effect(case, dict(command.payload))


def _confirm(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    return Effect(dataclasses.replace(case, verified=True), dict(command.payload))


def _with_clock(case: Case, clock: HandleClock) -> Case:
    return dataclasses.replace(
        case,
        sign_due=clock.sign_due,
        handle_due=clock.handle_due,
        handle_unit=clock.unit,
        handle_budget_s=clock.budget_s,
        light_at=clock.light_at,
        yellow_at=clock.yellow_at,
        red_at=clock.red_at,
    )


def _without_clock(case: Case) -> Case:
    return dataclasses.replace(
        case, unit="", sign_due=None, handle_due=None, handle_unit="", handle_budget_s=None,
        light_at=None, yellow_at=None, red_at=None, card=Card.NONE, manual_card=Card.NONE, parked_since=None,
        handle_remaining_s=None, extension_pending=0.0, check_due=None, resume_state=None,
    )  # fmt: skip


def _order(case: Case, instructions: str) -> dict[str, Any]:
    location = {"lon": case.lon, "lat": case.lat, "address": case.address} if case.lon is not None else None
    return {
        "unit": case.unit,
        "category": case.category,
        "title": case.title,
        "location": location,
        "deadline": None if case.handle_due is None else iso_utc(case.handle_due),
        "instructions": instructions,
        "exercise": case.exercise,
    }


def _dispatch(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    unit = command.payload.get("unit")
    if not isinstance(unit, str) or not unit:
        raise _bad(case, "dispatch needs the responsible unit")
    instructions = str(command.payload.get("instructions", ""))
    clock = desk.timers.start_handling(case.category, Urgency(case.urgency), AreaType(case.area), now)
    # A fresh clock has no timed card; a manual 督办 stays until the case is returned or reopened.
    after = _with_clock(dataclasses.replace(case, unit=unit, card=case.manual_card), clock)
    payload = {"unit": unit, "instructions": instructions, "sign_due": clock.sign_due,
               "handle_due": clock.handle_due, "clock_unit": clock.unit}  # fmt: skip
    for key in ("recommended", "travel_s", "auto"):
        if key in command.payload:
            payload[key] = command.payload[key]
    return Effect(after, payload, _order(after, instructions))


def _request_return(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    return Effect(dataclasses.replace(case, resume_state=case.state), dict(command.payload))


def _approve_return(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    after = _without_clock(dataclasses.replace(case, return_count=case.return_count + 1))
    return Effect(after, {"from_unit": case.unit})


def _reject_return(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    return Effect(dataclasses.replace(case, resume_state=None))


def _running(case: Case) -> None:
    # A case handled on the spot (自行处置) and sent back for rework never had a handling clock.
    if case.handle_due is None:
        raise Refused(Refusal.ILLEGAL, "no handling clock is running on this case", current=case)


def _request_extension(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    _running(case)
    amount = command.payload.get("amount")
    if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
        raise _bad(case, "an extension needs a positive amount")
    if case.extension_pending:
        raise Refused(Refusal.ILLEGAL, "an extension request is already waiting for approval", current=case)
    return Effect(
        dataclasses.replace(case, extension_pending=float(amount)),
        {"amount": amount, "unit": case.handle_unit},
    )


def _pending(case: Case) -> None:
    if not case.extension_pending:
        raise Refused(Refusal.NOTHING_PENDING, "no extension request is waiting", current=case)


def _approve_extension(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    _pending(case)
    _running(case)
    amount = command.payload.get("amount", case.extension_pending)
    if not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
        raise _bad(case, "an extension needs a positive amount")
    clock = desk.timers.extend(case, float(amount), case.handle_unit)
    after = _with_clock(dataclasses.replace(case, extension_pending=0.0), clock)
    payload = {"amount": amount, "unit": case.handle_unit, "old_due": case.handle_due,
               "new_due": clock.handle_due}  # fmt: skip
    if case.parked_since is not None:
        # Parked: the clock resumes from what is left, so the extension must be added there too.
        assert case.handle_remaining_s is not None
        assert case.handle_budget_s is not None
        remaining = case.handle_remaining_s + clock.budget_s - case.handle_budget_s
        after = dataclasses.replace(after, handle_remaining_s=remaining)
        payload["remaining_s"] = remaining
    after = desk.refresh_card(after, now)
    # The card may go down (or up) with the deadline: the audit says so, so counters kept from it agree.
    payload["card"] = int(after.card)
    return Effect(after, payload)


def _reject_extension(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    _pending(case)
    return Effect(dataclasses.replace(case, extension_pending=0.0), {"amount": case.extension_pending})


def _park(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    if case.parked_since is not None:
        raise Refused(Refusal.ILLEGAL, "the case is already parked", current=case)
    _running(case)
    remaining = desk.timers.pause(case, now)
    after = dataclasses.replace(case, parked_since=now, handle_remaining_s=remaining)
    return Effect(after, {"handle_due": case.handle_due, "remaining_s": remaining})


def _unpark(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    if case.parked_since is None:
        raise Refused(Refusal.NOTHING_PENDING, "the case is not parked", current=case)
    clock = desk.timers.resume(case, now)
    after = _with_clock(dataclasses.replace(case, parked_since=None, handle_remaining_s=None), clock)
    after = desk.refresh_card(after, now)
    return Effect(after, {"parked_s": now - case.parked_since, "old_due": case.handle_due,
                          "new_due": clock.handle_due, "card": int(after.card)})  # fmt: skip


def _handle(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    if case.parked_since is not None:
        raise Refused(
            Refusal.ILLEGAL, "the case is parked; resume it before reporting it handled", current=case
        )
    due = desk.timers.check_due(case.category, Urgency(case.urgency), AreaType(case.area), now)
    payload = dict(command.payload)
    if case.handle_due is not None:
        payload["on_time"] = now <= case.handle_due
    return Effect(dataclasses.replace(case, check_due=due), payload)


def _self_handle(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    due = desk.timers.check_due(case.category, Urgency(case.urgency), AreaType(case.area), now)
    return Effect(dataclasses.replace(case, check_due=due, unit=command.actor.login), dict(command.payload))


def _fail_check(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    after = dataclasses.replace(case, rework_count=case.rework_count + 1, check_due=None)
    return Effect(after, {"rework": after.rework_count}, _order(after, command.reason))


def _evaluate(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    satisfied = command.payload.get("satisfied")
    if not isinstance(satisfied, bool):
        raise _bad(case, "an evaluation says whether the caller was satisfied")
    return Effect(case, {"satisfied": satisfied})


def _reopen(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    return Effect(_without_clock(dataclasses.replace(case, reopen_count=case.reopen_count + 1)))


def _supervise(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    level = command.payload.get("card", int(Card.YELLOW_CARD))
    if level not in (int(Card.YELLOW_CARD), int(Card.RED_CARD)):
        raise _bad(case, "督办 raises a yellow (2) or red (3) card")
    manual = max(case.manual_card, Card(level))
    after = dataclasses.replace(case, manual_card=manual, card=max(case.card, manual))
    return Effect(after, {"card": int(after.card), "manual": int(manual)})


def _card(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    level = command.payload.get("card")
    if not isinstance(level, int) or isinstance(level, bool) or not Card.NONE <= level <= Card.RED_CARD:
        raise _bad(case, "a card level is 0 to 3")
    # The timed level never hides a manual 督办 card.
    card = max(Card(level), case.manual_card)
    return Effect(dataclasses.replace(case, card=card), {"card": int(card), "from": int(case.card)})


def _acknowledge(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    return Effect(dataclasses.replace(case, acknowledged=True))


def _attach(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    if not isinstance(command.payload.get("path"), str):
        raise _bad(case, "an attachment needs a file path")
    return Effect(case, dict(command.payload))


def _source_update(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    """A source's new revision, or a repeated alarm of the case's episode (`repeat`), escalates the case
    when it is more severe (and rings the severe alert again); it never lowers severity or cancels the case
    by itself: a withdrawn warning or a cleared alarm is an officer's call to void, on the timeline."""
    severity = command.payload.get("severity")
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 4:
        raise _bad(case, "a source update carries the event's severity, 1 to 4")
    after = case
    if severity < case.severity:
        after = dataclasses.replace(case, severity=severity, acknowledged=False)
    if command.payload.get("repeat") is True:
        # A repeated alarm folded into the case (an episode, docs/closed-loop.md): its event is linked.
        count = desk.conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (case.id,)).fetchone()
        after = dataclasses.replace(after, events_count=int(count[0]))
    return Effect(after, {**command.payload, "from_severity": case.severity})


def _dismiss_clearing(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    """The shift lead keeps the case open: its 自动消警 proposal leaves the list (a new alarm asks again)."""
    if not episodes.clearing_proposed(desk.conn, case):
        raise Refused(Refusal.NOTHING_PENDING, f"case {case.code} is not proposed for 自动消警", current=case)
    episodes.dismiss_clearing(desk.conn, case.id)
    return Effect(case)


def _levels_only(desk: CaseDesk, case: Case, command: Command) -> None:
    if not desk.levels:
        raise Refused(
            Refusal.ILLEGAL,
            f"{command.action.value} needs a seat of a centre joined to its hub (docs/seats.md, Levels)",
            current=case,
        )


def _escalate(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    """上报: the centre above is owed this case; its leader sends it (the case waits here meanwhile)."""
    _levels_only(desk, case, command)
    to = str(command.payload["to"])
    body = levels.escalation_body(case, command.reason, command.actor.login)
    transfer = levels.queue(desk.conn, to, levels.ESCALATE, case.id, body, now)
    return Effect(case, {"to": to, "transfer": transfer})


def _hand_down(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    """下派: a case that came up from a district goes back to it with the city's instruction."""
    _levels_only(desk, case, command)
    came = levels.origin(desk.conn, case.id)
    if came is None:
        raise Refused(Refusal.ILLEGAL, f"case {case.code} did not come up from a district", current=case)
    body = {
        "case_id": came.case_id, "code": came.code, "city_case": case.code, "reason": command.reason,
        "by": command.actor.login,
    }  # fmt: skip
    transfer = levels.queue(desk.conn, came.centre, levels.HAND_DOWN, case.id, body, now)
    return Effect(case, {"to": came.centre, "to_case": came.code, "transfer": transfer})


def _close(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    """结案. A case that came up from a district: the district is owed word of it (its copy waits there)."""
    came = levels.origin(desk.conn, case.id) if desk.levels else None
    if came is None:
        return Effect(case, dict(command.payload))
    body = {
        "case_id": came.case_id, "code": came.code, "city_case": case.code,
        "reason": command.reason or "结案", "by": command.actor.login,
    }  # fmt: skip
    transfer = levels.queue(desk.conn, came.centre, levels.CLOSED, case.id, body, now)
    return Effect(case, {**command.payload, "to": came.centre, "to_case": came.code, "transfer": transfer})


def _take_back(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    _levels_only(desk, case, command)
    return Effect(case, dict(command.payload))


def _merge(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    master_id = command.payload.get("master_id")
    if not isinstance(master_id, int) or master_id == case.id:
        raise _bad(case, "a merge names another case as the master")
    master = load_case(desk.conn, master_id)
    if master is None or master.state not in OPEN_STATES:
        raise _bad(case, f"case {master_id} cannot take a merge (it is missing or no longer open)")
    if master.exercise != case.exercise:
        raise Refused(Refusal.EXERCISE_MIX, "exercise and real cases never merge", current=case)
    conn = desk.conn
    conn.execute(
        "INSERT OR IGNORE INTO case_events (case_id, source, event_id, event_row, linked_at, via_case) "
        "SELECT ?, source, event_id, event_row, ?, ? FROM case_events WHERE case_id = ?",
        (master.id, now, case.id, case.id),
    )
    count = conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (master.id,)).fetchone()[0]
    conn.execute(
        "UPDATE merge_proposals SET dismissed = 1 WHERE case_id IN (?, ?) OR candidate_id = ?",
        (case.id, master.id, case.id),
    )
    grown = dataclasses.replace(master, events_count=count, severity=min(master.severity, case.severity))
    # The master's severity before is kept on its row, for a split to give back.
    merged = {"absorbed": case.id, "events": count, "from_severity": master.severity}
    desk.annotate(master, grown, command, merged, now)
    return Effect(dataclasses.replace(case, master_id=master.id), {"master_id": master.id})


def _split(desk: CaseDesk, case: Case, command: Command, now: float) -> Effect:
    """Undo the merge of `case`: it goes back to the state the merge found it in, its master gives back
    the events the merge brought and the severity it had (both cases get an audit row). The merge
    proposals stay dismissed: the officers have looked at this pair."""
    plan = plan_split(desk.conn, case)
    master = plan.master
    if command.payload.get("master_id") != master.id:
        raise _bad(
            case, f"case {case.code} was merged into {master.code}, not {command.payload.get('master_id')}"
        )
    seen = command.payload.get("master_version")
    if seen is not None and seen != master.version:
        last = audit.last_change(desk.conn, master.id)
        detail = f"case {master.code} changed since you saw it (version {seen}, now {master.version})"
        raise Refused(Refusal.STALE, detail, current=case, by=last)
    conn = desk.conn
    conn.execute("DELETE FROM case_events WHERE case_id = ? AND via_case = ?", (master.id, case.id))
    count = conn.execute("SELECT count(*) FROM case_events WHERE case_id = ?", (master.id,)).fetchone()[0]
    restored = dataclasses.replace(master, events_count=count, severity=plan.severity)
    desk.annotate(master, restored, command, {"released": case.id, "events": count}, now)
    return Effect(dataclasses.replace(case, master_id=None), {"master_id": master.id}, state=plan.state)


_EFFECTS: dict[Action, EffectFn] = {
    Action.CONFIRM: _confirm,
    Action.MERGE: _merge,
    Action.SPLIT: _split,
    Action.DISPATCH: _dispatch,
    Action.REQUEST_RETURN: _request_return,
    Action.APPROVE_RETURN: _approve_return,
    Action.REJECT_RETURN: _reject_return,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.REJECT_EXTENSION: _reject_extension,
    Action.PARK: _park,
    Action.UNPARK: _unpark,
    Action.HANDLE: _handle,
    Action.SELF_HANDLE: _self_handle,
    Action.FAIL_CHECK: _fail_check,
    Action.EVALUATE: _evaluate,
    Action.REOPEN: _reopen,
    Action.SUPERVISE: _supervise,
    Action.CARD: _card,
    Action.ACKNOWLEDGE: _acknowledge,
    Action.ATTACH: _attach,
    Action.SOURCE_UPDATE: _source_update,
    Action.DISMISS_CLEARING: _dismiss_clearing,
    Action.ESCALATE: _escalate,
    Action.HAND_DOWN: _hand_down,
    Action.TAKE_BACK: _take_back,
    Action.CLOSED_ABOVE: _take_back,
    Action.CLOSE: _close,
}


def effect_of(action: Action) -> EffectFn:
    """The effect function of `action` (actions without one only change state and write audit)."""
    return _EFFECTS.get(action, _keep)
