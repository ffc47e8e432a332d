"""unit_status end to end: the demo city's crews drive and report through a real feed server on 127.0.0.1
into a real store, which keeps each unit's newest fix and a bounded track; an older fix, a repeated one,
an unknown unit and a position off the map change nothing but the quarantine."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from dispatch.atlas import load_atlas
from dispatch.casework.records.unit_positions import latest_positions, positions_mark, unit_track
from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.positions_wire import PositionRules
from dispatch.store.positions import TRACK_KEEP, TRACK_SPAN_S
from sim.city import demo_city
from sim.server import FeedServer
from sim.unit_motion import UnitMotion
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)
DRIVEN_S = 40 * 60.0  # at one fix every 5-10 s a crew sends more than TRACK_KEEP fixes


async def until(done: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not done():
            await asyncio.sleep(0.01)


def drive(start: float) -> tuple[list[dict[str, Any]], str]:
    """The demo crews' reports over DRIVEN_S up to `start + DRIVEN_S`, one crew sent to a case, and its id."""
    city = demo_city()
    motion = UnitMotion(city, random.Random(20261207), start)
    unit = "U-339901-XF"
    scene = city.landmarks[40]
    statuses = motion.due(start + 60)
    arrive = motion.dispatch(
        {"order_id": "o-1", "unit": unit, "location": {"lon": scene.lon, "lat": scene.lat}}, start + 60
    )
    assert arrive is not None
    assert arrive < start + DRIVEN_S / 2
    statuses += motion.due(arrive + 120)
    motion.release(unit, "o-1", arrive + 120)
    statuses += motion.due(start + DRIVEN_S)
    return statuses, unit


def test_unit_status_reaches_the_store_as_latest_fixes_and_bounded_tracks(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    atlas = load_atlas(Path(str(resources.files("resources") / "atlas" / "demo")))
    rules = PositionRules.from_atlas(atlas)
    statuses, driven = drive(time.time() - DRIVEN_S - 5)

    async def scenario() -> dict[str, Any]:
        async with FeedServer(heartbeat_s=None) as server:
            pipeline = IntakePipeline(db_path=db, feed_url=server.url, policy=FAST, positions=rules)
            task = asyncio.create_task(pipeline.run())
            try:
                await server.wait_subscribed(1)
                for status in statuses:
                    server.publish_unit_status(status)
                first_of_driven = next(s for s in statuses if s["unit"] == driven)
                last_of_driven = [s for s in statuses if s["unit"] == driven][-1]
                server.publish_unit_status(first_of_driven)  # an old fix arrives late
                server.publish_unit_status(last_of_driven)  # the newest fix again
                server.publish_unit_status({**last_of_driven, "unit": "U-NOT-IN-ATLAS"})
                server.publish_unit_status({**last_of_driven, "lon": 116.39, "lat": 39.91})  # Beijing
                final = server.publish_event(make_event(0))
                await until(lambda: pipeline.intake.cursor == final)
                assert pipeline.flush(10)
                return {"positions": pipeline.counters().positions}
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)

    counted = asyncio.run(scenario())
    with sqlite3.connect(db) as conn:
        latest = {fix.unit_id: fix for fix in latest_positions(conn)}
        track = unit_track(conn, driven, 10_000)
        short = unit_track(conn, driven, 5)
        track_rows = conn.execute("SELECT count(*) FROM unit_track WHERE unit = ?", (driven,)).fetchone()[0]
        quarantine = conn.execute("SELECT reason, detail FROM quarantine ORDER BY id").fetchall()
        mark = positions_mark(conn)
    conn.close()

    newest = {status["unit"]: status for status in statuses}
    assert set(latest) == set(newest) == set(UnitMotion(demo_city(), random.Random(1), 0.0).units)
    for unit, status in newest.items():
        fix = latest[unit]
        assert (fix.lon, fix.lat, fix.status, fix.speed_kmh) == (
            status["lon"], status["lat"], status["status"], status["speed_kmh"],
        )  # fmt: skip
        assert abs(fix.at - _epoch(status["at"])) < 1e-3
    sent_for_driven = [s for s in statuses if s["unit"] == driven]
    assert len(sent_for_driven) > TRACK_KEEP
    assert len(track) == track_rows == TRACK_KEEP, "the track is bounded in the store, not only when read"
    assert [point[2] for point in track] == sorted(point[2] for point in track)
    assert track[-1][2] - track[0][2] <= TRACK_SPAN_S
    assert track[-1] == (latest[driven].lon, latest[driven].lat, latest[driven].at)
    assert short == track[-5:]
    assert {s["status"] for s in sent_for_driven} >= {"available", "en_route", "on_scene"}
    assert len(newest) <= counted["positions"] <= len(statuses)
    assert [reason for reason, _ in quarantine] == ["invalid_fields", "invalid_fields"]
    assert "'U-NOT-IN-ATLAS' is not a unit of the atlas" in quarantine[0][1]
    assert "outside the atlas's extent" in quarantine[1][1]
    assert mark > 0


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()
