"""Hands feed frames to the intake; a message the transport skipped as too big becomes a quarantine row."""

from __future__ import annotations

import re
from collections.abc import Callable

from dispatch.clock import Clock
from dispatch.feed_transport import SkippedFrame
from dispatch.intake import Intake
from dispatch.model import QuarantineEntry, QuarantineReason
from dispatch.protocol import MAX_FRAME_BYTES, Frame
from dispatch.store_writer import QuarantineItem, WriteItem

# As the decoder reads an oversized frame's position: only the envelope's leading members are trusted (a
# "seq" deeper inside could be anything), and 18 digits always fit SQLite's 64-bit INTEGER.
_LEADING_SEQ = re.compile(rb'\A\s*\{\s*"type"\s*:\s*"[a-z_]{1,32}"\s*,\s*"seq"\s*:\s*(\d{1,18})\s*[,}]')


def leading_seq(head: bytes) -> int | None:
    """The seq at the start of a frame whose whole text was never read."""
    match = _LEADING_SEQ.match(head[:256])
    return int(match.group(1)) if match else None


class FrameRouter:
    """The feed client's `on_frame`: frames go to the intake; skipped messages are quarantined `oversized`
    with their size, first 4 KiB and seq, and move the cursor like any quarantined frame."""

    def __init__(self, intake: Intake, submit: Callable[[WriteItem], None], clock: Clock) -> None:
        self._intake = intake
        self._submit = submit
        self._clock = clock

    def __call__(self, frame: Frame | SkippedFrame) -> None:
        if isinstance(frame, SkippedFrame):
            self._oversized(frame)
        else:
            self._intake.handle_frame(frame)

    def _oversized(self, frame: SkippedFrame) -> None:
        intake = self._intake
        counters = intake.counters
        counters.frames += 1
        seq = leading_seq(frame.head) if frame.text else None
        if seq is not None:
            if intake.cursor is not None and seq <= intake.cursor:
                counters.replays += 1
                return
            intake.cursor = seq
            if counters.head is None or seq > counters.head:
                counters.head = seq
        kind = "text" if frame.text else "binary"
        detail = f"{kind} frame of {frame.size} bytes exceeds the {MAX_FRAME_BYTES} byte limit; not read"
        raw = frame.head.decode("utf-8", errors="replace")
        entry = QuarantineEntry(self._clock.now(), QuarantineReason.OVERSIZED, detail, raw, frame.size, seq)
        self._submit(QuarantineItem(entry))
