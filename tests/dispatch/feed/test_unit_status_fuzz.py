"""Generated unit_status streams, valid and hostile mixed, through the real intake into a real store: every
bad position costs one quarantine row, the stream goes on, and the store holds exactly the newest fix per
unit and the bounded track the protocol promises, whatever the order the fixes came in."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.atlas.datum import gcj02_to_wgs84
from dispatch.casework.policy import TimeWindow
from dispatch.casework.records.unit_positions import latest_positions, unit_track
from dispatch.feed.bounds import SQL_INT_MAX
from dispatch.feed.intake import Intake
from dispatch.feed.positions_wire import FIX_AHEAD_S, PositionFix, PositionRules
from dispatch.feed.values import QuarantineReason
from dispatch.store.database import open_store
from dispatch.store.positions import TRACK_KEEP, TRACK_SPAN_S, store_positions
from dispatch.store.writer import StoreWriter

R = QuarantineReason
FEED = "ws://127.0.0.1:1/feed"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
UNITS = ("U-1", "U-2", "U-3")
BOX = (120.0, 30.0, 120.3, 30.4)
RULES = PositionRules(frozenset(UNITS), BOX)
CITY = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Sent:
    """One status body (or a broken frame) and what it must lead to."""

    body: dict[str, Any] | None
    reasons: frozenset[QuarantineReason] = frozenset()  # empty: applied
    seq_readable: bool = True
    raw: str | None = None  # a frame that is not built from `body`


def valid_body(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "unit": draw(st.sampled_from(UNITS)),
        "lon": draw(st.floats(BOX[0] + 0.01, BOX[2] - 0.01)),
        "lat": draw(st.floats(BOX[1] + 0.01, BOX[3] - 0.01)),
        "status": draw(st.sampled_from(["available", "en_route", "on_scene", "off_duty"])),
        # Whole seconds over the last three hours (a fix more than 2 h older than a unit's newest is pruned).
        "at": (NOW - timedelta(seconds=draw(st.integers(0, 3 * 3600))))
        .astimezone(draw(st.sampled_from([UTC, CITY])))
        .isoformat(),
    }
    if draw(st.booleans()):
        body["heading"] = draw(st.one_of(st.none(), st.floats(0, 360)))
    if draw(st.booleans()):
        body["speed_kmh"] = draw(st.one_of(st.none(), st.floats(0, 500)))
    if draw(st.booleans()):
        body["datum"] = draw(st.sampled_from(["wgs84", "gcj02"]))
    if draw(st.booleans()):
        body["vendor_extra"] = {"battery": draw(st.integers(0, 100))}  # unknown fields are tolerated
    return body


# Hostile changes to a valid body: (field, value, reason).
HOSTILE: list[tuple[str, object, QuarantineReason]] = [
    ("lon", 180.5, R.INVALID_FIELDS),
    ("lon", -1e308, R.INVALID_FIELDS),
    ("lat", 90.01, R.INVALID_FIELDS),
    ("lat", 10**40, R.INVALID_FIELDS),
    ("lon", "120.1", R.INVALID_FIELDS),
    ("lon", None, R.INVALID_FIELDS),
    ("lon", 0.0, R.INVALID_FIELDS),  # valid on Earth, far outside the city
    ("lat", 45.0, R.INVALID_FIELDS),
    ("heading", 360.5, R.INVALID_FIELDS),
    ("heading", -1, R.INVALID_FIELDS),
    ("speed_kmh", -0.5, R.INVALID_FIELDS),
    ("speed_kmh", 1e9, R.INVALID_FIELDS),
    ("status", "patrolling", R.INVALID_FIELDS),
    ("datum", "bd09", R.INVALID_FIELDS),
    ("unit", "U-UNKNOWN", R.INVALID_FIELDS),
    ("unit", "", R.INVALID_FIELDS),
    ("unit", "U" * 129, R.INVALID_FIELDS),
    ("unit", 7, R.INVALID_FIELDS),
    ("at", "2026-12-07T08:00:00", R.INVALID_FIELDS),  # no offset
    ("at", "2026-02-30T08:00:00Z", R.INVALID_FIELDS),
    ("at", "0001-01-01T00:00:00+08:00", R.BAD_TIME),
    ("at", "9999-12-31T23:59:59-23:59", R.BAD_TIME),
    ("at", (NOW + timedelta(seconds=FIX_AHEAD_S + 60)).isoformat(), R.BAD_TIME),
    ("at", None, R.INVALID_FIELDS),
]


@st.composite
def sent_frames(draw: st.DrawFn) -> Sent:
    body = valid_body(draw)
    kind = draw(
        st.sampled_from(["valid", "valid", "valid", "hostile", "missing", "seq", "text", "not_object"])
    )
    if kind == "valid":
        return Sent(body)
    if kind == "hostile":
        name, value, reason = draw(st.sampled_from(HOSTILE))
        return Sent({**body, name: value}, frozenset({reason}))
    if kind == "missing":
        name = draw(st.sampled_from(["unit", "lon", "lat", "status", "at"]))
        return Sent({k: v for k, v in body.items() if k != name}, frozenset({R.INVALID_FIELDS}))
    if kind == "seq":
        return Sent(body, frozenset({R.INVALID_FIELDS}), seq_readable=False)
    if kind == "text":
        return Sent(None, frozenset({R.NOT_JSON}), seq_readable=False, raw='{"type":"unit_status","seq":')
    return Sent(None, frozenset({R.INVALID_FIELDS}), raw='{"type":"unit_status","seq":SEQ,"status":[1,2]}')


def frame(sent: Sent, seq: int, bad_seq: object) -> str:
    if sent.raw is not None:
        return sent.raw.replace("SEQ", str(seq))
    return json.dumps(
        {"type": "unit_status", "seq": seq if sent.seq_readable else bad_seq, "status": sent.body}
    )


def expected_store(
    frames: list[Sent],
) -> tuple[dict[str, tuple[float, float, float]], dict[str, list[float]]]:
    """The protocol's rules by hand: the newest fix per unit (a time's first copy wins), the track's times."""
    latest: dict[str, tuple[float, float, float]] = {}
    track: dict[str, dict[float, bool]] = {}
    for sent in frames:
        if sent.reasons or sent.body is None:
            continue
        body = sent.body
        at = datetime.fromisoformat(body["at"]).timestamp()
        lon, lat = body["lon"], body["lat"]
        if body.get("datum") == "gcj02":
            lon, lat = gcj02_to_wgs84(lon, lat)
        unit = body["unit"]
        if unit not in latest or at > latest[unit][2]:
            latest[unit] = (lon, lat, at)
        track.setdefault(unit, {}).setdefault(at, True)
    kept = {
        unit: sorted(at for at in times if at >= latest[unit][2] - TRACK_SPAN_S)[-TRACK_KEEP:]
        for unit, times in track.items()
    }
    return latest, kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    frames=st.lists(sent_frames(), min_size=1, max_size=40),
    bad_seq=st.sampled_from([-1, SQL_INT_MAX + 1, "7", 1.5, None, True]),
    commits=st.sets(st.integers(1, 40), max_size=8),
)
def test_every_bad_position_costs_one_row_and_the_store_keeps_the_newest_fix(
    tmp_path_factory: Any, frames: list[Sent], bad_seq: object, commits: set[int]
) -> None:
    db = Path(tmp_path_factory.mktemp("avl")) / "store.sqlite3"
    writer = StoreWriter(db, FEED, lambda _result: None)
    intake = Intake(writer.submit, ManualClock(NOW.timestamp()), writer.initial_cursor, TimeWindow(), RULES)
    seqs: list[int | None] = []
    for n, sent in enumerate(frames, start=1):
        intake.handle_frame(frame(sent, n, bad_seq))
        seqs.append(n if sent.seq_readable else None)
        if n in commits:  # the writer commits in batches of whatever has arrived: split them here and there
            assert writer.flush(30)
    assert writer.flush(30)
    writer.close()
    assert writer.failure is None
    with sqlite3.connect(db) as conn:
        quarantine = conn.execute("SELECT reason, seq, detail FROM quarantine ORDER BY id").fetchall()
        stored = {fix.unit_id: fix for fix in latest_positions(conn)}
        tracks = {unit: unit_track(conn, unit, 1000) for unit in UNITS}
        cursor = conn.execute("SELECT max(last_seq) FROM feed_state").fetchone()[0]
    conn.close()
    expected = [(sent, seq) for sent, seq in zip(frames, seqs, strict=True) if sent.reasons]
    assert len(quarantine) == len(expected)
    for (reason, seq, detail), (sent, sent_seq) in zip(quarantine, expected, strict=True):
        assert R(reason) in sent.reasons, (detail, sent.body)
        assert seq == sent_seq
    readable = [seq for seq in seqs if seq is not None]
    assert cursor == (max(readable) if readable else None), "a readable seq always moves the cursor"
    latest, kept = expected_store(frames)
    assert set(stored) == set(latest)
    for unit, (lon, lat, at) in latest.items():
        fix = stored[unit]
        assert fix.at == at
        assert (round(fix.lon, 9), round(fix.lat, 9)) == (round(lon, 9), round(lat, 9))
        assert [point[2] for point in tracks[unit]] == kept[unit]
        assert tracks[unit][-1] == (fix.lon, fix.lat, fix.at), "the track ends at the latest position"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # A fix every `spacing` seconds, `count` of them (past the cap, past the span), and some stragglers.
    count=st.integers(1, 700),
    spacing=st.integers(1, 30),
    extra=st.lists(st.integers(0, 4 * 3600), max_size=30),
    cuts=st.sets(st.integers(1, 730), max_size=10),
    order=st.randoms(use_true_random=False),
)
def test_the_track_keeps_the_newest_fixes_within_its_span_whatever_order_and_batches_they_come_in(
    tmp_path_factory: Any, count: int, spacing: int, extra: list[int], cuts: set[int], order: Any
) -> None:
    times = [n * spacing for n in range(count)] + extra
    fixes = [
        PositionFix(n, "U-1", 120.1, 30.2, None, None, "en_route", float(at), 0.0)
        for n, at in enumerate(times)
    ]
    order.shuffle(fixes)
    db = open_store(Path(tmp_path_factory.mktemp("track")) / "store.sqlite3")
    try:
        batch: list[PositionFix] = []
        for n, fix in enumerate(fixes, start=1):
            batch.append(fix)
            if n in cuts or n == len(fixes):
                db.conn.execute("BEGIN")
                store_positions(db.conn, batch)
                db.conn.execute("COMMIT")
                batch = []
        kept = [at for _, _, at in unit_track(db.conn, "U-1", 10_000)]
        (latest,) = latest_positions(db.conn)
    finally:
        db.close()
    newest = max(times)
    assert latest.at == newest
    assert kept == sorted(at for at in set(map(float, times)) if at >= newest - TRACK_SPAN_S)[-TRACK_KEEP:]
