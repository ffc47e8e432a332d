"""The state machine: every rule, refusals by role, state and reason, and allowed_actions in step with it."""

from __future__ import annotations

import dataclasses

import pytest

from dispatch.casework.machine import RULES, allowed_actions, target_state
from dispatch.casework.model import (
    OPEN_STATES,
    TERMINAL_STATES,
    Action,
    Actor,
    Case,
    CaseState,
    Command,
    Refusal,
    Refused,
    Role,
)

S = CaseState
UNIT = "U-CITY"

BLANK = Case(
    id=7, code="20260105-7", state=S.DISCOVERED, version=3, exercise=False, category="manhole_cover",
    severity=3, urgency="normal", area="urban", title="井盖缺失", description="", address="人民路",
    lon=114.3, lat=30.6, district="339901", grid="339901001001", source="grid", camera_id="",
    discovered_at=0.0, updated_at=0.0, updated_by="system", unit=UNIT,
)  # fmt: skip


def case_in(state: CaseState, **fields: object) -> Case:
    return dataclasses.replace(BLANK, state=state, **fields)  # type: ignore[arg-type]


def actor(role: Role) -> Actor:
    # A unit acts as the case's own unit unless a test says otherwise.
    return Actor(UNIT if role is Role.UNIT else role.value, role)


def command(case: Case, action: Action, role: Role, reason: str = "现场核实") -> Command:
    return Command(case.id, case.version, action, actor(role), reason)


def outcome(case: Case, cmd: Command) -> CaseState | Refusal:
    try:
        return target_state(case, cmd)
    except Refused as refused:
        return refused.code


def refusal(case: Case, cmd: Command) -> Refusal:
    with pytest.raises(Refused) as caught:
        target_state(case, cmd)
    assert caught.value.current == case
    return caught.value.code


# The closed loop as DOMAIN.md tells it, written out independently of RULES: (action, from, to, a role).
LOOP = [
    (Action.REQUEST_VERIFY, S.DISCOVERED, S.VERIFYING, Role.INTAKE),
    (Action.CONFIRM, S.VERIFYING, S.DISCOVERED, Role.SUPERVISOR),
    (Action.REGISTER, S.DISCOVERED, S.REGISTERED, Role.SHIFT_LEAD),
    (Action.REGISTER, S.VERIFYING, S.REGISTERED, Role.SHIFT_LEAD),
    (Action.VOID, S.REGISTERED, S.VOID, Role.SHIFT_LEAD),
    (Action.MERGE, S.DISCOVERED, S.MERGED, Role.DISPATCHER),
    (Action.DISPATCH, S.REGISTERED, S.DISPATCHED, Role.DISPATCHER),
    (Action.DISPATCH, S.REGISTERED, S.DISPATCHED, Role.SYSTEM),
    (Action.SIGN, S.DISPATCHED, S.SIGNED, Role.UNIT),
    (Action.REQUEST_RETURN, S.SIGNED, S.RETURN_REQUESTED, Role.UNIT),
    (Action.APPROVE_RETURN, S.RETURN_REQUESTED, S.REGISTERED, Role.SHIFT_LEAD),
    (Action.PROGRESS, S.SIGNED, S.IN_PROGRESS, Role.UNIT),
    (Action.PROGRESS, S.REWORK, S.IN_PROGRESS, Role.UNIT),
    (Action.REQUEST_EXTENSION, S.IN_PROGRESS, S.IN_PROGRESS, Role.UNIT),
    (Action.APPROVE_EXTENSION, S.IN_PROGRESS, S.IN_PROGRESS, Role.SHIFT_LEAD),
    (Action.PARK, S.DISPATCHED, S.DISPATCHED, Role.SHIFT_LEAD),
    (Action.UNPARK, S.IN_PROGRESS, S.IN_PROGRESS, Role.SHIFT_LEAD),
    (Action.HANDLE, S.IN_PROGRESS, S.HANDLED, Role.UNIT),
    (Action.SELF_HANDLE, S.DISCOVERED, S.HANDLED, Role.SUPERVISOR),
    (Action.START_CHECK, S.HANDLED, S.CHECKING, Role.SUPERVISOR),
    (Action.FAIL_CHECK, S.CHECKING, S.REWORK, Role.SUPERVISOR),
    (Action.CLOSE, S.CHECKING, S.CLOSED, Role.SHIFT_LEAD),
    (Action.EVALUATE, S.CLOSED, S.EVALUATED, Role.INTAKE),
    (Action.REOPEN, S.EVALUATED, S.REGISTERED, Role.SHIFT_LEAD),
    (Action.ARCHIVE, S.EVALUATED, S.ARCHIVED, Role.SYSTEM),
    (Action.SUPERVISE, S.IN_PROGRESS, S.IN_PROGRESS, Role.SUPERVISION),
    (Action.CARD, S.DISPATCHED, S.DISPATCHED, Role.SYSTEM),
]


@pytest.mark.parametrize(("action", "source", "target", "role"), LOOP)
def test_the_loop_moves_as_the_domain_says(action: Action, source: S, target: S, role: Role) -> None:
    case = case_in(source)
    assert target_state(case, command(case, action, role)) is target
    assert action in allowed_actions(case, role)


