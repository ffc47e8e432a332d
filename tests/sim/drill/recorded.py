"""A real store recorded for replay tests: events and readings through a real feed server and intake, case
actions by people through the desk, on a hand-driven clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, Command, Role
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.feed.pipeline import IntakePipeline
from dispatch.store.database import open_store
from sim.drill.frames import wire_time
from sim.server import FeedServer

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=TZ).timestamp()
MIN = 60.0
LEAD = Actor("li", Role.SHIFT_LEAD, "李明")
DISPATCHER = Actor("wang", Role.DISPATCHER, "王芳")
JIEFANG = {"lon": 120.1702, "lat": 30.2795, "address": "解放路下穿隧道"}
SHIYAN = {"lon": 120.2102, "lat": 30.2195, "address": "石岩路"}


def _event(event_id: str, category: str, title: str, severity: int, where: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "source": "iot", "category": category, "title": title, "severity": severity,
            "location": where}  # fmt: skip


# (minute, event): what the feed sent; the same id again is a new revision.
EVENTS: list[tuple[float, dict[str, Any]]] = [
    (1, _event("wl-1", "waterlogging", "解放路下穿隧道积水 20 cm", 2, JIEFANG)),
    (5, _event("wl-1", "waterlogging", "解放路下穿隧道积水 40 cm", 2, JIEFANG)),
    (8, _event("rd-2", "road_damage", "石岩路路面塌陷", 3, SHIYAN)),
    (25, _event("rd-3", "road_damage", "石岩路井盖缺失", 3, {**SHIYAN, "lon": 120.2302})),
]
# A river gauge read every two minutes.
READINGS = [(float(m), 3.0 + m / 10) for m in range(0, 30, 2)]
# (minute, the event whose case, action, who, reason, payload)
ACTIONS: list[tuple[float, str, Action, Actor, str, dict[str, Any]]] = [
    (3, "wl-1", Action.REGISTER, LEAD, "", {}),
    (6, "wl-1", Action.DISPATCH, DISPATCHER, "", {"unit": "U-CITY-PS"}),
    (10, "rd-2", Action.REGISTER, LEAD, "", {}),
    (12, "rd-2", Action.DISPATCH, DISPATCHER, "", {"unit": "U-CITY-ROAD"}),
    (26, "rd-3", Action.REGISTER, LEAD, "", {}),
]
END_MINUTE = 30


@dataclass(frozen=True, slots=True)
class Recorded:
    path: Path
    # What the desk did at each action: (minute, event id, action, case code)
    done: list[tuple[float, str, Action, str]]


def record_real_store(path: Path) -> Recorded:
    return asyncio.run(_record(path))


async def _record(path: Path) -> Recorded:
    clock = ManualClock(T0)
    server = FeedServer("127.0.0.1", 0, clock=clock, heartbeat_s=None)
    await server.start()
    pipeline = IntakePipeline(db_path=path, feed_url=server.url, clock=clock)
    feed = asyncio.create_task(pipeline.run())
    db = open_store(path)
    policy = load_policy(default_policy_path())
    desk = CaseDesk(db.conn, Timers(policy), clock)
    discovery = Discovery(desk, policy, Router(policy.routing).route)
    done: list[tuple[float, str, Action, str]] = []
    try:
        for minute in range(END_MINUTE + 1):
            clock.advance(T0 + minute * MIN - clock.now())
            for at, event in EVENTS:
                if at == minute:
                    server.publish_event({**event, "occurred_at": wire_time(clock.now())})
            for at, value in READINGS:
                if at == minute:
                    at_wire = wire_time(clock.now())
                    reading = {"name": "river_gauge", "value": value, "unit": "m", "at": at_wire,
                               "labels": {"station": "S1"}}  # fmt: skip
                    server.publish_metric(reading)
            while (pipeline.counters().last_seq or 0) < server.head:
                await asyncio.sleep(0.002)
            pipeline.drain()
            discovery.run_once()
            for at, event_id, action, actor, reason, payload in ACTIONS:
                if at != minute:
                    continue
                (case_id,) = db.conn.execute(
                    "SELECT case_id FROM case_events WHERE event_id = ?", (event_id,)
                ).fetchone()
                case = desk.get(case_id)
                desk.act(Command(case.id, case.version, action, actor, reason, payload))
                done.append((minute, event_id, action, case.code))
    finally:
        await pipeline.close()
        await asyncio.gather(feed, return_exceptions=True)
        await server.stop()
        db.close()
    return Recorded(path, done)
