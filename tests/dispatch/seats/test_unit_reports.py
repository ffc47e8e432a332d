"""Units' reports through the log: the same report from any seat's feed moves its case once on every seat;
a seat sends an order until its unit answers; a seat's feed store is read for reports in arrival order."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest

from dispatch.casework.model import Action, CaseState, Refusal
from dispatch.casework.records import episodes
from dispatch.casework.records.orders import unanswered_orders
from dispatch.casework.records.warning_areas import warning_areas
from dispatch.seats.entries import ReadingsEntry, pack_readings
from dispatch.seats.report_tail import AGAIN_S, EventSignals, Signals, UnitReportTail
from dispatch.seats.verify import differences
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.seating import START, WAIT, act, case_on, event, open_seat, scalar

pytestmark = pytest.mark.slow


def report(order_id: str, action: str = "sign", minute: int = 5) -> dict[str, object]:
    at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(START + minute * 60))
    return {"order_id": order_id, "unit": "U-1", "action": action, "at": at, "note": "已到场"}


def test_a_units_report_moves_its_case_once_on_every_seat(hub: str, tmp_path: Path) -> None:
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    try:
        (case_id,) = a.publish_event(event("e1")).result(WAIT).opened
        act(a, case_id, Action.REGISTER, LEAD)
        act(a, case_id, Action.DISPATCH, DISPATCHER, unit="U-1")
        b.caught_up().result(WAIT)
        (order,) = b.query(lambda ctx: unanswered_orders(ctx.desk.conn)).result(WAIT)
        sign = json.dumps(report(order.order_id), ensure_ascii=False)
        applied = b.publish_report("feed-b", sign).result(WAIT).applied
        assert applied is not None
        assert (applied.case.state, applied.audit.actor) == (CaseState.SIGNED, "U-1")
        # The same frame from a's feed: one entry (its id is its bytes). The same report written
        # otherwise (another platform's key order): a second entry that changes nothing.
        assert a.publish_report("feed-a", sign).result(WAIT).duplicate
        reordered = json.dumps(dict(reversed(list(report(order.order_id).items()))), ensure_ascii=False)
        again = a.publish_report("feed-a", reordered).result(WAIT)
        assert (again.applied, again.refused) == (None, None)
        # A body that is no report is refused alike everywhere, and the log goes on.
        bad = a.publish_report("feed-a", '{"order_id": 5}').result(WAIT)
        assert bad.refused is not None
        assert bad.refused.code is Refusal.BAD_PAYLOAD
        handled = b.publish_report("feed-b", json.dumps(report(order.order_id, "handled", 30))).result(WAIT)
        assert handled.applied is not None
        a.caught_up().result(WAIT)
        assert case_on(a, case_id).state is CaseState.HANDLED
        assert scalar(a, "SELECT count(*) FROM unit_reports") == 2
        # Answered: no seat sends the order any more.
        assert a.query(lambda ctx: unanswered_orders(ctx.desk.conn)).result(WAIT) == []
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def test_the_tail_reads_a_feed_stores_reports_in_order_once(tmp_path: Path) -> None:
    path = tmp_path / "seat.feed.sqlite3"
    db = open_store(path)
    now = time.time()
    try:
        rows = [("feed", 1, '{"old": 1}', now - AGAIN_S - 60), ("feed", 2, '{"recent": 2}', now - 60)]
        db.conn.executemany("INSERT INTO report_inbox (feed, seq, body, received_at) VALUES (?,?,?,?)", rows)
        tail = UnitReportTail(path, now=now)
        # At start: again what came within the hour (it may not have reached the log before a stop).
        assert tail.new() == [("feed", '{"recent": 2}')]
        assert tail.new() == []
        db.conn.execute(
            "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES (?,?,?,?)", ("feed", 3, "{}", now)
        )
        assert tail.new() == [("feed", "{}")]
        tail.close()
    finally:
        db.close()
    assert UnitReportTail(tmp_path / "missing.sqlite3").new() == []  # no feed store yet: nothing yet


def test_vital_sign_readings_reach_every_replica_once(hub: str, tmp_path: Path) -> None:
    """A wall follows a replica: the city's vital signs must be in it, once however many seats saw them."""
    a, wall = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "wall")
    try:
        labels = {"district": "江岸区"}

        def reading(value: float, taken_at: float) -> ReadingsEntry:
            (entry,) = pack_readings([("water_level", value, taken_at, "m", labels)], "a", START)[0]
            return entry

        assert a.publish_readings(reading(3.42, START)).result(WAIT).refused is None
        assert a.publish_readings(reading(3.42, START)).result(WAIT).duplicate  # another seat's feed
        assert a.publish_readings(reading(3.55, START + 60)).result(WAIT).refused is None
        packed, problems = pack_readings([("water_level", math.nan, START, "m", {})], "a", START)
        assert packed == []  # no number is no reading: said, never published
        assert len(problems) == 1
        wall.caught_up().result(WAIT)
        rows = wall.query(
            lambda ctx: ctx.desk.conn.execute(
                "SELECT name, value, unit, at, labels FROM metrics ORDER BY at"
            ).fetchall()
        ).result(WAIT)
        assert rows == [
            ("water_level", 3.42, "m", START, '{"district":"江岸区"}'),
            ("water_level", 3.55, "m", START + 60, '{"district":"江岸区"}'),
        ]
    finally:
        a.close()
        wall.close()


