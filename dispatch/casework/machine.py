"""The state machine: which action may move a case from which state, by which role, with what reason."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.casework.model import OPEN_STATES, Action, Case, CaseState, Command, Refusal, Refused, Role

S = CaseState
R = Role

# Unit answers can arrive as reports from the field or be recorded by an officer who took the phone call.
_UNIT_SIDE = frozenset({R.UNIT, R.DISPATCHER, R.SHIFT_LEAD})
_OPERATORS = frozenset({R.INTAKE, R.SHIFT_LEAD, R.DISPATCHER, R.SUPERVISOR, R.SUPERVISION})
_EARLY = frozenset({S.DISCOVERED, S.VERIFYING})
_TRIAGE = _EARLY | {S.REGISTERED}
_WORKING = frozenset({S.SIGNED, S.IN_PROGRESS, S.REWORK})
_CLOCKED = _WORKING | {S.DISPATCHED}
_FINISHED = frozenset({S.CLOSED, S.EVALUATED})


@dataclass(frozen=True, slots=True)
class Rule:
    """Where an action may start, where it leads (None: the state stays), who may do it."""

    sources: frozenset[CaseState]
    target: CaseState | None
    roles: frozenset[Role]
    reason_required: bool = False


RULES: dict[Action, Rule] = {
    # A case is born discovered; the desk writes this row itself when it opens a case.
    Action.DISCOVER: Rule(
        frozenset(), S.DISCOVERED, frozenset({R.SYSTEM, R.INTAKE, R.SUPERVISOR, R.SHIFT_LEAD})
    ),
    Action.REQUEST_VERIFY: Rule(
        frozenset({S.DISCOVERED}), S.VERIFYING, frozenset({R.INTAKE, R.SHIFT_LEAD, R.SYSTEM})
    ),
    Action.CONFIRM: Rule(
        frozenset({S.VERIFYING}), S.DISCOVERED, frozenset({R.SUPERVISOR, R.INTAKE, R.SHIFT_LEAD})
    ),
    Action.REGISTER: Rule(_EARLY, S.REGISTERED, frozenset({R.SHIFT_LEAD, R.SYSTEM})),
    Action.VOID: Rule(_TRIAGE, S.VOID, frozenset({R.SHIFT_LEAD}), reason_required=True),
    Action.MERGE: Rule(_TRIAGE, S.MERGED, frozenset({R.SHIFT_LEAD, R.DISPATCHER})),
    # The state a split leads to is the one the merge found the case in: its effect reads it from the audit.
    Action.SPLIT: Rule(frozenset({S.MERGED}), None, frozenset({R.SHIFT_LEAD, R.DISPATCHER})),
    Action.DISPATCH: Rule(
        frozenset({S.REGISTERED}), S.DISPATCHED, frozenset({R.DISPATCHER, R.SHIFT_LEAD, R.SYSTEM})
    ),
    Action.SIGN: Rule(frozenset({S.DISPATCHED}), S.SIGNED, _UNIT_SIDE),
    Action.REQUEST_RETURN: Rule(frozenset({S.DISPATCHED, S.SIGNED}), S.RETURN_REQUESTED, _UNIT_SIDE, True),
    Action.APPROVE_RETURN: Rule(frozenset({S.RETURN_REQUESTED}), S.REGISTERED, frozenset({R.SHIFT_LEAD})),
    # The target of a rejected return is the state the request came from (Case.resume_state).
    Action.REJECT_RETURN: Rule(frozenset({S.RETURN_REQUESTED}), None, frozenset({R.SHIFT_LEAD}), True),
    Action.PROGRESS: Rule(_WORKING, S.IN_PROGRESS, _UNIT_SIDE),
    Action.REQUEST_EXTENSION: Rule(_WORKING, None, _UNIT_SIDE, True),
    Action.APPROVE_EXTENSION: Rule(_WORKING, None, frozenset({R.SHIFT_LEAD})),
    Action.REJECT_EXTENSION: Rule(_WORKING, None, frozenset({R.SHIFT_LEAD}), True),
    Action.PARK: Rule(_CLOCKED, None, frozenset({R.SHIFT_LEAD}), True),
    Action.UNPARK: Rule(_CLOCKED, None, frozenset({R.SHIFT_LEAD})),
    Action.HANDLE: Rule(_WORKING, S.HANDLED, _UNIT_SIDE),
    Action.SELF_HANDLE: Rule(_EARLY, S.HANDLED, frozenset({R.SUPERVISOR}), True),
    Action.START_CHECK: Rule(
        frozenset({S.HANDLED}), S.CHECKING, frozenset({R.SUPERVISOR, R.SHIFT_LEAD, R.SYSTEM})
    ),
    Action.FAIL_CHECK: Rule(
        frozenset({S.HANDLED, S.CHECKING}), S.REWORK, frozenset({R.SUPERVISOR, R.SHIFT_LEAD}), True
    ),
    Action.CLOSE: Rule(frozenset({S.CHECKING}), S.CLOSED, frozenset({R.SHIFT_LEAD})),
    Action.EVALUATE: Rule(frozenset({S.CLOSED}), S.EVALUATED, frozenset({R.INTAKE, R.SHIFT_LEAD})),
    Action.REOPEN: Rule(_FINISHED, S.REGISTERED, frozenset({R.SHIFT_LEAD}), True),
    Action.ARCHIVE: Rule(_FINISHED, S.ARCHIVED, frozenset({R.SHIFT_LEAD, R.SYSTEM})),
    Action.SUPERVISE: Rule(OPEN_STATES, None, frozenset({R.SUPERVISION, R.SHIFT_LEAD}), True),
    Action.CARD: Rule(OPEN_STATES, None, frozenset({R.SYSTEM})),
    # The source revised or withdrew an event of the case (CAP Update/Cancel, a gauge still rising).
    Action.SOURCE_UPDATE: Rule(OPEN_STATES, None, frozenset({R.SYSTEM})),
    Action.ACKNOWLEDGE: Rule(frozenset(CaseState), None, _OPERATORS),
    Action.ATTACH: Rule(OPEN_STATES | _FINISHED, None, _OPERATORS | {R.UNIT}),
    # The states a clearing proposal can stand in: those a void (its confirmation) starts from.
    Action.DISMISS_CLEARING: Rule(_TRIAGE, None, frozenset({R.SHIFT_LEAD})),
    # Levels: a case beyond the district's means goes up before it is dispatched there; the city hands
    # down what came up (only that: the effect checks); the district's loop takes it back by itself when
    # the city's word arrives through the log.
    Action.ESCALATE: Rule(_TRIAGE, S.ESCALATED, frozenset({R.SHIFT_LEAD}), reason_required=True),
    Action.HAND_DOWN: Rule(_TRIAGE, S.HANDED_DOWN, frozenset({R.SHIFT_LEAD}), reason_required=True),
    Action.TAKE_BACK: Rule(frozenset({S.ESCALATED}), S.REGISTERED, frozenset({R.SYSTEM}), True),
    Action.CLOSED_ABOVE: Rule(frozenset({S.ESCALATED}), S.CLOSED, frozenset({R.SYSTEM}), True),
}

# The actions only a seat of a centre with levels can carry out (dispatch/seats): a console on one store
# has no city to escalate to.
LEVEL_ACTIONS = frozenset({Action.ESCALATE, Action.HAND_DOWN, Action.TAKE_BACK, Action.CLOSED_ABOVE})


def target_state(case: Case, command: Command) -> CaseState:
    """The state `command` leads `case` to, or Refused saying why it may not (role, state, reason)."""
    rule = RULES[command.action]
    role = command.actor.role
    if role not in rule.roles:
        allowed = ", ".join(sorted(r.value for r in rule.roles))
        raise Refused(
            Refusal.FORBIDDEN,
            f"role {role.value} may not {command.action.value} (allowed: {allowed})",
            current=case,
        )
    if role is R.UNIT and command.actor.login != case.unit:
        # A unit answers only for the orders it was given, whatever channel the answer came through.
        raise Refused(
            Refusal.FORBIDDEN,
            f"unit {command.actor.login} is not responsible for case {case.code}"
            f" ({case.unit or 'no unit'} is)",
            current=case,
        )
    if case.state not in rule.sources:
        raise Refused(
            Refusal.ILLEGAL,
            f"cannot {command.action.value} a case that is {case.state.value}",
            current=case,
        )
    if rule.reason_required and not command.reason.strip():
        raise Refused(Refusal.REASON_REQUIRED, f"{command.action.value} needs a reason", current=case)
    if rule.target is not None:
        return rule.target
    if command.action is Action.REJECT_RETURN:
        return case.resume_state or S.DISPATCHED
    return case.state


def allowed_actions(case: Case, role: Role) -> tuple[Action, ...]:
    """The actions `role` could take on `case` in its present state (before payload checks; a unit also
    has to be the case's responsible unit)."""
    return tuple(a for a, rule in RULES.items() if role in rule.roles and case.state in rule.sources)
