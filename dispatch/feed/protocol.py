"""Feed protocol v1: wire message types and the decoder that classifies every incoming frame."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol

import msgspec
import numpy as np

from dispatch.feed.bounds import SQL_INT_MAX, sql_seq
from dispatch.feed.values import QuarantineReason

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 1 << 20
RAW_KEEP_BYTES = 4096
KNOWN_TYPES = frozenset({"event", "metric", "cap", "heartbeat", "reset"})
# Real frames nest 4 levels (frame, event, location or cap, references); the decoder's own limit depends on
# how deep the call stack already is, and values nested past ~1,000 levels break whoever decodes them later.
MAX_DEPTH = 64

# A position is stored as a SQLite INTEGER: one past 2^63-1 would fail the write and wedge the cursor.
Seq = Annotated[int, msgspec.Meta(ge=0, le=SQL_INT_MAX)]
AwareTime = Annotated[datetime, msgspec.Meta(tz=True)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


# Wire values are acyclic and arrive by the tens of thousands per second: with gc=False the collector never
# has to walk them, which otherwise costs as much as decoding them while a batch waits for its commit.


class Location(msgspec.Struct, frozen=True, gc=False):
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    address: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    grid: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class Attachment(msgspec.Struct, frozen=True, gc=False):
    uri: Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
    content_type: Annotated[str, msgspec.Meta(max_length=128)]


class Event(msgspec.Struct, frozen=True, gc=False):
    """EVENT as the feed sends it; unknown fields are tolerated here and kept in the stored payload."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    source: Code
    category: Code
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    severity: Annotated[int, msgspec.Meta(ge=1, le=4)]
    occurred_at: AwareTime
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    location: Location | None = None
    camera_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None
    attachments: Annotated[list[Attachment], msgspec.Meta(max_length=64)] | None = None
    exercise: bool = False
    cancelled: bool = False
    device: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None
    cleared: bool = False


class Metric(msgspec.Struct, frozen=True, gc=False):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    value: float
    at: AwareTime
    unit: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    labels: dict[str, str] | None = None


class EventMsg(msgspec.Struct, frozen=True, gc=False, tag="event", tag_field="type"):
    seq: Seq
    event: msgspec.Raw


class MetricMsg(msgspec.Struct, frozen=True, tag="metric", tag_field="type"):
    seq: Seq
    metric: Metric


class CapMsg(msgspec.Struct, frozen=True, tag="cap", tag_field="type"):
    seq: Seq
    xml: str


class HeartbeatMsg(msgspec.Struct, frozen=True, tag="heartbeat", tag_field="type"):
    head: Seq
    at: AwareTime


class ResetMsg(msgspec.Struct, frozen=True, tag="reset", tag_field="type"):
    head: Seq
    reason: Annotated[str, msgspec.Meta(max_length=1000)]


class SubscribeMsg(msgspec.Struct, frozen=True, tag="subscribe", tag_field="type"):
    client: str
    resume_after: int | None


class _Probe(msgspec.Struct):
    """What can still be read from a frame that failed full validation."""

    type: Any = None
    seq: Any = None


_ENVELOPE = msgspec.json.Decoder(EventMsg | MetricMsg | CapMsg | HeartbeatMsg | ResetMsg)
_EVENT = msgspec.json.Decoder(Event)
_ANY = msgspec.json.Decoder()
_PROBE = msgspec.json.Decoder(_Probe)
_ENCODER = msgspec.json.Encoder(order="sorted")
_PATH = re.compile(r"`\$(?P<rest>[^`]*)`")
_DECODE_ERRORS = (msgspec.DecodeError, UnicodeDecodeError, ValueError)


class DecodedEvent(msgspec.Struct, frozen=True, gc=False):
    """A valid EVENT with its text exactly as received."""

    seq: int
    event: Event
    raw: bytes


@dataclass(frozen=True, slots=True)
class DecodedMetric:
    seq: int
    metric: Metric


@dataclass(frozen=True, slots=True)
class DecodedCap:
    seq: int
    xml: str


@dataclass(frozen=True, slots=True)
class DecodedHeartbeat:
    head: int


@dataclass(frozen=True, slots=True)
class DecodedReset:
    head: int
    reason: str


@dataclass(frozen=True, slots=True)
class UnknownType:
    type_name: str
    seq: int | None


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: QuarantineReason
    detail: str
    seq: int | None = None


