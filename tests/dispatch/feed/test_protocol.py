"""The v1 decoder: every frame is applied, skipped or quarantined with a reason — never an exception."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.feed.bounds import SQL_INT_MAX
from dispatch.feed.protocol import (
    MAX_DEPTH,
    MAX_FRAME_BYTES,
    DecodedCap,
    DecodedEvent,
    DecodedHeartbeat,
    DecodedMetric,
    DecodedReset,
    InvalidText,
    Rejected,
    UnknownType,
    canonical_event,
    decode_frame,
    encode_subscribe,
    frame_size,
    keep_raw,
)
from dispatch.feed.values import QuarantineReason


def event(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "iot-000001",
        "source": "iot",
        "category": "waterlogging",
        "title": "解放路积水 25cm",
        "severity": 3,
        "occurred_at": "2026-11-21T08:00:00+08:00",
        "location": {"lon": 120.16, "lat": 30.27, "address": "解放路128号", "grid": "330102001001"},
    }
    body.update(overrides)
    return body


def frame(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def test_valid_event_keeps_every_field_in_canonical_form() -> None:
    decoded = decode_frame(frame({"type": "event", "seq": 7, "event": event(vendor={"sensor": "WL-9"})}))
    assert isinstance(decoded, DecodedEvent)
    assert decoded.seq == 7
    assert decoded.event.title == "解放路积水 25cm"
    assert decoded.event.occurred_at.utcoffset() is not None
    assert json.loads(decoded.raw)["vendor"] == {"sensor": "WL-9"}


def test_canonical_form_ignores_key_order_and_spacing() -> None:
    a = decode_frame(frame({"type": "event", "seq": 1, "event": event()}))
    reordered = dict(reversed(list(event().items())))
    b = decode_frame(json.dumps({"seq": 2, "event": reordered, "type": "event"}, indent=2))
    c = decode_frame(frame({"type": "event", "seq": 3, "event": event(severity=2)}))
    assert isinstance(a, DecodedEvent)
    assert isinstance(b, DecodedEvent)
    assert isinstance(c, DecodedEvent)
    assert a.raw != b.raw
    assert canonical_event(a.raw) == canonical_event(b.raw)
    assert canonical_event(a.raw) != canonical_event(c.raw)


def test_other_message_types_decode() -> None:
    metric = {
        "name": "aqi",
        "value": 48,
        "unit": "",
        "at": "2026-11-21T08:00:00+08:00",
        "labels": {"d": "上城"},
    }
    assert isinstance(decode_frame(frame({"type": "metric", "seq": 1, "metric": metric})), DecodedMetric)
    assert isinstance(decode_frame(frame({"type": "cap", "seq": 2, "xml": "<alert/>"})), DecodedCap)
    heartbeat = decode_frame(frame({"type": "heartbeat", "head": 9, "at": "2026-11-21T08:00:00Z"}))
    assert heartbeat == DecodedHeartbeat(9)
    reset = decode_frame(frame({"type": "reset", "head": 40, "reason": "buffer trimmed"}))
    assert reset == DecodedReset(40, "buffer trimmed")


def test_unknown_type_is_skipped_not_quarantined() -> None:
    assert decode_frame(frame({"type": "order_ack", "seq": 5, "order_id": "x"})) == UnknownType(
        "order_ack", 5
    )


@pytest.mark.parametrize(
    ("raw", "reason", "seq"),
    [
        ("not json at all", QuarantineReason.NOT_JSON, None),
        ('{"type": "event", "seq": 3, "event": ', QuarantineReason.NOT_JSON, None),
        ("[1, 2, 3]", QuarantineReason.NOT_OBJECT, None),
        ('"just a string"', QuarantineReason.NOT_OBJECT, None),
        ('{"seq": 4, "event": {}}', QuarantineReason.MISSING_TYPE, 4),
        ('{"type": 12, "seq": 4}', QuarantineReason.MISSING_TYPE, 4),
        ('{"type": "event", "event": {}}', QuarantineReason.INVALID_FIELDS, None),
        ('{"type": "metric", "seq": 6, "metric": {"name": "aqi", "value": "high", "at": "2026-11-21"}}',
         QuarantineReason.INVALID_FIELDS, 6),
        ('{"type": "event", "seq": -1, "event": {}}', QuarantineReason.INVALID_FIELDS, None),
    ],
)  # fmt: skip
def test_malformed_frames_are_quarantined_with_a_reason(
    raw: bytes, reason: QuarantineReason, seq: int | None
) -> None:
    decoded = decode_frame(raw)
    assert isinstance(decoded, Rejected)
    assert decoded.reason is reason
    assert decoded.seq == seq
    assert decoded.detail


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"severity": 0}, "$.event.severity"),
        ({"severity": 5}, "$.event.severity"),
        ({"severity": "3"}, "$.event.severity"),
        ({"id": ""}, "$.event.id"),
        ({"id": "x" * 129}, "$.event.id"),
        ({"title": "长" * 201}, "$.event.title"),
        ({"occurred_at": "2026-11-21T08:00:00"}, "$.event.occurred_at"),
        ({"occurred_at": "yesterday"}, "$.event.occurred_at"),
        ({"occurred_at": "2026-13-45T08:00:00+08:00"}, "$.event.occurred_at"),
        ({"location": {"lon": 181, "lat": 30}}, "$.event.location.lon"),
        ({"location": {"lon": 120, "lat": -91}}, "$.event.location.lat"),
        ({"exercise": "yes"}, "$.event.exercise"),
        ({"attachments": [{"uri": ""}]}, "$.event.attachments[0]"),
    ],
)
def test_invalid_event_fields_name_the_field(overrides: dict[str, Any], path: str) -> None:
    decoded = decode_frame(frame({"type": "event", "seq": 11, "event": event(**overrides)}))
    assert isinstance(decoded, Rejected)
    assert decoded.reason is QuarantineReason.INVALID_FIELDS
    assert decoded.seq == 11
    assert path in decoded.detail


def test_missing_event_field_is_named() -> None:
    body = event()
    del body["source"]
    decoded = decode_frame(frame({"type": "event", "seq": 12, "event": body}))
    assert isinstance(decoded, Rejected)
    assert "`source`" in decoded.detail
    assert "$.event" in decoded.detail


def test_oversized_frame_is_rejected_and_its_seq_kept_so_the_cursor_moves_on() -> None:
    big = frame({"type": "event", "seq": 99, "event": event(description="水" * MAX_FRAME_BYTES)})
    decoded = decode_frame(big)
    assert isinstance(decoded, Rejected)
    assert decoded.reason is QuarantineReason.OVERSIZED
    assert decoded.seq == 99


def test_a_seq_buried_inside_an_unparseable_frame_is_not_trusted() -> None:
    decoded = decode_frame('garbage {"type":"event","seq":999999999}' + "x" * MAX_FRAME_BYTES)
    assert isinstance(decoded, Rejected)
    assert decoded.seq is None


def test_absurd_nesting_is_rejected_cheaply() -> None:
    deep = '{"type":"event","seq":1,"event":' + "[" * 200_000 + "]" * 200_000 + "}"
    decoded = decode_frame(deep)
    assert isinstance(decoded, Rejected)
    assert decoded.reason is QuarantineReason.TOO_DEEP


def test_subscribe_frame_matches_the_protocol() -> None:
    assert json.loads(encode_subscribe("tianshu/0.1.0", 41)) == {
        "type": "subscribe",
        "client": "tianshu/0.1.0",
        "resume_after": 41,
    }
    assert json.loads(encode_subscribe("tianshu/0.1.0", None))["resume_after"] is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=512) | st.binary(max_size=512))
def test_arbitrary_frames_never_raise(raw: str | bytes) -> None:
    decoded = decode_frame(raw)
    if isinstance(raw, bytes):
        assert decoded == Rejected(QuarantineReason.BINARY_FRAME, decoded.detail)  # type: ignore[union-attr]


def test_binary_and_non_utf8_frames_are_quarantined() -> None:
    binary = decode_frame(frame({"type": "event", "seq": 1, "event": event()}).encode())
    assert isinstance(binary, Rejected)
    assert binary.reason is QuarantineReason.BINARY_FRAME
    bad_text = decode_frame(InvalidText(b'{"type":"event","seq":1,"title":"\xff"}'))
    assert isinstance(bad_text, Rejected)
    assert bad_text.reason is QuarantineReason.NOT_UTF8


def test_oversized_multibyte_frame_is_measured_in_bytes() -> None:
    # 400k Chinese characters are 1.2 MB of UTF-8: over the limit although under a million characters.
    decoded = decode_frame(frame({"type": "event", "seq": 5, "event": event(description="水" * 400_000)}))
    assert isinstance(decoded, Rejected)
    assert decoded.reason is QuarantineReason.OVERSIZED


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["event", "metric", "cap", "heartbeat", "reset", "other"]),
    st.dictionaries(st.sampled_from(["seq", "head", "event", "metric", "xml", "at", "reason"]), json_values),
)
def test_arbitrary_envelopes_are_classified(kind: str, fields: dict[str, Any]) -> None:
    decoded = decode_frame(msgspec.json.encode({"type": kind, **fields}).decode())
    if kind == "other":
        assert isinstance(decoded, UnknownType)
    else:
        assert not isinstance(decoded, UnknownType)


# --- bounds: nesting and positions -------------------------------------------------------------------


def nest(depth: int, seed: int) -> str:
    """A JSON value nested `depth` levels, arrays and objects mixed."""
    shapes = random.Random(seed).choices(("[", '{"k":'), k=depth)
    return "".join(shapes) + "0" + "".join("]" if s == "[" else "}" for s in reversed(shapes))


# Where a value goes in an event frame, and how many levels already enclose it there.
PLACES = {"top": 1, "seq": 1, "event": 2, "location": 3}


def place(value: str, where: str, seq: str = "5") -> str:
    body = frame(event())
    if where == "event":
        body = body[:-1] + ', "vendor": ' + value + "}"
    if where == "location":
        body = body.replace('"lat": 30.27', '"lat": 30.27, "shape": ' + value)
    junk = ', "junk": ' + value if where == "top" else ""
    return (
        '{"type": "event", "seq": ' + (value if where == "seq" else seq) + ', "event": ' + body + junk + "}"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 3000) | st.integers(MAX_DEPTH - 4, MAX_DEPTH + 4),
    st.integers(0, 2**32),
    st.sampled_from(sorted(PLACES)),
    st.sampled_from(["5", '"5"', "-5", str(2**63), "null"]),
)
def test_nesting_anywhere_is_decoded_or_too_deep_never_raised(
    depth: int, seed: int, where: str, seq: str
) -> None:
    decoded = decode_frame(place(nest(depth, seed), where, seq))

    if depth + PLACES[where] > MAX_DEPTH:
        assert isinstance(decoded, Rejected)
        assert decoded.reason is QuarantineReason.TOO_DEEP
        # The seq is still read when it leads the frame, so the cursor moves past it.
        assert decoded.seq == (5 if seq == "5" and where != "seq" else None)
    else:
        assert not (isinstance(decoded, Rejected) and decoded.reason is QuarantineReason.TOO_DEEP)
        assert isinstance(decoded, DecodedEvent) == (seq == "5" and where != "seq")


def test_brackets_inside_strings_are_not_nesting() -> None:
    decoded = decode_frame(
        frame({"type": "event", "seq": 1, "event": event(title="[" * 150, description="{" * 999)})
    )
    assert isinstance(decoded, DecodedEvent)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["event", "metric", "cap", "heartbeat", "reset"]), st.integers())
def test_positions_outside_sqlite_integers_are_refused(kind: str, position: int) -> None:
    body = {
        "event": {"seq": position, "event": event()},
        "metric": {"seq": position, "metric": {"name": "aqi", "value": 1, "at": "2026-11-21T08:00:00Z"}},
        "cap": {"seq": position, "xml": "<alert/>"},
        "heartbeat": {"head": position, "at": "2026-11-21T08:00:00Z"},
        "reset": {"head": position, "reason": "restart"},
    }[kind]
    decoded = decode_frame(frame({"type": kind, **body}))

    if 0 <= position <= SQL_INT_MAX:
        assert not isinstance(decoded, Rejected)
    else:
        assert isinstance(decoded, Rejected)
        assert decoded.reason is QuarantineReason.INVALID_FIELDS
        assert decoded.seq is None
        assert "$.seq" in decoded.detail or "$.head" in decoded.detail


VALID_FRAMES = [
    frame({"type": "event", "seq": 7, "event": event(vendor={"a": [1, {"b": None}]})}),
    frame(
        {"type": "metric", "seq": 8, "metric": {"name": "aqi", "value": 4.5, "at": "2026-11-21T08:00:00Z"}}
    ),
    frame({"type": "reset", "head": 9, "reason": "restart"}),
    frame({"type": "order_ack", "seq": 10, "order_id": "o-1"}),
]
edits = st.tuples(
    st.integers(0, 10_000),
    st.integers(0, 8),
    st.text(alphabet='[]{}",:0123456789-e.\\ x洪', max_size=6)
    | st.builds(lambda d: nest(d, d), st.integers(60, 400)),
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(VALID_FRAMES), st.lists(edits, min_size=1, max_size=4))
def test_mutated_frames_are_classified_and_never_raise(
    original: str, changes: list[tuple[int, int, str]]
) -> None:
    text = original
    for at, cut, insert in changes:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    for mutated in (text, text.encode(), InvalidText(text.encode()[:-1] + b"\xff")):
        decoded = decode_frame(mutated)
        position = getattr(decoded, "seq", None) if isinstance(decoded, Rejected | UnknownType) else None
        assert position is None or 0 <= position <= SQL_INT_MAX


@dataclass(frozen=True)
class Cut:
    """What the transport hands over for a message it cut off at the size limit."""

    size: int
    head: bytes
    text: bool


def test_a_message_cut_off_by_the_transport_is_oversized_and_keeps_its_seq() -> None:
    head = b'{"type":"event","seq":41,"event":{"id":"x","description":"' + "洪".encode() * 1000
    decoded = decode_frame(Cut(5 << 20, head, True))
    assert decoded == Rejected(
        QuarantineReason.OVERSIZED, f"frame of {5 << 20} bytes exceeds the 1048576 byte limit", 41
    )
    assert keep_raw(Cut(5 << 20, head, True)).startswith('{"type":"event","seq":41')
    assert frame_size(Cut(5 << 20, head, True)) == 5 << 20
    binary = decode_frame(Cut(2 << 20, b"\x00" * 10, False))
    assert isinstance(binary, Rejected)
    assert binary.reason is QuarantineReason.BINARY_FRAME


def json_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(json_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(json_depth, value), default=0)
    return 0


nasty_text = st.text(alphabet='[]{}"\\,:a洪', max_size=8)
nasty_values = st.recursive(
    st.none() | st.integers() | nasty_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    nasty_values,
    st.lists(st.booleans(), max_size=8)
    | st.integers(MAX_DEPTH - 8, MAX_DEPTH + 1).flatmap(
        lambda n: st.lists(st.booleans(), min_size=n, max_size=n)
    ),
    st.booleans(),
)
def test_nesting_is_counted_exactly_whatever_the_strings_hold(
    value: Any, wrappers: list[bool], ascii_only: bool
) -> None:
    for as_list in wrappers:
        value = [value] if as_list else {"[{\\": value}
    text = json.dumps({"type": "event", "seq": 3, "event": event(), "x": value}, ensure_ascii=ascii_only)
    decoded = decode_frame(text)

    too_deep = isinstance(decoded, Rejected) and decoded.reason is QuarantineReason.TOO_DEEP
    assert too_deep == (1 + json_depth(value) > MAX_DEPTH)
    assert too_deep or isinstance(decoded, DecodedEvent)