@pytest.mark.parametrize("action", list(RULES))
def test_every_rule_against_every_state_and_role(action: Action) -> None:
    rule = RULES[action]
    for state in CaseState:
        case = case_in(state, resume_state=S.SIGNED)
        for role in Role:
            cmd = command(case, action, role)
            if role not in rule.roles:
                assert refusal(case, cmd) is Refusal.FORBIDDEN
                assert action not in allowed_actions(case, role)
            elif state not in rule.sources:
                assert refusal(case, cmd) is Refusal.ILLEGAL
                assert action not in allowed_actions(case, role)
            else:
                expected = rule.target or (S.SIGNED if action is Action.REJECT_RETURN else state)
                assert target_state(case, cmd) is expected
                assert action in allowed_actions(case, role)


def test_allowed_actions_are_exactly_those_target_state_accepts() -> None:
    for state in CaseState:
        case = case_in(state)
        for role in Role:
            outcomes = {action: outcome(case, command(case, action, role)) for action in Action}
            accepted = {a for a, result in outcomes.items() if isinstance(result, CaseState)}
            assert accepted == set(allowed_actions(case, role)), (state, role)
            assert set(outcomes.values()) - set(CaseState) <= {Refusal.FORBIDDEN, Refusal.ILLEGAL}


def test_forbidden_names_the_roles_that_may() -> None:
    case = case_in(S.REGISTERED)
    with pytest.raises(Refused) as caught:
        target_state(case, command(case, Action.DISPATCH, Role.INTAKE))
    assert caught.value.code is Refusal.FORBIDDEN
    assert "intake may not dispatch" in caught.value.detail
    assert "dispatcher" in caught.value.detail


def test_illegal_says_what_the_case_is() -> None:
    case = case_in(S.CLOSED)
    with pytest.raises(Refused) as caught:
        target_state(case, command(case, Action.DISPATCH, Role.DISPATCHER))
    assert caught.value.code is Refusal.ILLEGAL
    assert caught.value.detail == "cannot dispatch a case that is closed"


def test_the_wall_viewer_can_do_nothing_anywhere() -> None:
    for state in CaseState:
        case = case_in(state)
        assert allowed_actions(case, Role.VIEWER) == ()
        for action in Action:
            assert refusal(case, command(case, action, Role.VIEWER)) is Refusal.FORBIDDEN


REASONED = [a for a, rule in RULES.items() if rule.reason_required]


def test_the_actions_that_need_a_reason() -> None:
    assert set(REASONED) == {
        Action.VOID, Action.REQUEST_RETURN, Action.REJECT_RETURN, Action.REQUEST_EXTENSION,
        Action.REJECT_EXTENSION, Action.PARK, Action.SELF_HANDLE, Action.FAIL_CHECK, Action.REOPEN,
        Action.SUPERVISE, Action.ESCALATE, Action.HAND_DOWN, Action.TAKE_BACK, Action.CLOSED_ABOVE,
    }  # fmt: skip


@pytest.mark.parametrize("action", REASONED)
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_blank_reason_is_refused(action: Action, reason: str) -> None:
    rule = RULES[action]
    role = sorted(rule.roles)[0]
    case = case_in(sorted(rule.sources)[0])
    assert refusal(case, command(case, action, role, reason)) is Refusal.REASON_REQUIRED
    assert target_state(case, command(case, action, role, "理由")) is not None


def test_nothing_opens_a_case_through_the_machine() -> None:
    # A case is born by the desk writing its discover row; no command can "discover" an existing case.
    for state in CaseState:
        case = case_in(state)
        assert refusal(case, command(case, Action.DISCOVER, Role.SYSTEM)) is Refusal.ILLEGAL


def test_terminal_cases_only_take_an_acknowledgement_and_a_merged_one_a_split() -> None:
    for state in TERMINAL_STATES:
        undo = {Action.SPLIT} if state is S.MERGED else set()
        for role in Role:
            assert set(allowed_actions(case_in(state), role)) <= {Action.ACKNOWLEDGE} | undo


def test_the_handling_clock_belongs_to_dispatch_not_to_signing() -> None:
    # Parking pauses a clock that runs from dispatch on, so a dispatched, unsigned case can be parked.
    assert S.DISPATCHED in RULES[Action.PARK].sources
    assert RULES[Action.SIGN].target is S.SIGNED


def test_a_rejected_return_goes_back_where_it_came_from() -> None:
    for resume in (S.DISPATCHED, S.SIGNED):
        case = case_in(S.RETURN_REQUESTED, resume_state=resume)
        assert target_state(case, command(case, Action.REJECT_RETURN, Role.SHIFT_LEAD)) is resume


def test_a_unit_answers_only_for_its_own_cases() -> None:
    case = case_in(S.DISPATCHED, unit="U-WATER")
    other = Command(case.id, case.version, Action.SIGN, Actor("U-FIRE", Role.UNIT))
    with pytest.raises(Refused) as caught:
        target_state(case, other)
    assert caught.value.code is Refusal.FORBIDDEN
    assert "U-FIRE is not responsible" in caught.value.detail
    own = Command(case.id, case.version, Action.SIGN, Actor("U-WATER", Role.UNIT))
    assert target_state(case, own) is S.SIGNED
    # An officer recording the unit's phone call is not bound by the login.
    assert target_state(case, command(case, Action.SIGN, Role.DISPATCHER)) is S.SIGNED


def test_supervision_overlays_open_cases_only() -> None:
    for state in CaseState:
        allowed = Action.SUPERVISE in allowed_actions(case_in(state), Role.SUPERVISION)
        assert allowed == (state in OPEN_STATES)