Decoded = DecodedEvent | DecodedMetric | DecodedCap | DecodedHeartbeat | DecodedReset | UnknownType | Rejected


def encode_subscribe(client: str, resume_after: int | None) -> bytes:
    """The first frame a client sends."""
    return msgspec.json.encode(SubscribeMsg(client=client, resume_after=resume_after))


def keep_raw(frame: Frame) -> str:
    """The part of a frame worth keeping in quarantine: at most RAW_KEEP_BYTES, never invalid text."""
    if isinstance(frame, str):
        return (
            frame[:RAW_KEEP_BYTES].encode("utf-8", errors="replace")[:RAW_KEEP_BYTES].decode(errors="ignore")
        )
    return frame_bytes(frame)[:RAW_KEEP_BYTES].decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class InvalidText:
    """A text frame whose payload is not UTF-8 (the transport hands over the raw bytes)."""

    raw: bytes


class CutFrame(Protocol):
    """A message the transport cut off at the size limit (feed_transport.SkippedFrame): its first bytes,
    its real size and whether it was a text message. A frame of none of the other types is one; it is
    never tested with isinstance, which costs microseconds for a protocol."""

    @property
    def size(self) -> int: ...

    @property
    def head(self) -> bytes: ...

    @property
    def text(self) -> bool: ...


Frame = str | bytes | InvalidText | CutFrame


def frame_bytes(frame: Frame) -> bytes:
    """The frame as bytes (what is left of it), for quarantine."""
    if isinstance(frame, str):
        return frame.encode("utf-8", errors="replace")
    if isinstance(frame, bytes):
        return frame
    return frame.raw if isinstance(frame, InvalidText) else frame.head


def frame_size(frame: Frame) -> int:
    """The frame's size in bytes as it arrived."""
    if isinstance(frame, str | bytes | InvalidText):
        return len(frame_bytes(frame))
    return frame.size


def _byte_size(text: str) -> int:
    # Only frames that could be over the limit pay for an exact count.
    return len(text) if len(text) * 4 <= MAX_FRAME_BYTES else len(text.encode("utf-8", errors="replace"))


def decode_frame(frame: Frame) -> Decoded:
    """Classify one frame (str: a text frame, bytes: a binary frame); never raises."""
    try:
        return _classify(frame)
    except RecursionError:
        return Rejected(QuarantineReason.TOO_DEEP, "JSON nested too deeply", _sniff_seq(frame))
    except Exception as error:  # content must never stop the feed: the frame is set aside, saying why
        return Rejected(
            QuarantineReason.INVALID_FIELDS,
            f"the frame could not be decoded: {type(error).__name__}: {error}"[:500],
            _sniff_seq(frame),
        )


def _classify(frame: Frame) -> Decoded:
    if not isinstance(frame, str):
        return _not_text(frame)
    size = _byte_size(frame)
    if size > MAX_FRAME_BYTES:
        return Rejected(
            QuarantineReason.OVERSIZED,
            f"frame of {size} bytes exceeds the {MAX_FRAME_BYTES} byte limit",
            _sniff_seq(frame),
        )
    if _deeper_than(frame, MAX_DEPTH):
        return Rejected(
            QuarantineReason.TOO_DEEP, f"JSON nested deeper than {MAX_DEPTH} levels", _sniff_seq(frame)
        )
    try:
        message = _ENVELOPE.decode(frame)
    except msgspec.ValidationError as error:
        return _diagnose(frame, error)
    except _DECODE_ERRORS as error:
        return _undecodable(frame, error)
    if isinstance(message, EventMsg):
        return _decode_event(bytes(message.event), message.seq, nesting_checked=True)
    if isinstance(message, MetricMsg):
        return DecodedMetric(message.seq, message.metric)
    if isinstance(message, CapMsg):
        return DecodedCap(message.seq, message.xml)
    if isinstance(message, HeartbeatMsg):
        return DecodedHeartbeat(message.head)
    return DecodedReset(message.head, message.reason)


def _not_text(frame: bytes | InvalidText | CutFrame) -> Rejected:
    if isinstance(frame, InvalidText):
        return Rejected(QuarantineReason.NOT_UTF8, "text frame is not valid UTF-8")
    if isinstance(frame, bytes) or not frame.text:
        return Rejected(QuarantineReason.BINARY_FRAME, "binary frame; protocol v1 uses text frames only")
    return Rejected(
        QuarantineReason.OVERSIZED,
        f"frame of {frame.size} bytes exceeds the {MAX_FRAME_BYTES} byte limit",
        _sniff_seq(frame.head.decode(errors="replace")),
    )