def test_a_devices_alarms_make_one_case_and_its_all_clear_proposes_clearing_on_every_seat(
    hub: str, tmp_path: Path
) -> None:
    """Seats group a device's alarms and propose 自动消警 as one console does: the device and its all-clear
    travel with the report."""
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    try:
        sensor = {"source": "iot", "category": "water_level", "device": "JG-1"}
        (case_id,) = a.publish_event(event("s1", **sensor)).result(WAIT).opened
        # Elsewhere on the same road, the same gauge again: its case, not a new one.
        assert a.publish_event(event("s2", START + 60, lon=114.31, **sensor)).result(WAIT).opened == ()
        a.publish_event(event("s3", START + 120, cleared=True, **sensor)).result(WAIT)
        b.caught_up().result(WAIT)
        assert scalar(b, "SELECT count(*) FROM cases") == 1
        proposed = b.query(
            lambda ctx: episodes.clearing_proposed(ctx.desk.conn, ctx.desk.get(case_id))
        ).result(WAIT)
        assert proposed, "the gauge's all-clear proposes 自动消警 on every seat"
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def test_the_feed_stores_device_and_all_clear_are_read_many_at_once(tmp_path: Path) -> None:
    path = tmp_path / "seat.feed.sqlite3"
    db = open_store(path)
    try:
        rows = [
            ("iot", "g1", 1, '{"device": "JG-1", "cleared": false}'),
            ("iot", "g2", 1, '{"device": "JG-1", "cleared": true}'),
            ("hotline", "h1", 1, '{"title": "积水"}'),
            ("iot", "g3", 1, '{"device": ""}'),
            ("cap", "w1", 1, '{"cap": {"expires": "2026-12-08T08:00:00+08:00", "areas": []}}'),
        ]
        db.conn.executemany(
            "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, category, "
            "severity, title, payload) VALUES (?, ?, ?, 'city', 1, 0, 0, 'water_level', 3, 't', ?)",
            rows,
        )
        signals = EventSignals(path)
        keys = [(source, event_id, revision) for source, event_id, revision, _ in rows] + [("iot", "none", 1)]
        assert signals.of(keys) == {
            ("iot", "g1", 1): Signals("JG-1", False),
            ("iot", "g2", 1): Signals("JG-1", True),
            ("cap", "w1", 1): Signals(cap={"expires": "2026-12-08T08:00:00+08:00", "areas": []}),
        }
        signals.close()
    finally:
        db.close()
    assert EventSignals(tmp_path / "missing.sqlite3").of([("iot", "g1", 1)]) == {}


def test_a_cap_warnings_area_and_expiry_reach_every_seats_map(hub: str, tmp_path: Path) -> None:
    """The map's warning areas and the wall's warnings read a warning's CAP part: on a seat it comes
    through the log with the report."""
    a, b = open_seat(hub, tmp_path, "a"), open_seat(hub, tmp_path, "b")
    ring = [[114.30, 30.58], [114.32, 30.58], [114.32, 30.60], [114.30, 30.58]]
    expires = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(START + 3 * 3600))
    cap = {"expires": expires, "area_desc": "江岸区", "areas": [{"polygons": [ring]}]}
    try:
        warning = event("w1", source="cap", category="rainstorm", severity=2, cap=cap)
        assert a.publish_event(warning).result(WAIT).refused is None
        b.caught_up().result(WAIT)
        areas = b.query(lambda ctx: warning_areas(ctx.desk.conn, START + 60)).result(WAIT)
        assert [(w.event_id, w.area, len(w.rings)) for w in areas] == [("w1", "江岸区", 1)]
        # Over at its own expiry, not a day after it arrived.
        assert b.query(lambda ctx: warning_areas(ctx.desk.conn, START + 4 * 3600)).result(WAIT) == ()
    finally:
        a.close()
        b.close()
