"""The plain values the duty screens show: queue queries, pages and rows, a case's file, dispatch choices."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dispatch.casework.model import OPEN_STATES, Action, AuditRow, Card, Case, CaseState
from dispatch.feed.attachments import AttachmentRef
from dispatch.feed.values import StoredEvent

# Counting every match of a broad query over a million cases costs more than the page itself; past this
# many the queue says "10,000+".
COUNT_CAP = 10_000
# The "N new cases" bar counts up to this many (shown as "999+").
NEWER_CAP = 1_000
PAGE_SIZE = 100

S = CaseState
# Which deadline is running in which state: registration, then handling (from dispatch), then the check.
REGISTER_CLOCK_STATES = frozenset({S.DISCOVERED, S.VERIFYING})
HANDLE_CLOCK_STATES = frozenset({S.DISPATCHED, S.SIGNED, S.RETURN_REQUESTED, S.IN_PROGRESS, S.REWORK})
CHECK_CLOCK_STATES = frozenset({S.HANDLED, S.CHECKING})
# Severity levels I and II announce themselves until someone acknowledges them.
SEVERE_MAX = 2


class SortKey(enum.StrEnum):
    """A column the queue sorts on (in SQL)."""

    SEVERITY = "severity"  # most severe first, newest first within a level
    CODE = "code"
    STATE = "state"
    CATEGORY = "category"
    TITLE = "title"
    PLACE = "place"
    SOURCE = "source"
    DISCOVERED = "discovered"
    DUE = "due"  # the deadline of the stage the case is in
    CARD = "card"
    UNIT = "unit"
    EVENTS = "events"


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """What the queue shows: filters (empty = any), full text, and the sort.

    `descending` flips the natural order of the sort key (most severe, newest, soonest due first).
    """

    states: frozenset[CaseState] = OPEN_STATES
    categories: frozenset[str] = frozenset()
    severities: frozenset[int] = frozenset()
    districts: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    overdue_only: bool = False
    carded_only: bool = False
    exercise: bool = False
    text: str = ""
    sort: SortKey = SortKey.SEVERITY
    descending: bool = False


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page of a query, as the queue asks for it."""

    query: QueueQuery
    offset: int = 0
    limit: int = PAGE_SIZE
    # The newest case the officer has let into the list (None: everything, now). Cases after it are
    # counted, not listed, so rows never move under the pointer while the officer works.
    up_to: int | None = None


def current_due(state: CaseState, register_due: float | None, handle_due: float | None,
                check_due: float | None) -> float | None:  # fmt: skip
    """The deadline of the stage a case in `state` is in (None when no clock runs)."""
    if state in REGISTER_CLOCK_STATES:
        return register_due
    if state in HANDLE_CLOCK_STATES:
        return handle_due
    if state in CHECK_CLOCK_STATES:
        return check_due
    return None


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case as a queue row: exactly what the table shows and what acting on it needs."""

    id: int
    code: str
    state: CaseState
    version: int
    severity: int
    category: str
    title: str
    address: str
    district: str
    source: str
    discovered_at: float
    handle_due: float | None
    register_due: float | None
    card: Card
    parked: bool
    overdue: bool
    unit: str
    events_count: int
    acknowledged: bool
    due: float | None = None  # the running stage's deadline (register, handle or check)
    exercise: bool = False
    clearing: bool = False  # waits for the shift lead's 自动消警 (episodes.py)

    @property
    def severe(self) -> bool:
        return self.severity <= SEVERE_MAX


@dataclass(frozen=True, slots=True)
class Page:
    """Rows of one page and how many match in all; `exact` is False when the count stopped at the cap."""

    rows: tuple[QueueRow, ...]
    total: int
    exact: bool = True
    offset: int = 0
    query: QueueQuery = QueueQuery()
    # The newest case id the page was read up to, and how many matching cases came after it (only
    # counted when the request named its `up_to`; capped at NEWER_CAP).
    latest: int = 0
    newer: int = 0


@dataclass(frozen=True, slots=True)
class LinkedEvent:
    """A source event of a case; `via_code` names the merged case it came with, if any."""

    event: StoredEvent
    via_case: int | None = None
    via_code: str = ""


@dataclass(frozen=True, slots=True)
class MergeProposal:
    """A suspected duplicate and the merge that would resolve it (the absorbed case goes into the master)."""

    other_id: int
    other_code: str
    other_title: str
    other_state: CaseState
    distance_m: float
    gap_s: float
    absorbed_id: int
    absorbed_version: int
    master_id: int
    master_code: str
    possible: bool  # False when neither side can be merged now (e.g. both already dispatched)


@dataclass(frozen=True, slots=True)
class SplitOffer:
    """A merge that can still be undone: the absorbed case goes back to `state`, the master gives its
    events back (both as the panel read them, so the split is refused if either changed since)."""

    absorbed_id: int
    absorbed_version: int
    absorbed_code: str
    master_id: int
    master_version: int
    master_code: str
    state: CaseState


@dataclass(frozen=True, slots=True)
class OrderDelivery:
    """Where the case's latest order is: written to the outbox, acknowledged by the platform or not yet."""

    order_id: str
    unit: str
    created_at: float
    acked_at: float | None