def decode_event(raw: bytes, seq: int) -> DecodedEvent | Rejected:
    """Validate one EVENT object; its text is kept exactly as received (every field, known or not)."""
    return _decode_event(raw, seq, nesting_checked=False)


def _decode_event(raw: bytes, seq: int, *, nesting_checked: bool) -> DecodedEvent | Rejected:
    try:
        event = _EVENT.decode(raw)
    except RecursionError:
        return Rejected(QuarantineReason.TOO_DEEP, "event nested too deeply", seq)
    except msgspec.ValidationError as error:
        message = str(error)
        if "`$" not in message:
            message += " - at `$`"
        return Rejected(QuarantineReason.INVALID_FIELDS, _reroot(message, "$.event"), seq)
    except _DECODE_ERRORS as error:
        return Rejected(QuarantineReason.INVALID_FIELDS, f"event is not valid JSON text: {error}", seq)
    if not nesting_checked and _deeper_than(raw, MAX_DEPTH - 1):
        return Rejected(QuarantineReason.TOO_DEEP, f"event nested deeper than {MAX_DEPTH - 1} levels", seq)
    return DecodedEvent(seq, event, raw)


def canonical_event(raw: bytes | str) -> bytes:
    """The same event whatever its key order or spacing: only compared when an id is seen again."""
    return _ENCODER.encode(_ANY.decode(raw))


def encode_event_object(obj: dict[str, Any]) -> bytes:
    """JSON for an EVENT built locally (e.g. from a CAP alert), to validate it like a received one."""
    return _ENCODER.encode(obj)


def _diagnose(frame: str, error: msgspec.ValidationError) -> Rejected | UnknownType:
    try:
        probe = _PROBE.decode(frame)
    except msgspec.ValidationError:
        return Rejected(QuarantineReason.NOT_OBJECT, "frame is JSON but not an object")
    except _DECODE_ERRORS as other:
        return _undecodable(frame, other)
    seq = sql_seq(probe.seq)
    if not isinstance(probe.type, str):
        return Rejected(QuarantineReason.MISSING_TYPE, "frame has no string `type`", seq)
    if probe.type not in KNOWN_TYPES:
        return UnknownType(probe.type[:64], seq)
    return Rejected(QuarantineReason.INVALID_FIELDS, f"{probe.type}: {error}", seq)


def _undecodable(frame: str, error: Exception) -> Rejected:
    return Rejected(QuarantineReason.NOT_JSON, f"frame is not JSON: {error}")


# Only the envelope's own leading members are trusted; a "seq" deeper inside could be anything.
_SEQ_SNIFF = re.compile(r'\A\s*\{\s*"type"\s*:\s*"[a-z_]{1,32}"\s*,\s*"seq"\s*:\s*(\d{1,18})\s*[,}]')


def _sniff_seq(frame: Frame) -> int | None:
    """The seq of a frame too big or too deep to decode, so the cursor moves past it and it is not
    replayed forever."""
    if not isinstance(frame, str):
        return None
    match = _SEQ_SNIFF.match(frame[:256])
    return int(match.group(1)) if match else None


# Opening brackets become +1 and closing ones -1 (as int8); every other byte goes.
_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def _deeper_than(text: str | bytes, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels anywhere (brackets inside strings aside).

    No Python loop over the text: a hostile 1 MiB frame of brackets costs milliseconds.
    """
    # Nesting needs an opening bracket per level: almost every frame has too few to look further.
    if isinstance(text, str):
        if text.count("[") + text.count("{") <= limit:
            return False
        data = text.encode(errors="replace")
    elif text.count(b"[") + text.count(b"{") <= limit:
        return False
    else:
        data = text
    # Without escaped backslashes and quotes, every quote opens or closes a string: the even pieces are
    # outside strings (exact for valid JSON; invalid JSON is set aside whichever reason it gets).
    outside = b"".join(data.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')[::2])
    steps = np.frombuffer(outside.translate(_STEPS, _NOT_BRACKETS), dtype=np.int8)
    return bool(steps.size) and int(steps.cumsum(dtype=np.int32).max()) > limit


def _reroot(message: str, root: str) -> str:
    return _PATH.sub(lambda m: f"`{root}{m.group('rest')}`", message)
