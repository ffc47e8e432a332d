"""The demo city's crews drive its roads: to a dispatched case and on scene, home again and available, one
position report every 5-10 s each, the same under the same seed; and the demo sends them on the feed."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
from datetime import datetime
from typing import Any

from websockets.asyncio.client import connect

from core.clock import ManualClock
from core.geo import distance_m
from sim.city import City, demo_city
from sim.generator import DemoGenerator
from sim.runner import run_demo
from sim.server import FeedServer
from sim.unit_motion import REPORT_EVERY_S, UnitMotion
from sim.units import FieldUnits

START = 1_767_225_600.0
UNIT = "U-339901-XF"


def at(status: dict[str, Any]) -> float:
    return datetime.fromisoformat(status["at"]).timestamp()


def off_road_m(city: City, lon: float, lat: float) -> float:
    """How far a point is from the nearest road segment."""
    best = math.inf
    k = math.cos(math.radians(lat))
    for edge in city.edges:
        a, b = city.nodes[edge.a], city.nodes[edge.b]
        dx, dy = (b.lon - a.lon) * k, b.lat - a.lat
        span = dx * dx + dy * dy
        t = 0.0 if span == 0 else min(1.0, max(0.0, ((lon - a.lon) * k * dx + (lat - a.lat) * dy) / span))
        best = min(best, distance_m(lon, lat, a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)))
    return best


def one_call_out(seed: int) -> tuple[list[dict[str, Any]], float, tuple[float, float]]:
    """A crew sent to a far landmark at START + 30, released 5 minutes after arriving, watched for an hour."""
    city = demo_city()
    motion = UnitMotion(city, random.Random(seed), START)
    scene = city.landmarks[60]
    reports = motion.due(START + 30)
    arrive = motion.dispatch(
        {"order_id": "o-1", "unit": UNIT, "location": {"lon": scene.lon, "lat": scene.lat}}, START + 30
    )
    assert arrive is not None
    reports += motion.due(arrive + 300)
    motion.release(UNIT, "o-1", arrive + 300)
    reports += motion.due(START + 3600)
    return reports, arrive, (scene.lon, scene.lat)


def test_a_dispatched_crew_drives_the_roads_to_the_scene_stays_and_drives_home_available() -> None:
    city = demo_city()
    reports, arrive, scene = one_call_out(11)
    mine = [r for r in reports if r["unit"] == UNIT]
    statuses = [r["status"] for r in mine]
    # available at base, en route, on scene, then available (driving home, then at home)
    phases = [s for n, s in enumerate(statuses) if n == 0 or statuses[n - 1] != s]
    assert phases == ["available", "en_route", "on_scene", "available"]
    driving = [r for r in mine if r["speed_kmh"] > 0]
    assert driving, "the crew moved"
    # It drove on roads, but for the last few hundred metres from the nearest junction to the scene.
    near_scene = [r for r in driving if distance_m(r["lon"], r["lat"], *scene) < 800]
    assert all(off_road_m(city, r["lon"], r["lat"]) < 2.0 for r in driving if r not in near_scene)
    assert all(0 <= r["heading"] < 360 for r in driving)
    assert max(r["speed_kmh"] for r in driving) <= 80 * 1.1
    on_scene = [r for r in mine if r["status"] == "on_scene"]
    assert all(distance_m(r["lon"], r["lat"], *scene) < 1.0 for r in on_scene)
    assert all(at(r) >= arrive for r in on_scene)
    assert all(at(r) < arrive for r in mine if r["status"] == "en_route")
    home = city.nodes[city.unit(UNIT).base_node or 0]
    assert (mine[-1]["lon"], mine[-1]["lat"], mine[-1]["speed_kmh"]) == (
        round(home.lon, 6), round(home.lat, 6), 0.0,
    )  # fmt: skip


def test_every_crew_reports_every_five_to_ten_seconds_in_time_order() -> None:
    reports, _, _ = one_call_out(3)
    crews = {u.id for u in demo_city().units if u.base_node is not None}
    assert {r["unit"] for r in reports} == crews
    assert [at(r) for r in reports] == sorted(at(r) for r in reports)
    for crew in crews:
        times = [at(r) for r in reports if r["unit"] == crew]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(REPORT_EVERY_S[0] - 0.002 <= gap <= REPORT_EVERY_S[1] + 0.002 for gap in gaps), crew


def test_the_same_seed_drives_the_same_way_and_another_seed_does_not() -> None:
    first, _, _ = one_call_out(5)
    assert one_call_out(5)[0] == first
    assert one_call_out(6)[0] != first


def test_a_report_on_an_older_order_does_not_send_the_crew_home() -> None:
    city = demo_city()
    motion = UnitMotion(city, random.Random(2), START)
    scene = city.landmarks[10]
    order = {"order_id": "o-2", "unit": UNIT, "location": {"lon": scene.lon, "lat": scene.lat}}
    arrive = motion.dispatch(order, START)
    assert arrive is not None
    motion.release(UNIT, "o-1", START + 10)
    assert motion.status_of(UNIT) == "en_route"
    assert motion.dispatch({**order, "unit": "U-CITY-YJ"}, START) is None, (
        "an office without a base stays put"
    )


def test_the_demo_sends_the_crews_positions_and_the_progress_report_waits_for_the_arrival() -> None:
    city = demo_city()
    scene = city.landmarks[60]
    the_order = {
        "order_id": "20261207-1-1", "case_id": "20261207-1", "unit": UNIT, "category": "fire_alarm",
        "title": "火情", "location": {"lon": scene.lon, "lat": scene.lat, "address": scene.address},
        "deadline": None, "instructions": "", "exercise": False,
    }  # fmt: skip

    async def scenario() -> list[dict[str, Any]]:
        clock = ManualClock(START)
        units = FieldUnits(random.Random(5), pace=0.1)
        motion = UnitMotion(city, random.Random(9), START)
        generator = DemoGenerator(city, 4, START, rate=0.001)
        received: list[dict[str, Any]] = []
        async with (
            FeedServer(heartbeat_s=None, clock=clock) as server,
            connect(server.url, max_queue=None) as ws,
        ):
            await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": 0}))
            demo = asyncio.create_task(
                run_demo(server, generator, clock, units=units, tick_s=0.001, motion=motion)
            )
            await ws.send(json.dumps({"type": "order", "order": the_order}))
            await server.wait_orders(1)
            for _ in range(120):  # up to two hours of demo time, a minute at a time
                clock.advance(60)
                # Read the minute's frames (so the server never queues hours of them): up to the crew's
                # report of the minute's last seconds.
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                    received.append(message)
                    status = message.get("status") or {}
                    if status.get("unit") == UNIT and at(status) >= clock.now() - REPORT_EVERY_S[1]:
                        break
                if any(m["type"] == "unit_report" and m["report"]["action"] == "handled" for m in received):
                    break
            demo.cancel()
            await asyncio.gather(demo, return_exceptions=True)
        return received

    received = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert [m["seq"] for m in received] == sorted(m["seq"] for m in received)
    statuses = [m["status"] for m in received if m["type"] == "unit_status" and m["status"]["unit"] == UNIT]
    reports = {m["report"]["action"]: m["report"] for m in received if m["type"] == "unit_report"}
    en_route = [at(s) for s in statuses if s["status"] == "en_route"]
    assert en_route, "the crew set off"
    assert datetime.fromisoformat(reports["progress"]["at"]).timestamp() >= max(en_route)
    assert any(s["status"] == "on_scene" for s in statuses), "on scene from its arrival until it handled"
