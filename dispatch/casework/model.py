"""Closed-loop vocabulary: case states, roles, actions, refusals, and the plain values the desk returns."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class CaseState(enum.StrEnum):
    """Where a case is in 发现 → 立案 → 派遣 → 处置 → 核查 → 结案 → 评价."""

    DISCOVERED = "discovered"
    VERIFYING = "verifying"
    REGISTERED = "registered"
    VOID = "void"
    MERGED = "merged"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    RETURN_REQUESTED = "return_requested"
    IN_PROGRESS = "in_progress"
    HANDLED = "handled"
    CHECKING = "checking"
    REWORK = "rework"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    ARCHIVED = "archived"
    # Levels (分级): a district's case escalated to its city waits there for the city's return (下派);
    # the city's copy of a case it handed back down ends as handed down.
    ESCALATED = "escalated"
    HANDED_DOWN = "handed_down"


TERMINAL_STATES = frozenset({CaseState.VOID, CaseState.MERGED, CaseState.ARCHIVED, CaseState.HANDED_DOWN})
# Closed and evaluated cases are finished work but can still be evaluated, reopened or archived.
OPEN_STATES = frozenset(CaseState) - TERMINAL_STATES - {CaseState.CLOSED, CaseState.EVALUATED}
# The handling clock runs from dispatch until the unit reports the case handled, and again during rework;
# outside these states the supervision card keeps the level it reached.
HANDLING_STATES = frozenset(
    {
        CaseState.DISPATCHED,
        CaseState.SIGNED,
        CaseState.RETURN_REQUESTED,
        CaseState.IN_PROGRESS,
        CaseState.REWORK,
    }
)


class Role(enum.StrEnum):
    """Who acts. `system` is Tianshu itself (auto-routing, timers); `unit` acts through reports."""

    INTAKE = "intake"
    SHIFT_LEAD = "shift_lead"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    UNIT = "unit"
    SUPERVISION = "supervision"
    VIEWER = "viewer"
    SYSTEM = "system"


class Action(enum.StrEnum):
    """Everything that can be done to a case. Some keep the state and only annotate (progress, supervise)."""

    DISCOVER = "discover"
    REQUEST_VERIFY = "request_verify"
    CONFIRM = "confirm"
    REGISTER = "register"
    VOID = "void"
    MERGE = "merge"
    # Undoes a merge while neither case has moved on since (docs/closed-loop.md).
    SPLIT = "split"
    DISPATCH = "dispatch"
    SIGN = "sign"
    REQUEST_RETURN = "request_return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    PROGRESS = "progress"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    PARK = "park"
    UNPARK = "unpark"
    HANDLE = "handle"
    SELF_HANDLE = "self_handle"
    START_CHECK = "start_check"
    FAIL_CHECK = "fail_check"
    CLOSE = "close"
    EVALUATE = "evaluate"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    SUPERVISE = "supervise"
    CARD = "card"
    ACKNOWLEDGE = "acknowledge"
    ATTACH = "attach"
    SOURCE_UPDATE = "source_update"
    # The shift lead keeps open a case proposed for 自动消警 (episodes.py): the proposal leaves the list.
    DISMISS_CLEARING = "dismiss_clearing"
    # Levels (分级, docs/seats.md): a district escalates a case to its city (上报), the city hands it back
    # down (下派), and the district's loop takes it back with the city's instruction.
    ESCALATE = "escalate"
    HAND_DOWN = "hand_down"
    TAKE_BACK = "take_back"
    CLOSED_ABOVE = "closed_above"  # the city closed a case that came up: the district's copy closes too


class Refusal(enum.StrEnum):
    """Why the desk refused a command; widgets turn these into words."""

    UNKNOWN_CASE = "unknown_case"
    STALE = "stale"
    ILLEGAL = "illegal"
    FORBIDDEN = "forbidden"
    REASON_REQUIRED = "reason_required"
    BAD_PAYLOAD = "bad_payload"
    EXERCISE_MIX = "exercise_mix"
    NOTHING_PENDING = "nothing_pending"
    # The actor is not the operator signed in at this console, or their account was disabled meanwhile.
    SIGNED_OUT = "signed_out"
    # A split asked for after the merged cases moved on (the master worked further, the merge undone).
    MOVED_ON = "moved_on"


class Card(enum.IntEnum):
    """The supervision overlay (a flag beside the state, not a state)."""

    NONE = 0
    YELLOW_LIGHT = 1
    YELLOW_CARD = 2
    RED_CARD = 3


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in person (or the system) acting in one role."""

    login: str
    role: Role
    name: str = ""


SYSTEM_ACTOR = Actor("system", Role.SYSTEM, "天枢")


@dataclass(frozen=True, slots=True)
class Command:
    """One request to change a case, made against the version the actor saw."""

    case_id: int
    version: int
    action: Action
    actor: Actor
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Case:
    """A case as stored: state, timers, supervision overlay and who owns it now."""

    id: int
    code: str
    state: CaseState
    version: int
    exercise: bool
    category: str
    severity: int
    urgency: str
    area: str
    title: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    district: str
    grid: str
    source: str
    camera_id: str
    discovered_at: float
    updated_at: float
    updated_by: str
    unit: str = ""
    master_id: int | None = None
    register_due: float | None = None
    sign_due: float | None = None
    handle_due: float | None = None
    check_due: float | None = None
    handle_unit: str = ""  # the TimeUnit the handling clock counts in
    handle_budget_s: float | None = None  # its whole budget in seconds of that unit, extensions included
    light_at: float | None = None
    yellow_at: float | None = None
    red_at: float | None = None
    card: Card = Card.NONE
    manual_card: Card = Card.NONE
    parked_since: float | None = None
    handle_remaining_s: float | None = None
    extension_pending: float = 0.0  # the amount asked for in handle_unit, 0 when nothing is pending
    resume_state: CaseState | None = None  # where a rejected return request goes back to
    rework_count: int = 0
    reopen_count: int = 0
    return_count: int = 0
    events_count: int = 1
    acknowledged: bool = False
    verified: bool = False


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One transition (or annotation) as the append-only audit table keeps it."""

    id: int
    case_id: int
    from_state: CaseState
    to_state: CaseState
    action: Action
    actor: str
    role: Role
    at: float
    reason: str
    payload: dict[str, Any]
    exercise: bool


@dataclass(frozen=True, slots=True)
class Applied:
    """A command that was carried out: the case after it and the audit row written with it."""

    case: Case
    audit: AuditRow
    order_id: str | None = None


class Refused(Exception):
    """A command the desk did not carry out, with a code and a message for the log."""

    def __init__(
        self, code: Refusal, detail: str, *, current: Case | None = None, by: AuditRow | None = None
    ):
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail
        self.current = current
        self.by = by
