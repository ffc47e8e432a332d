"""Intake: turns each received frame into store work — applied, skipped as a replay, or quarantined."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from dispatch.casework.policy import TimeWindow
from dispatch.feed.bounds import SQL_INT_MAX, sql_seq, time_refusal
from dispatch.feed.cap import CapError, parse_cap
from dispatch.feed.cap_events import cap_to_event
from dispatch.feed.cap_values import CapAlert
from dispatch.feed.orders_wire import ORDER_TYPES, OrderAckMsg, UnitReportMsg, decode_order_frame, report_body
from dispatch.feed.positions_wire import POSITION_TYPES, PositionRules, read_unit_status
from dispatch.feed.protocol import (
    DecodedCap,
    DecodedEvent,
    DecodedHeartbeat,
    DecodedMetric,
    DecodedReset,
    Frame,
    Rejected,
    UnknownType,
    decode_event,
    decode_frame,
    encode_event_object,
    frame_bytes,
    frame_size,
    keep_raw,
)
from dispatch.feed.values import Gap, QuarantineEntry, QuarantineReason
from dispatch.store.write_items import (
    AckItem,
    CursorItem,
    EventItem,
    GapItem,
    MetricItem,
    PositionItem,
    QuarantineItem,
    ReportItem,
    WriteItem,
)

_log = logging.getLogger(__name__)


@dataclass(slots=True)
class FrameCounters:
    """What intake itself decides before anything reaches the store."""

    frames: int = 0
    replays: int = 0
    unknown: int = 0
    heartbeats: int = 0
    cap_dropped: int = 0
    order_acks: int = 0
    unit_reports: int = 0
    positions: int = 0
    head: int | None = None


class Intake:
    """Applies protocol v1 rules to frames, in arrival order, and submits the outcome to the store writer.

    `cursor` is the last seq accepted; the writer commits it together with the rows it produced, so the
    stored cursor never runs ahead of the stored data. Every time a frame carries into the store or the
    loop's clock must lie in `window` around the clock's now; a frame with one outside is quarantined.
    `positions` says which units and what area a live position (v1.2) may name; by default any.
    """

    def __init__(
        self,
        submit: Callable[[WriteItem], None],
        clock: Clock,
        cursor: int | None,
        window: TimeWindow | None = None,
        positions: PositionRules | None = None,
    ) -> None:
        self._submit = submit
        self._clock = clock
        self._window = window or TimeWindow()
        self._positions = positions or PositionRules()
        self.cursor = cursor
        self.counters = FrameCounters()

    def handle_frame(self, frame: Frame) -> None:
        """Apply one frame; whatever it holds, it ends applied, skipped or quarantined, never raising."""
        self.counters.frames += 1
        now = self._clock.now()
        cursor = self.cursor
        try:
            self._handle(frame, now)
        except Exception as error:  # a frame that trips a bug costs that frame, not the feed
            _log.exception("intake failed on a frame; it is quarantined")
            seq = self.cursor if self.cursor != cursor else None
            detail = f"intake failed on this frame: {type(error).__name__}: {error}"[:500]
            self._quarantine(Rejected(QuarantineReason.INVALID_FIELDS, detail, seq), frame, now)

    def _handle(self, frame: Frame, now: float) -> None:
        decoded = decode_frame(frame)
        if isinstance(decoded, DecodedHeartbeat):
            self.counters.heartbeats += 1
            self.counters.head = decoded.head
            return
        if isinstance(decoded, DecodedReset):
            self._submit(GapItem(Gap(self.cursor, decoded.head, decoded.reason, now)))
            self.cursor = decoded.head
            self.counters.head = decoded.head
            return
        seq = decoded.seq
        if seq is not None:
            if self.cursor is not None and seq <= self.cursor:
                self.counters.replays += 1
                return
            self.cursor = seq
            if self.counters.head is None or seq > self.counters.head:
                self.counters.head = seq
        if isinstance(decoded, DecodedEvent):
            self._event(decoded, frame, now, "$.event.occurred_at")
        elif isinstance(decoded, DecodedMetric):
            refusal = self._refusal(decoded.metric.at, "$.metric.at", now)
            if refusal is None:
                self._submit(MetricItem(decoded.seq, decoded.metric))
            else:
                self._quarantine(Rejected(QuarantineReason.BAD_TIME, refusal, decoded.seq), frame, now)
        elif isinstance(decoded, DecodedCap):
            self._handle_cap(decoded, frame, now)
        elif isinstance(decoded, UnknownType) and decoded.type_name in ORDER_TYPES:
            self._handle_order_answer(frame, seq, now)
        elif isinstance(decoded, UnknownType) and decoded.type_name in POSITION_TYPES:
            self._handle_position(frame, seq, now)
        elif isinstance(decoded, UnknownType):
            self.counters.unknown += 1
            if seq is not None:
                self._submit(CursorItem(seq))
        else:
            self._quarantine(decoded, frame, now)

    def _event(self, decoded: DecodedEvent, frame: Frame, now: float, where: str, cap: bool = False) -> None:
        refusal = self._refusal(decoded.event.occurred_at, where, now, scheduled=cap)
        if refusal is None:
            self._submit(EventItem(decoded, now))
        else:
            self._quarantine(Rejected(QuarantineReason.BAD_TIME, refusal, decoded.seq), frame, now)

    def _refusal(self, moment: datetime, where: str, now: float, *, scheduled: bool = False) -> str | None:
        return time_refusal(moment, where, now, self._window, scheduled=scheduled)

    def _handle_order_answer(self, frame: Frame, seq: int | None, now: float) -> None:
        answer = decode_order_frame(frame_bytes(frame), seq)
        if not isinstance(answer, Rejected) and sql_seq(answer.seq) is None:
            # The envelope's seq was unreadable or out of range; the order decoder does not bound it.
            answer = Rejected(QuarantineReason.INVALID_FIELDS, f"seq {answer.seq} is outside 0 … 2^63-1", seq)
        elif isinstance(answer, UnitReportMsg):
            refusal = self._refusal(answer.report.at, "$.report.at", now)
            if refusal is not None:
                answer = Rejected(QuarantineReason.BAD_TIME, refusal, answer.seq)
        if isinstance(answer, Rejected):
            self._quarantine(answer, frame, now)
        elif isinstance(answer, OrderAckMsg):
            self.counters.order_acks += 1
            self._submit(AckItem(answer.seq, answer.order_id, now))
        else:
            self.counters.unit_reports += 1
            self._submit(ReportItem(answer.seq, report_body(answer), now))

    def _handle_position(self, frame: Frame, seq: int | None, now: float) -> None:
        fix = read_unit_status(frame_bytes(frame), seq, now, self._window, self._positions)
        if isinstance(fix, Rejected):
            self._quarantine(fix, frame, now)
        else:
            self.counters.positions += 1
            self._submit(PositionItem(fix))

    def _handle_cap(self, decoded: DecodedCap, frame: Frame, now: float) -> None:
        try:
            alert = parse_cap(decoded.xml)
        except CapError as error:
            self._quarantine(
                Rejected(QuarantineReason.BAD_CAP, f"{error.code}: {error}", decoded.seq), frame, now
            )
            return
        refusal = next(self._cap_refusals(alert, now), None)
        if refusal is not None:
            self._quarantine(Rejected(QuarantineReason.BAD_TIME, refusal, decoded.seq), frame, now)
            return
        event = cap_to_event(alert)
        if event is None:
            self.counters.cap_dropped += 1
            self._submit(CursorItem(decoded.seq))
            return
        outcome = decode_event(encode_event_object(event), decoded.seq)
        if isinstance(outcome, Rejected):
            self._quarantine(Rejected(QuarantineReason.BAD_CAP, outcome.detail, decoded.seq), frame, now)
        else:
            self._event(outcome, frame, now, "cap occurred_at", cap=True)

    def _cap_refusals(self, alert: CapAlert, now: float) -> Iterator[str]:
        """Every time of the alert outside the window; only the scheduled ones may lie further ahead."""
        sent = [("alert/sent", alert.sent)]
        sent += [(f"alert/references[{n}] sent", ref.sent) for n, ref in enumerate(alert.references, 1)]
        for where, moment in sent:
            refusal = self._refusal(moment, where, now)
            if refusal is not None:
                yield refusal
        for n, info in enumerate(alert.infos, 1):
            for name in ("effective", "onset", "expires"):
                moment = getattr(info, name)
                if moment is not None:
                    refusal = self._refusal(moment, f"alert/info[{n}]/{name}", now, scheduled=True)
                    if refusal is not None:
                        yield refusal

    def _quarantine(self, rejected: Rejected, frame: Frame, now: float) -> None:
        entry = QuarantineEntry(
            now, rejected.reason, rejected.detail, keep_raw(frame), _stored_size(frame), rejected.seq
        )
        self._submit(QuarantineItem(entry))


def _stored_size(frame: Frame) -> int:
    # A cut message's size is what its frame headers announced: a hostile server may announce up to 2^64.
    return min(frame_size(frame), SQL_INT_MAX)
