"""Intake: turns each received frame into store work — applied, skipped as a replay, or quarantined."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dispatch.cap import CapError, cap_to_event, parse_cap
from dispatch.clock import Clock
from dispatch.model import Gap, QuarantineEntry, QuarantineReason
from dispatch.orders_wire import ORDER_TYPES, OrderAckMsg, decode_order_frame, report_body
from dispatch.protocol import (
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
    keep_raw,
)
from dispatch.store_writer import (
    AckItem,
    CursorItem,
    EventItem,
    GapItem,
    MetricItem,
    QuarantineItem,
    ReportItem,
    WriteItem,
)


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
    head: int | None = None


class Intake:
    """Applies protocol v1 rules to frames, in arrival order, and submits the outcome to the store writer.

    `cursor` is the last seq accepted; the writer commits it together with the rows it produced, so the
    stored cursor never runs ahead of the stored data.
    """

    def __init__(self, submit: Callable[[WriteItem], None], clock: Clock, cursor: int | None) -> None:
        self._submit = submit
        self._clock = clock
        self.cursor = cursor
        self.counters = FrameCounters()

    def handle_frame(self, frame: Frame) -> None:
        self.counters.frames += 1
        now = self._clock.now()
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
            self._submit(EventItem(decoded, now))
        elif isinstance(decoded, DecodedMetric):
            self._submit(MetricItem(decoded.seq, decoded.metric))
        elif isinstance(decoded, DecodedCap):
            self._handle_cap(decoded, frame, now)
        elif isinstance(decoded, UnknownType) and decoded.type_name in ORDER_TYPES:
            self._handle_order_answer(frame, seq, now)
        elif isinstance(decoded, UnknownType):
            self.counters.unknown += 1
            if seq is not None:
                self._submit(CursorItem(seq))
        else:
            self._quarantine(decoded, frame, now)

    def _handle_order_answer(self, frame: Frame, seq: int | None, now: float) -> None:
        answer = decode_order_frame(frame_bytes(frame), seq)
        if isinstance(answer, Rejected):
            self._quarantine(answer, frame, now)
        elif isinstance(answer, OrderAckMsg):
            self.counters.order_acks += 1
            self._submit(AckItem(answer.seq, answer.order_id, now))
        else:
            self.counters.unit_reports += 1
            self._submit(ReportItem(answer.seq, report_body(answer), now))

    def _handle_cap(self, decoded: DecodedCap, frame: Frame, now: float) -> None:
        try:
            alert = parse_cap(decoded.xml)
        except CapError as error:
            self._quarantine(
                Rejected(QuarantineReason.BAD_CAP, f"{error.code}: {error}", decoded.seq), frame, now
            )
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
            self._submit(EventItem(outcome, now))

    def _quarantine(self, rejected: Rejected, frame: Frame, now: float) -> None:
        entry = QuarantineEntry(
            now, rejected.reason, rejected.detail, keep_raw(frame), len(frame_bytes(frame)), rejected.seq
        )
        self._submit(QuarantineItem(entry))
