"""What the store writer takes (events, metrics, quarantine, cursor, gaps, order answers, unit positions)
and returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import msgspec

from dispatch.feed.positions_wire import PositionFix
from dispatch.feed.protocol import DecodedEvent, Metric
from dispatch.feed.values import Gap, MetricSample, QuarantineEntry, StoredEvent

# One events row in insert order (rows.EVENT_COLUMNS); the payload is the event's UTF-8 text as received.
EventRow = tuple[object, ...]

# The views show a few thousand rows at most; building display values for more would be wasted work.
NEWEST_KEPT = 5_000


class EventItem(msgspec.Struct, frozen=True, gc=False):
    """A valid event and when it arrived (untracked by the collector, like the event it carries).

    `local_feed` names a source on this console (the wall's motion analytics) whose events are stored
    under that feed name and never move the server feed's cursor.
    """

    decoded: DecodedEvent
    received_at: float
    local_feed: str | None = None

    @property
    def seq(self) -> int | None:
        return self.decoded.seq if self.local_feed is None else None


# Every item has `seq`: the feed position committing it moves the cursor to (None: it does not move).


@dataclass(frozen=True, slots=True)
class MetricItem:
    seq: int
    metric: Metric


@dataclass(frozen=True, slots=True)
class QuarantineItem:
    entry: QuarantineEntry

    @property
    def seq(self) -> int | None:
        return self.entry.seq


@dataclass(frozen=True, slots=True)
class CursorItem:
    """A frame that was handled without producing a row (unknown type, dropped CAP): move past it."""

    seq: int


@dataclass(frozen=True, slots=True)
class AckItem:
    """The server accepted an order (protocol v1.1): the outbox stops sending it."""

    seq: int
    order_id: str
    received_at: float


@dataclass(frozen=True, slots=True)
class ReportItem:
    """A field unit's report, kept for the desk thread to apply (report_inbox, in arrival order)."""

    seq: int
    body: str
    received_at: float


@dataclass(frozen=True, slots=True)
class PositionItem:
    """A unit's live position (protocol v1.2): its latest fix and track (dispatch/store/positions.py)."""

    fix: PositionFix

    @property
    def seq(self) -> int:
        return self.fix.seq


@dataclass(frozen=True, slots=True)
class GapItem:
    gap: Gap

    @property
    def seq(self) -> int:
        """A reset moves the cursor to the server's head, past what can no longer be replayed."""
        return self.gap.head


WriteItem = (
    EventItem | MetricItem | QuarantineItem | CursorItem | GapItem | AckItem | ReportItem | PositionItem
)


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What one committed transaction changed."""

    rows: tuple[EventRow, ...]
    revisions: int
    duplicates: int
    metrics: tuple[MetricSample, ...]
    quarantined: tuple[QuarantineEntry, ...]
    gaps: tuple[Gap, ...]
    cursor: int | None
    acks: int = 0
    reports: int = 0
    positions: int = 0  # units whose latest position moved (older and repeated fixes move none)

    @property
    def stored(self) -> int:
        """Event revisions committed."""
        return len(self.rows)

    @property
    def events(self) -> tuple[StoredEvent, ...]:
        """The newest NEWEST_KEPT committed revisions, flattened for display."""
        return stored_events(self.rows[-NEWEST_KEPT:])


def stored_events(rows: Iterable[EventRow]) -> tuple[StoredEvent, ...]:
    """Display values for committed rows: built only for the few the views can show."""
    return tuple(StoredEvent(*row[:3], *row[4:18]) for row in rows)  # type: ignore[arg-type]
