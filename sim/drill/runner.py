"""Plays a drill: the scenario's injects through a local feed server, the real intake, a drill store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
from dispatch.drill.expectations import Observed, Outcome, Verdict, judge_all
from dispatch.drill.master_list import Firing, How, MasterList
from dispatch.drill.observed import EventKey, inject_of_case, observed_actions
from dispatch.drill.scenario import CameraScene, CapWarning, MetricCurve, PhoneCall, Scenario, UnitReport
from dispatch.feed.pipeline import IntakePipeline
from dispatch.store.database import open_store
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


@dataclass(slots=True)
class DrillResult:
    """What a run did, for the summary and the tests."""

    tag: str
    fired: dict[str, float] = field(default_factory=dict)
    contingencies: list[str] = field(default_factory=list)
    verdicts: tuple[Verdict, ...] = ()
    reports: int = 0
    orders: int = 0
    calls_logged: int = 0


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
    keys: dict[EventKey, str] = {}
    calls: list[tuple[float, str]] = []  # (scenario time to log it, inject id): the intake officer's desk
    result = DrillResult(tag)
    server = FeedServer("127.0.0.1", 0, clock=clock)
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
            now_s = clock.monotonic()
            for firing in master.due(now_s, observed):
                _deliver(firing, server, frames, units, keys, calls, record, clock, result)
            for due_s, inject_id in [c for c in calls if c[0] <= now_s]:
                calls.remove((due_s, inject_id))
                server.publish_event(frames.event(scenario.inject(inject_id), clock.now()))
                result.calls_logged += 1
                record.log(now_s, clock.now(), inject_id, "call", "logged", by="模拟接线员")
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
            if now_s >= scenario.duration_s or options.stop_requested():
                break
            await asyncio.sleep(options.beat_s)
            if options.on_beat is not None:
                options.on_beat()
        # What the last beats sent is stored, and the desk has seen it, before the verdicts are taken.
        await _settled(pipeline, server, db.conn)
        discovery.run_once()
        apply_inbox(desk)
        observed = observed_actions(db.conn, keys, clock.origin, unit_kinds)
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


def _deliver(
    firing: Firing, server: FeedServer, frames: FrameMaker, units: DrillUnits, keys: dict[EventKey, str],
    calls: list[tuple[float, str]], record: DrillRecord, clock: ExerciseClock, result: DrillResult,
) -> None:  # fmt: skip
    """Send one firing the way its kind travels; every firing is logged with how it came about."""
    inject, now = firing.inject, clock.now()
    body = inject.body
    how = firing.how.value
    if firing.how is How.CONTINGENCY:
        result.contingencies.append(inject.id)
    if isinstance(body, MetricCurve):
        server.publish_metric(frames.metric(inject, firing.value, now))
        if firing.sample == 0:
            record.log(firing.due_s, now, inject.id, "metric", how, body.name)
        return
    key = frames.key(inject)
    if key is not None and key not in keys:
        keys[key] = inject.id
        record.event(key, inject.id)
    if isinstance(body, UnitReport):
        # The scripted answer is ready; it goes out `after_order` after the order for its case arrives.
        units.armed.add(inject.id)
        record.log(firing.due_s, now, inject.id, "unit_report", "armed", f"→ {body.to}")
    elif isinstance(body, PhoneCall):
        # The phone rings now; the (simulated) intake officer logs it a little later.
        calls.append((firing.due_s + body.log_delay_s, inject.id))
        record.log(firing.due_s, now, inject.id, "call", how, f"{body.caller}: {body.says}")
    elif isinstance(body, CapWarning):
        server.publish_cap(frames.cap(inject, now))
        record.log(firing.due_s, now, inject.id, "cap", how, body.headline)
    else:
        server.publish_event(frames.event(inject, now))
        kind = "camera" if isinstance(body, CameraScene) else "event"
        record.log(firing.due_s, now, inject.id, kind, how, str(getattr(body, "title", "")))


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
