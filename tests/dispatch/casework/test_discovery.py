"""Discovery: stored events become cases exactly once; exercise data never reaches a real store's cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, CaseState, Role
from dispatch.casework.records import audit, orders
from dispatch.feed.intake import Intake
from dispatch.store.write_items import CommitResult
from dispatch.store.writer import StoreWriter
from tests.dispatch.cap_samples import SENDER, cap_xml
from tests.dispatch.casework.policies import LAT, LEAD, LON, MONDAY_9, Loop, act, open_loop, put_event

S = CaseState


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def case_count(loop: Loop) -> int:
    return int(loop.conn.execute("SELECT count(*) FROM cases").fetchone()[0])


def test_each_event_opens_one_case_once_even_across_restarts(loop: Loop) -> None:
    for i in range(3):
        put_event(loop.conn, f"e{i}", at=MONDAY_9, lon=LON + i * 0.01)
    first = loop.discovery.run_once()
    assert len(first.opened) == 3
    assert loop.discovery.run_once().opened == []
    loop.close()

    again = open_loop(loop.path, loop.clock)
    assert again.discovery.run_once().opened == []
    assert case_count(again) == 3
    put_event(again.conn, "e9", at=MONDAY_9, lon=LON + 0.5)
    assert [c.title for c in again.discovery.run_once().opened] == ["人民路井盖缺失"]
    links = again.conn.execute("SELECT event_id FROM case_events ORDER BY case_id").fetchall()
    assert links == [("e0",), ("e1",), ("e2",), ("e9",)]
    rows = audit.timeline(again.conn, [1])
    assert [(r.action, r.actor, r.role, r.payload) for r in rows] == [
        (Action.DISCOVER, "system", Role.SYSTEM, {"source": "grid", "event_id": "e0", "revision": 1})
    ]
    again.close()


def test_a_batch_limit_leaves_the_rest_for_the_next_pass(loop: Loop) -> None:
    for i in range(5):
        put_event(loop.conn, f"e{i}", at=MONDAY_9, lon=LON + i * 0.01)
    assert len(loop.discovery.run_once(limit=2).opened) == 2
    assert len(loop.discovery.run_once(limit=2).opened) == 2
    assert len(loop.discovery.run_once(limit=2).opened) == 1
    assert case_count(loop) == 5


def test_a_revision_links_to_its_case_instead_of_opening_another(loop: Loop) -> None:
    put_event(loop.conn, "e1", at=MONDAY_9)
    (case,) = loop.discovery.run_once().opened
    newer = put_event(loop.conn, "e1", at=MONDAY_9, revision=2, title="人民路井盖缺失（已设警示）")
    result = loop.discovery.run_once()
    assert (result.opened, result.linked) == ([], 1)
    assert loop.conn.execute("SELECT case_id, event_row FROM case_events").fetchall() == [(case.id, newer)]
    # A cancellation of a reported event is linked too: the case stays for an officer to close.
    put_event(loop.conn, "e1", at=MONDAY_9, revision=3, cancelled=True)
    assert loop.discovery.run_once().linked == 1
    assert loop.desk.get(case.id).state is S.DISCOVERED
    updates = [r for r in audit.timeline(loop.conn, [case.id]) if r.action is Action.SOURCE_UPDATE]
    assert [(r.actor, r.payload["revision"], r.payload["cancelled"]) for r in updates] == [
        ("system", 2, False),
        ("system", 3, True),
    ]
    assert updates[0].payload["title"] == "人民路井盖缺失（已设警示）"


def test_a_source_escalation_raises_the_case_and_rings_the_severe_alert_again(loop: Loop) -> None:
    put_event(loop.conn, "gauge-7", at=MONDAY_9, severity=3)
    (case,) = loop.discovery.run_once().opened
    put_event(loop.conn, "gauge-7", at=MONDAY_9, revision=2, severity=1)
    loop.discovery.run_once()
    escalated = loop.desk.get(case.id)
    assert (escalated.severity, escalated.acknowledged) == (1, False)
    act(loop, case.id, Action.ACKNOWLEDGE, LEAD)
    # The water falls back: the case keeps the level it reached, the revision is on the timeline.
    put_event(loop.conn, "gauge-7", at=MONDAY_9, revision=3, severity=4)
    loop.discovery.run_once()
    after = loop.desk.get(case.id)
    assert (after.severity, after.acknowledged) == (1, True)
    last = audit.last_change(loop.conn, case.id)
    assert last is not None
    assert (last.action, last.payload["severity"], last.payload["from_severity"]) == (
        Action.SOURCE_UPDATE,
        4,
        1,
    )
    assert audit.verify(loop.conn).ok


def test_a_revision_of_a_finished_case_only_moves_its_event_link(loop: Loop) -> None:
    put_event(loop.conn, "e1", at=MONDAY_9)
    (case,) = loop.discovery.run_once().opened
    act(loop, case.id, Action.VOID, LEAD, "误报")
    rows = len(audit.timeline(loop.conn, [case.id]))
    newer = put_event(loop.conn, "e1", at=MONDAY_9, revision=2, severity=1)
    assert loop.discovery.run_once().linked == 1
    assert len(audit.timeline(loop.conn, [case.id])) == rows
    assert loop.conn.execute("SELECT event_row FROM case_events").fetchall() == [(newer,)]


def test_a_cancelled_event_never_opens_a_case(loop: Loop) -> None:
    put_event(loop.conn, "e1", at=MONDAY_9, cancelled=True)
    assert loop.discovery.run_once().opened == []
    assert case_count(loop) == 0


def test_exercise_events_never_open_cases_in_a_real_store(loop: Loop) -> None:
    put_event(loop.conn, "drill-1", at=MONDAY_9, exercise=True)
    put_event(loop.conn, "real-1", at=MONDAY_9, lon=LON + 0.1)
    result = loop.discovery.run_once()
    assert (len(result.opened), result.skipped_exercise) == (1, 1)
    assert loop.conn.execute("SELECT count(*) FROM cases WHERE exercise = 1").fetchone() == (0,)
    assert loop.conn.execute("SELECT count(*) FROM audit WHERE exercise = 1").fetchone() == (0,)


def test_an_exercise_store_opens_only_exercise_cases(tmp_path: Path) -> None:
    drill = open_loop(tmp_path / "drill.sqlite3", exercise_store=True)
    put_event(drill.conn, "drill-1", at=MONDAY_9, exercise=True, category="garbage_overflow")
    put_event(drill.conn, "real-1", at=MONDAY_9, lon=LON + 0.1)
    result = drill.discovery.run_once()
    assert [c.exercise for c in result.opened] == [True]
    assert result.skipped_exercise == 1
    # Its auto-dispatched order is marked as a drill for the units too.
    (order,) = orders.pending_orders(drill.conn)
    assert json.loads(order.body)["exercise"] is True
    assert drill.conn.execute("SELECT count(*) FROM audit WHERE exercise = 0").fetchone() == (0,)
    drill.close()


def ingest(path: Path, frames: list[str]) -> None:
    """Put frames through the real intake and store writer, as the feed pipeline does."""
    results: list[CommitResult] = []
    writer = StoreWriter(path, "ws://127.0.0.1:1/feed", results.append)
    intake = Intake(writer.submit, ManualClock(MONDAY_9), None)
    for frame in frames:
        intake.handle_frame(frame)
    assert writer.flush(10)
    writer.close()


def cap_frame(seq: int, identifier: str, status: str) -> str:
    xml = cap_xml(alert={"identifier": identifier, "status": status})
    return json.dumps({"type": "cap", "seq": seq, "xml": xml})


def event_frame(seq: int, event_id: str, **fields: object) -> str:
    body = {"id": event_id, "source": "iot", "category": "water_level", "title": "水位超警", "severity": 2,
            "occurred_at": "2026-01-05T09:00:00Z", **fields}  # fmt: skip
    return json.dumps({"type": "event", "seq": seq, "event": body})


FRAMES = [
    cap_frame(1, "cap-actual", "Actual"),
    cap_frame(2, "cap-exercise", "Exercise"),
    cap_frame(3, "cap-test", "Test"),
    event_frame(4, "iot-real"),
    event_frame(5, "iot-drill", exercise=True),
]


def test_cap_exercise_and_test_alerts_and_exercise_events_stay_out_of_real_cases(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    loop = open_loop(path)
    ingest(path, FRAMES)
    result = loop.discovery.run_once()
    assert sorted(c.source for c in result.opened) == ["cap", "iot"]
    assert result.skipped_exercise == 3
    assert all(not c.exercise for c in result.opened)
    linked = {r[0] for r in loop.conn.execute("SELECT event_id FROM case_events")}
    assert linked == {f"{SENDER},cap-actual", "iot-real"}
    loop.close()

    drill_path = tmp_path / "drill.sqlite3"
    drill = open_loop(drill_path, exercise_store=True)
    ingest(drill_path, FRAMES)
    opened = drill.discovery.run_once().opened
    assert {r[0] for r in drill.conn.execute("SELECT event_id FROM case_events")} == {
        f"{SENDER},cap-exercise", f"{SENDER},cap-test", "iot-drill",
    }  # fmt: skip
    assert all(c.exercise for c in opened)
    drill.close()


def proposals(loop: Loop) -> list[tuple[int, int]]:
    return loop.conn.execute("SELECT case_id, candidate_id FROM merge_proposals ORDER BY case_id").fetchall()


def test_duplicates_by_place_category_and_time_are_proposed(loop: Loop) -> None:
    put_event(loop.conn, "a", at=MONDAY_9)
    put_event(loop.conn, "b", at=MONDAY_9 + 600, lon=LON + 0.001)  # ~100 m, 10 min later: a duplicate
    put_event(loop.conn, "c", at=MONDAY_9 + 600, category="waterlogging")  # same place, other category
    put_event(loop.conn, "d", at=MONDAY_9 + 2 * 3600)  # same place, outside the hour
    put_event(loop.conn, "e", at=MONDAY_9 + 900, lat=LAT + 0.01)  # ~1.1 km away
    put_event(loop.conn, "f", at=MONDAY_9 + 1200, lon=None, lat=None)  # nowhere to compare
    result = loop.discovery.run_once()
    assert result.proposals == 1
    assert proposals(loop) == [(2, 1)]
    row = loop.conn.execute("SELECT distance_m, gap_s FROM merge_proposals").fetchone()
    assert 90 < row[0] < 110
    assert row[1] == 600
    # Cases proposed are left for the officer: discovery never merges by itself.
    assert loop.desk.get(2).state is S.DISCOVERED


def test_cases_no_longer_open_are_not_duplicates_of_new_ones(loop: Loop) -> None:
    put_event(loop.conn, "a", at=MONDAY_9)
    (first,) = loop.discovery.run_once().opened
    act(loop, first.id, Action.VOID, LEAD, "误报")
    put_event(loop.conn, "b", at=MONDAY_9 + 60)
    assert loop.discovery.run_once().proposals == 0


def test_hotline_and_video_reports_go_to_verification(loop: Loop) -> None:
    put_event(loop.conn, "h1", at=MONDAY_9, source="hotline")
    put_event(loop.conn, "v1", at=MONDAY_9, source="video_ai", lon=LON + 0.1)
    put_event(loop.conn, "g1", at=MONDAY_9, source="grid", lon=LON + 0.2)
    result = loop.discovery.run_once()
    states = {c.source: loop.desk.get(c.id).state for c in result.opened}
    assert states == {"hotline": S.VERIFYING, "video_ai": S.VERIFYING, "grid": S.DISCOVERED}
    row = audit.last_change(loop.conn, result.opened[0].id)
    assert row is not None
    assert (row.action, row.role) == (Action.REQUEST_VERIFY, Role.SYSTEM)


def test_auto_routed_categories_are_registered_and_dispatched_with_an_order(loop: Loop) -> None:
    put_event(loop.conn, "g1", at=MONDAY_9, category="garbage_overflow", title="垃圾满溢")
    result = loop.discovery.run_once()
    (applied,) = result.auto
    assert (applied.case.state, applied.case.unit) == (S.DISPATCHED, "U-SAN")
    assert applied.order_id == f"{applied.case.code}-1"
    (order,) = orders.pending_orders(loop.conn)
    assert json.loads(order.body)["unit"] == "U-SAN"
    rows = audit.timeline(loop.conn, [applied.case.id])
    assert [(r.action, r.actor, r.payload.get("auto")) for r in rows] == [
        (Action.DISCOVER, "system", None),
        (Action.REGISTER, "system", True),
        (Action.DISPATCH, "system", True),
    ]
    assert rows[-1].payload["unit"] == "U-SAN"


def test_the_place_box_keeps_every_neighbour_within_the_radius_even_far_north(loop: Loop) -> None:
    """Regression: the SQL pre-filter box must be wide enough in longitude where degrees are short."""
    north = 60.0  # one degree of longitude is half as long here as at the equator
    east_140_m = 140 / (111_195 * 0.5)
    put_event(loop.conn, "a", at=MONDAY_9, lon=LON, lat=north)
    put_event(loop.conn, "b", at=MONDAY_9 + 60, lon=LON + east_140_m, lat=north)
    put_event(loop.conn, "c", at=MONDAY_9 + 120, lon=LON + 2 * east_140_m, lat=north)  # 280 m from "a"
    put_event(loop.conn, "d", at=MONDAY_9 + 180, lon=LON + 3 * east_140_m, lat=north)
    loop.discovery.run_once()
    # "b" joins "a"'s cluster; "c" is too far from "a" and starts its own, which "d" joins ("b" is no master).
    assert proposals(loop) == [(2, 1), (4, 3)]
