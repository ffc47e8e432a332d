"""Plays a drill: the scenario's injects through a local feed server, the real intake, a drill store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.clock import Clock, SystemClock
from dispatch.atlas.model import Atlas
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.drill.exercise_clock import ExerciseClock
from dispatch.drill.expectations import Observed, Outcome, judge_all
from dispatch.drill.master_list import MasterList
from dispatch.drill.observed import inject_of_case, observed_actions
from dispatch.drill.scenario import Scenario
from dispatch.feed.pipeline import IntakePipeline
from dispatch.store.database import open_store
from sim.drill.delivery import Delivery, DrillResult
from sim.drill.director import Director, DirectorCommand
from sim.drill.frames import FrameMaker
from sim.drill.operators import Pace, ScriptedOperators
from sim.drill.record import DrillRecord
from sim.drill.units import DrillUnits
from sim.server import FeedServer

_log = logging.getLogger(__name__)
# Wall seconds between beats: at 10x a beat is one scenario second.
BEAT_S = 0.1
# A wall-clock jump longer than this between beats (a laptop asleep) is held like a pause.
HOLD_AFTER_S = 5.0
SETTLE_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class DrillOptions:
    speed: float = 1.0
    headless: bool = True
    # The wall the exercise clock runs on; tests pass a hand-driven one and advance it in `on_beat`.
    wall: Clock | None = None
    beat_s: float = BEAT_S
    on_beat: Callable[[], None] | None = None
    announce: Callable[[str], None] = print
    # Checked every beat: the drill ends early, its verdicts so far recorded (Ctrl-C on the command line).
    stop_requested: Callable[[], bool] = lambda: False
    pace: Pace | None = None
    # Before the desk's beat, wait until the intake has stored everything sent and every order is
    # acknowledged (tests on a hand-driven wall: lag on a loaded machine must not move scenario times).
    settle: bool = False
    # Commands from the director's console (sim/drill/director.py), carried out between beats.
    director: asyncio.Queue[DirectorCommand] | None = None


async def play(scenario: Scenario, atlas: Atlas, db_path: Path, options: DrillOptions) -> DrillResult:
    """Run the whole scenario against the drill store at `db_path`; returns when its duration has passed."""
    wall = options.wall or SystemClock()
    clock = ExerciseClock(
        wall, speed=options.speed, hold_after_s=HOLD_AFTER_S if options.wall is None else None
    )
    clock.start()
    tag = f"{int(clock.origin)}-{secrets.token_hex(2)}"
    policy = load_policy(default_policy_path())
    router = Router(policy.routing)
    db = open_store(db_path)
    desk = CaseDesk(db.conn, Timers(policy), clock)
    discovery = Discovery(desk, policy, router.route, exercise_store=True)
    operators = ScriptedOperators(desk, router, atlas, options.pace) if options.headless else None
    frames = FrameMaker(atlas, tag)
    master = MasterList(scenario)
    units = DrillUnits(scenario, clock.origin)
    unit_kinds = {unit.id: unit.kind for unit in atlas.units}
    record = DrillRecord(
        db.conn, scenario, tag, options.speed, clock.origin, headless=options.headless, unit_kinds=unit_kinds
    )
    result = DrillResult(tag)
    server = FeedServer("127.0.0.1", 0, clock=clock)
    delivery = Delivery(scenario, server, frames, units, record, clock, result)
    keys = delivery.keys
    director = Director(clock, master, units, record)
    pipeline: IntakePipeline | None = None
    feed: asyncio.Task[None] | None = None
    try:
        await server.start()

        def on_order(order: dict[str, object]) -> None:
            case_inject = inject_of_case(db.conn, str(order.get("case_id", "")), keys)
            units.take(dict(order), clock.monotonic(), case_inject)
            result.orders += 1
            unit = str(order.get("unit", ""))
            detail = f"{order.get('order_id')} → {unit}"
            record.log(clock.monotonic(), clock.now(), case_inject, "order", "received", detail, by=unit)

        server.on_order = on_order
        pipeline = IntakePipeline(db_path=db_path, feed_url=server.url, clock=clock)
        feed = asyncio.create_task(pipeline.run(), name="drill-feed")
        mode = "headless, simulated officers" if options.headless else "players at the cockpit"
        options.announce(
            f"drill: {scenario.title} · {options.speed:g}x · {mode} · feed {server.url} · store {db_path}"
        )
        observed: list[Observed] = []
        while True:
            while options.director is not None and not options.director.empty():
                command = options.director.get_nowait()
                reply, firings = director.apply(command)
                for firing in firings:
                    delivery.send(firing, by=command.by)
                options.announce(reply)
            now_s = clock.monotonic()
            for firing in master.due(now_s, observed):
                delivery.send(firing)
            delivery.log_calls(now_s)
            for inject_id, report in units.due(now_s):
                server.publish_report(report)
                result.reports += 1
                record.log(now_s, clock.now(), inject_id, "unit_report", str(report["action"]),
                           str(report.get("note", "")), by=str(report["unit"]))  # fmt: skip
            if options.settle:
                await _settled(pipeline, server, db.conn)
            pipeline.drain()  # the runner shows nothing: keep the view-side buffers empty
            discovery.run_once()
            apply_inbox(desk)
            if operators is not None and operators.beat():
                pipeline.wake_orders()
            observed = observed_actions(db.conn, keys, clock.origin, unit_kinds)
            if now_s >= scenario.duration_s or options.stop_requested() or director.stopped:
                break
            await asyncio.sleep(options.beat_s)
            if options.on_beat is not None:
                options.on_beat()
        # What the last beats sent is stored, and the desk has seen it, before the verdicts are taken.
        await _settled(pipeline, server, db.conn)
        discovery.run_once()
        apply_inbox(desk)
        observed = observed_actions(db.conn, keys, clock.origin, unit_kinds)
        result.fed = pipeline.client.ever_connected
        result.fired = dict(master.fired_at)
        result.verdicts = judge_all(scenario, master.fired_at, observed, clock.monotonic())
        record.finish(clock.now(), result.verdicts)
        options.announce(_summary(scenario, result))
        return result
    finally:
        if pipeline is not None:
            await pipeline.close()
        if feed is not None:
            await asyncio.gather(feed, return_exceptions=True)
        with contextlib.suppress(Exception):
            await server.stop()
        db.close()


async def _settled(pipeline: IntakePipeline, server: FeedServer, conn: sqlite3.Connection) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        stored = pipeline.counters().last_seq or 0
        unacked = conn.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
        if stored >= server.head and not unacked:
            return
        await asyncio.sleep(0.002)
    _log.warning("the drill's feed did not settle within %s s; going on", SETTLE_TIMEOUT_S)


def _summary(scenario: Scenario, result: DrillResult) -> str:
    counts = dict.fromkeys(Outcome, 0)
    for verdict in result.verdicts:
        counts[verdict.outcome] += 1
    lines = [
        f"drill ended: {len(result.fired)} injects sent ({len(result.contingencies)} contingency), "
        f"{result.orders} orders, {result.reports} unit reports",
        "expected actions: " + ", ".join(f"{counts[o]} {o.value}" for o in Outcome if counts[o]),
    ]
    for verdict in result.verdicts:
        done = "—" if verdict.delay_s is None else f"{verdict.delay_s / 60:.1f} min"
        expected = verdict.expected
        lines.append(f"  {expected.id:<6} {expected.action.value:<15} {verdict.outcome.value:<14} {done}")
    return "\n".join(lines)