# The reason recorded for a unit's return request that gave none; the screens put it in the officer's words.
NO_REASON_GIVEN = "unit asked to return (no reason given)"


@dataclass(frozen=True, slots=True)
class UnitWord:
    """A unit's report on the case (签收, 进展, 办结, 申请回退): its own over the feed, or recorded by an
    officer from a phone call (代录, `recorded_by` names the officer)."""

    case_id: int
    action: Action
    unit: str
    at: float  # when the unit did it, as it said; else when it was recorded
    note: str = ""
    position: tuple[float, float] | None = None  # lon, lat
    attachments: tuple[AttachmentRef, ...] = ()
    refused: int = 0  # attachments the case does not show (bad reference, wrong type, too large)
    recorded_by: str = ""

    @property
    def by_phone(self) -> bool:
        return bool(self.recorded_by)


@dataclass(frozen=True, slots=True)
class CaseFile:
    """Everything the case panel shows: the case, its source events, its history and merge proposals."""

    case: Case
    events: tuple[LinkedEvent, ...]
    timeline: tuple[AuditRow, ...]  # the case and every case merged into it, oldest first
    proposals: tuple[MergeProposal, ...]
    codes: tuple[tuple[int, str], ...] = ()  # case id → code for every case the timeline mentions
    master_code: str = ""  # the case this one was merged into
    order: OrderDelivery | None = None  # the latest order of this case, if it was ever dispatched
    unit_words: tuple[UnitWord, ...] = ()  # the units' reports, oldest first
    splits: tuple[SplitOffer, ...] = ()  # merges of this case that can still be undone
    clearing_proposed: bool = False  # its alarms cleared: the lead may void it 自动消警 (episodes.py)

    @property
    def last_unit_word(self) -> UnitWord | None:
        """The latest report of the case itself, the one a checker judges the handling by."""
        own = [word for word in self.unit_words if word.case_id == self.case.id]
        return own[-1] if own else None

    def code_of(self, case_id: int) -> str:
        return dict(self.codes).get(case_id, str(case_id))


@dataclass(frozen=True, slots=True)
class RosterUnit:
    """A responsible unit the desk may dispatch to; mobile crews have a base position."""

    unit_id: str
    name: str
    kind: str
    lon: float | None = None
    lat: float | None = None


class PositionSource(enum.StrEnum):
    """Where a unit's travel time was measured from."""

    LIVE = "live"  # its live position (AVL, protocol v1.2), fresh enough to trust
    BASE = "base"  # its base (驻地): no live position, or one too old


# A live position older than this no longer says where the unit is: it is ranked from its base again.
LIVE_FRESH_S = 600.0


@dataclass(frozen=True, slots=True)
class UnitChoice:
    """A unit the dispatcher may pick, with its road travel time when it has a position, where that
    position came from and, when the unit has a live position, how old it is (fresh or not)."""

    unit_id: str
    name: str
    available: bool
    routed: bool  # the routing rule's unit for this case
    travel_s: float | None = None
    straight_m: float | None = None
    position: PositionSource | None = None  # None: neither a live position nor a base
    position_age_s: float | None = None  # the live position's age; None when the unit never reported one


@dataclass(frozen=True, slots=True)
class DispatchOptions:
    """What the dispatch dialog offers for one case: the routed unit first, then the recommended ones."""

    case_id: int
    version: int
    code: str
    title: str
    category: str
    address: str
    routed_unit: str
    choices: tuple[UnitChoice, ...]


@dataclass(frozen=True, slots=True)
class DispatchChoice:
    """What the dispatcher chose in the dialog."""

    unit: str
    instructions: str
    recommended: bool
    travel_s: float | None = None
