"""Hostile frames through the real intake into a real store: nesting, numbers and times that cost a row."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.casework.policy import TimeWindow
from dispatch.feed.bounds import SQL_INT_MAX
from dispatch.feed.intake import Intake
from dispatch.feed.protocol import MAX_DEPTH
from dispatch.feed.values import QuarantineReason
from dispatch.store.writer import StoreWriter
from tests.dispatch.cap_samples import cap_xml

R = QuarantineReason
FEED = "ws://127.0.0.1:1/feed"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WINDOW = TimeWindow()
CAP_SAMPLE_TIME = datetime(2025, 7, 1, 3, 0, tzinfo=UTC)  # a few hours after the CAP sample was sent


@dataclass(frozen=True)
class Sent:
    """One frame and what the store must show for it."""

    text: str
    stored_id: str | None = None  # the event that must be stored exactly once
    reasons: frozenset[QuarantineReason] = frozenset()  # one quarantine row with one of these reasons
    seq: int | None = None  # the position it moves the cursor to


@dataclass
class Outcome:
    ids: dict[str, int] = field(default_factory=dict)
    quarantine: list[tuple[str, int | None, str]] = field(default_factory=list)
    cursor: int | None = None


def run(tmp: Path, frames: list[Sent], clock: datetime = NOW) -> Outcome:
    db = tmp / "store.sqlite3"
    writer = StoreWriter(db, FEED, lambda _result: None)
    intake = Intake(writer.submit, ManualClock(clock.timestamp()), writer.initial_cursor, WINDOW)
    for sent in frames:
        intake.handle_frame(sent.text)
    assert writer.flush(30)
    writer.close()
    assert writer.failure is None
    # The cursor can be read back by the next start: nothing stored can stop a restart.
    again = StoreWriter(db, FEED, lambda _result: None)
    again.close()
    with sqlite3.connect(db) as conn:
        outcome = Outcome(
            ids=dict(conn.execute("SELECT event_id, count(*) FROM events GROUP BY event_id").fetchall()),
            quarantine=conn.execute("SELECT reason, seq, detail FROM quarantine ORDER BY rowid").fetchall(),
            cursor=again.initial_cursor,
        )
    conn.close()
    return outcome


def check(outcome: Outcome, frames: list[Sent]) -> None:
    assert outcome.ids == {sent.stored_id: 1 for sent in frames if sent.stored_id}
    expected = [sent for sent in frames if sent.reasons]
    assert len(outcome.quarantine) == len(expected)
    for (reason, seq, detail), sent in zip(outcome.quarantine, expected, strict=True):
        assert R(reason) in sent.reasons, (detail, sent.text[:300])
        assert seq == sent.seq
    seqs = [sent.seq for sent in frames if sent.seq is not None]
    assert outcome.cursor == (max(seqs) if seqs else None)
    assert outcome.cursor is None or 0 <= outcome.cursor <= SQL_INT_MAX


# --- frames ------------------------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.isoformat()


def event_body(n: int, occurred_at: str, extra: str = "") -> str:
    body = json.dumps(
        {"id": f"ev-{n}", "source": "iot", "category": "waterlogging", "title": "解放路积水", "severity": 3,
         "occurred_at": occurred_at, "location": {"lon": 120.16, "lat": 30.27}},
        ensure_ascii=False,
    )  # fmt: skip
    return body[:-1] + extra + "}"


def event_frame(seq: str, body: str, junk: str = "") -> str:
    return '{"type":"event","seq":' + seq + ',"event":' + body + junk + "}"


def nest(depth: int, seed: int) -> str:
    """A JSON value nested `depth` levels, arrays and objects mixed."""
    shapes = random.Random(seed).choices(("[", '{"k":'), k=depth)
    return "".join(shapes) + "1" + "".join("]" if s == "[" else "}" for s in reversed(shapes))


offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
in_window = st.builds(
    lambda s, tz: datetime.fromtimestamp(NOW.timestamp() + s, tz),
    st.floats(-WINDOW.back_s + 60, WINDOW.ahead_s - 60),
    offsets,
)


def _outside(year: int, day: int, tz: timezone) -> datetime:
    return datetime(year, 1, 1, tzinfo=tz) + timedelta(days=day)


# Anywhere from year 1 to 9999, at any offset (year 1 at +23:59 lies before year 1 in UTC), not in the window.
out_of_window = st.builds(_outside, st.integers(1, 9998), st.integers(0, 364), offsets).filter(
    lambda m: not NOW - timedelta(seconds=WINDOW.back_s) <= m <= NOW + timedelta(seconds=WINDOW.ahead_s)
)
bad_seqs = st.one_of(
    st.integers(max_value=-1).map(str),
    st.integers(min_value=SQL_INT_MAX + 1).map(str),
    st.integers(0, 10**6).map(lambda n: f'"{n}"'),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: repr(float(f))),
    st.sampled_from(["true", "null", "[]", '{"n":1}']),
)
shallow = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def frames(draw: st.DrawFn) -> list[Sent]:
    out: list[Sent] = []
    for n in range(1, draw(st.integers(1, 14)) + 1):
        kind = draw(
            st.sampled_from(["valid", "deep", "deep_bad_seq", "bad_seq", "bad_time", "metric_time", "head"])
        )
        seq = str(n)
        if kind == "valid":
            extra = ',"vendor":' + json.dumps(draw(shallow)) if draw(st.booleans()) else ""
            out.append(
                Sent(
                    event_frame(seq, event_body(n, stamp(draw(in_window)), extra)), stored_id=f"ev-{n}", seq=n
                )
            )
        elif kind in ("deep", "deep_bad_seq"):
            deep = nest(draw(st.integers(MAX_DEPTH + 1, 4000)), draw(st.integers(0, 2**32)))
            where = draw(st.sampled_from(["top", "event", "location", "seq"]))
            seq = draw(bad_seqs) if kind == "deep_bad_seq" else seq
            if where == "seq":
                seq = deep
            body = event_body(n, stamp(draw(in_window)), ',"vendor":' + deep if where == "event" else "")
            if where == "location":
                body = body.replace('"lat": 30.27', '"lat": 30.27, "shape": ' + deep)
            text = event_frame(seq, body, ',"junk":' + deep if where == "top" else "")
            out.append(Sent(text, reasons=frozenset({R.TOO_DEEP}), seq=n if seq == str(n) else None))
        elif kind == "bad_seq":
            text = event_frame(draw(bad_seqs), event_body(n, stamp(draw(in_window))))
            out.append(Sent(text, reasons=frozenset({R.INVALID_FIELDS})))
        elif kind == "bad_time":
            text = event_frame(seq, event_body(n, stamp(draw(out_of_window))))
            out.append(Sent(text, reasons=frozenset({R.BAD_TIME}), seq=n))
        elif kind == "metric_time":
            metric = {"name": "aqi", "value": 48, "at": stamp(draw(out_of_window))}
            text = json.dumps({"type": "metric", "seq": n, "metric": metric})
            out.append(Sent(text, reasons=frozenset({R.BAD_TIME}), seq=n))
        else:
            head = draw(bad_seqs)
            text = draw(st.sampled_from([
                '{"type":"reset","head":' + head + ',"reason":"restart"}',
                '{"type":"heartbeat","head":' + head + ',"at":"2026-12-07T08:00:00Z"}',
            ]))  # fmt: skip
            out.append(Sent(text, reasons=frozenset({R.INVALID_FIELDS})))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames())
def test_hostile_frames_cost_one_quarantine_row_each_and_valid_events_are_stored_once(
    tmp_path_factory: Any, sent: list[Sent]
) -> None:
    check(run(tmp_path_factory.mktemp("wire"), sent), sent)


def test_deep_nesting_inside_a_frame_with_a_string_seq_is_quarantined_not_raised(tmp_path: Path) -> None:
    # The frame of the incident: it fails validation (seq is text) and hides 50,000 levels of nesting.
    deep = "[" * 50_000 + "]" * 50_000
    sent = [
        Sent(event_frame('"7"', event_body(1, stamp(NOW), ',"x":' + deep)), reasons=frozenset({R.TOO_DEEP})),
        Sent(event_frame("8", event_body(2, stamp(NOW))), stored_id="ev-2", seq=8),
    ]
    outcome = run(tmp_path, sent)
    check(outcome, sent)
    assert "nested deeper than 64" in outcome.quarantine[0][2]


def test_seq_and_head_beyond_sqlite_are_refused_and_the_feed_moves_on(tmp_path: Path) -> None:
    sent = [
        Sent(event_frame(str(2**63), event_body(1, stamp(NOW))), reasons=frozenset({R.INVALID_FIELDS})),
        Sent(
            '{"type":"reset","head":' + str(2**64) + ',"reason":"r"}', reasons=frozenset({R.INVALID_FIELDS})
        ),
        Sent('{"type":"reset","head":-1,"reason":"r"}', reasons=frozenset({R.INVALID_FIELDS})),
        Sent(
            event_frame(str(SQL_INT_MAX - 1), event_body(2, stamp(NOW))),
            stored_id="ev-2",
            seq=SQL_INT_MAX - 1,
        ),
        Sent(event_frame(str(SQL_INT_MAX), event_body(3, stamp(NOW))), stored_id="ev-3", seq=SQL_INT_MAX),
    ]
    outcome = run(tmp_path, sent)
    check(outcome, sent)
    assert "<= 9223372036854775807" in outcome.quarantine[0][2]
    assert "$.seq" in outcome.quarantine[0][2]


def test_a_frame_that_trips_a_defect_costs_that_frame_only(tmp_path: Path, monkeypatch: Any) -> None:
    def broken(_alert: object) -> None:
        raise KeyError("a defect in the CAP mapping")

    monkeypatch.setattr("dispatch.feed.intake.cap_to_event", broken)
    cap = json.dumps({"type": "cap", "seq": 5, "xml": cap_xml()})
    sent = [
        Sent(cap, reasons=frozenset({R.INVALID_FIELDS}), seq=5),
        Sent(event_frame("6", event_body(6, stamp(CAP_SAMPLE_TIME))), stored_id="ev-6", seq=6),
    ]
    outcome = run(tmp_path, sent, clock=CAP_SAMPLE_TIME)
    check(outcome, sent)
    assert "intake failed on this frame: KeyError" in outcome.quarantine[0][2]


@dataclass(frozen=True)
class Cut:
    """A message the transport cut off at the size limit, as it hands it on."""

    size: int
    head: bytes
    text: bool


def test_a_cut_message_announcing_an_absurd_size_is_stored_with_a_bounded_size(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    writer = StoreWriter(db, FEED, lambda _result: None)
    intake = Intake(writer.submit, ManualClock(NOW.timestamp()), None, WINDOW)
    intake.handle_frame(Cut(2**64 - 1, b'{"type":"event","seq":3,"event":{"id":"big"', True))
    intake.handle_frame(event_frame("4", event_body(4, stamp(NOW))))
    assert writer.flush(30)
    writer.close()
    assert writer.failure is None
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT reason, seq, raw_size FROM quarantine").fetchall()
        stored = conn.execute("SELECT event_id FROM events").fetchall()
    conn.close()
    assert rows == [("oversized", 3, SQL_INT_MAX)]
    assert stored == [("ev-4",)]
