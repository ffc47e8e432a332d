"""The demo's field units answer orders believably, and the server passes each order on once."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import datetime
from typing import Any

from websockets.asyncio.client import connect

from core.clock import ManualClock
from dispatch.feed.attachments import AttachmentRef, Photo
from dispatch.feed.photo_fetch import PhotoFetcher
from sim.city import demo_city
from sim.generator import DemoGenerator
from sim.runner import run_demo, serve_unit_photos
from sim.server import FeedServer
from sim.units import FieldUnits, Temper

START = 1_790_000_000.0


def order(n: int, *, suffix: int = 1, deadline_s: float = 4 * 3600) -> dict[str, Any]:
    deadline = datetime.fromtimestamp(START + deadline_s).astimezone().isoformat()
    return {
        "order_id": f"20260921-{n}-{suffix}",
        "case_id": f"20260921-{n}",
        "unit": "U-1",
        "deadline": deadline,
    }


def at(report: dict[str, Any]) -> float:
    return datetime.fromisoformat(report["at"]).timestamp()


def test_most_units_sign_and_handle_before_the_deadline_some_do_not() -> None:
    units = FieldUnits(random.Random(7))
    tempers = Counter(units.take(order(n), START) for n in range(1, 401))
    reports = units.due(START + 10 * 24 * 3600)
    assert units.waiting == 0
    by_order: dict[str, list[dict[str, Any]]] = {}
    for report in reports:
        by_order.setdefault(report["order_id"], []).append(report)
    assert tempers[Temper.PROMPT] > 200
    assert all(tempers[t] > 0 for t in Temper)
    for order_id, answers in by_order.items():
        temper = units.tempers[order_id]
        actions = [r["action"] for r in answers]
        times = [at(r) for r in answers]
        assert times == sorted(times), "a unit's reports come in the order it did things"
        if temper is Temper.RETURNS:
            assert actions == ["return_request"]
            assert answers[0]["note"]
        elif temper is Temper.SILENT:
            assert actions == ["sign"]
        else:
            assert actions == ["sign", "progress", "handled"]
            assert answers[-1]["attachments"]
            late = times[-1] > START + 4 * 3600
            assert late == (temper is Temper.LATE)


def test_rework_orders_are_handled_promptly() -> None:
    units = FieldUnits(random.Random(1))
    assert all(units.take(order(n, suffix=2), START) is Temper.PROMPT for n in range(50))


def test_reports_come_out_only_when_due() -> None:
    units = FieldUnits(random.Random(3))
    units.take(order(1), START)
    assert units.due(START) == []
    first = units.due(START + 3600)
    assert first
    assert all(at(r) <= START + 3600 for r in first)


def test_orders_reach_the_units_once_and_their_reports_flow_in_the_stream() -> None:
    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Temper]]:
        clock = ManualClock(START)
        units = FieldUnits(random.Random(5), pace=0.01)
        generator = DemoGenerator(demo_city(), 4, START, rate=0.01)
        received: list[dict[str, Any]] = []
        async with (
            FeedServer(heartbeat_s=None, clock=clock) as server,
            connect(server.url, max_queue=None) as ws,
        ):
            await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": 0}))
            demo = asyncio.create_task(run_demo(server, generator, clock, units=units, tick_s=0.001))
            the_order = order(1)
            for _ in range(3):  # a client that did not see the ack sends the same order again
                await ws.send(json.dumps({"type": "order", "order": the_order}))
            while sum(m["type"] == "order_ack" for m in received) < 3:
                received.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            clock.advance(60)  # at pace 0.01 a unit signs within three seconds
            while not any(m["type"] == "unit_report" for m in received):
                received.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
            demo.cancel()
            await asyncio.gather(demo, return_exceptions=True)
            assert list(server.orders) == [the_order["order_id"]]
        return received, units.tempers

    received, tempers = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert len(tempers) == 1, "three copies of one order are one order to the unit"
    acks = [m for m in received if m["type"] == "order_ack"]
    assert {m["order_id"] for m in acks} == {"20260921-1-1"}
    assert [m["seq"] for m in received] == sorted(m["seq"] for m in received)
    report = next(m for m in received if m["type"] == "unit_report")["report"]
    assert report["order_id"] == "20260921-1-1"
    assert report["unit"] == "U-1"


def test_a_dropped_order_is_not_passed_on_and_its_resend_is() -> None:
    async def scenario() -> tuple[list[str], int]:
        async with FeedServer(heartbeat_s=None) as server:
            seen: list[str] = []
            server.on_order = lambda o: seen.append(o["order_id"])
            server.drop_before_ack(1)
            async with connect(server.url) as ws:
                await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": None}))
                await ws.send(json.dumps({"type": "order", "order": order(9)}))
                await server.wait_connections(0)
            async with connect(server.url) as ws:
                await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": 0}))
                await ws.send(json.dumps({"type": "order", "order": order(9)}))
                ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
            return seen, ack["seq"]

    seen, seq = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert seen == ["20260921-9-1"]
    assert seq == 1


def test_the_demo_units_report_from_the_scene_with_photos_their_server_hands_out() -> None:
    units = FieldUnits(random.Random(5))
    located = {**order(1), "location": {"lon": 116.4, "lat": 39.9, "address": "人民路 88 号"}}

    async def scenario() -> list[Photo]:
        async with FeedServer(heartbeat_s=None) as server:
            serve_unit_photos(server, units)
            units.take(located, START)
            reports = units.due(START + 10 * 24 * 3600)
            refs = [
                AttachmentRef(a["uri"], a["content_type"], a["size"])
                for r in reports
                for a in r.get("attachments", [])
            ]
            assert refs, "progress and completion come with photos"
            for report in reports:
                assert abs(report["position"]["lon"] - 116.4) < 0.001
                assert abs(report["position"]["lat"] - 39.9) < 0.001
            fetcher = PhotoFetcher([server.url], None, timeout_s=5)
            return [await asyncio.to_thread(fetcher.fetch, ref) for ref in refs]

    photos = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert all(p.problem is None and p.content_type == "image/jpeg" for p in photos)
