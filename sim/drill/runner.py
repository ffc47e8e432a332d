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
    # Headless: simulated officers work the cases and the runner beats the desk itself. Otherwise people
    # at the cockpit work them, and the cockpit's closed loop (on the drill store) runs the desk's beat.
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
    run = DrillRun(scenario, atlas, db_path, options)
    try:
        url = await run.open()
        pipeline = IntakePipeline(db_path=db_path, feed_url=url, clock=run.clock)
        run.attach(pipeline)
        feed = asyncio.create_task(pipeline.run(), name="drill-feed")
        try:
            return await run.run()
        finally:
            await pipeline.close()
            await asyncio.gather(feed, return_exceptions=True)
    finally:
        await run.close()


class DrillRun:
    """One drill in steps: `open` starts the local feed server, `attach` names the intake reading it (the
    runner's own headless, the cockpit's with players), `run` plays the scenario to its end, `close`."""

    def __init__(self, scenario: Scenario, atlas: Atlas, db_path: Path, options: DrillOptions) -> None:
        self.scenario = scenario
        self.db_path = db_path
        self.options = options
        wall = options.wall or SystemClock()
        hold = HOLD_AFTER_S if options.wall is None else None
        # Started now: the cockpit's loop is built on this clock before the drill's first beat.
        self.clock = clock = ExerciseClock(wall, speed=options.speed, hold_after_s=hold)
        clock.start()
        self.tag = f"{int(clock.origin)}-{secrets.token_hex(2)}"
        self._db = open_store(db_path)
        conn = self._db.conn
        self.desk: CaseDesk | None = None
        self._discovery: Discovery | None = None
        self._operators: ScriptedOperators | None = None
        if options.headless:
            policy = load_policy(default_policy_path())
            router = Router(policy.routing)
            self.desk = CaseDesk(conn, Timers(policy), clock)
            self._discovery = Discovery(self.desk, policy, router.route, exercise_store=True)
            self._operators = ScriptedOperators(self.desk, router, atlas, options.pace)
        frames = FrameMaker(atlas, self.tag)
        self.master = MasterList(scenario)
        self.units = units = DrillUnits(scenario, clock.origin)
        self._unit_kinds = {unit.id: unit.kind for unit in atlas.units}
        self.record = record = DrillRecord(
            conn, scenario, self.tag, options.speed, clock.origin, headless=options.headless,
            unit_kinds=self._unit_kinds,
        )  # fmt: skip
        self.result = result = DrillResult(self.tag)
        self.server = FeedServer("127.0.0.1", 0, clock=clock)
        self.delivery = Delivery(scenario, self.server, frames, units, record, clock, result)
        self.director = Director(clock, self.master, units, record)
        self._pipeline: IntakePipeline | None = None

    async def open(self) -> str:
        """Start the drill's feed server on 127.0.0.1; returns its URL for the intake."""
        await self.server.start()
        self.server.on_order = self._on_order
        return self.server.url

    def attach(self, pipeline: IntakePipeline) -> None:
        """The intake that reads the drill's feed into the drill store (headless, the runner drains it)."""
        self._pipeline = pipeline

    def _on_order(self, order: dict[str, object]) -> None:
        clock = self.clock
        case_inject = inject_of_case(self._db.conn, str(order.get("case_id", "")), self.delivery.keys)
        self.units.take(dict(order), clock.monotonic(), case_inject)
        self.result.orders += 1
        unit = str(order.get("unit", ""))
        detail = f"{order.get('order_id')} → {unit}"
        self.record.log(clock.monotonic(), clock.now(), case_inject, "order", "received", detail, by=unit)

    def beat(self, observed: list[Observed]) -> None:
        """The director's commands, then everything due by now: injects, logged calls, unit reports."""
        options, clock, delivery = self.options, self.clock, self.delivery
        while options.director is not None and not options.director.empty():
            command = options.director.get_nowait()
            reply, firings = self.director.apply(command)
            for firing in firings:
                delivery.send(firing, by=command.by)
            options.announce(reply)
        now_s = clock.monotonic()
        for firing in self.master.due(now_s, observed):
            delivery.send(firing)
        delivery.log_calls(now_s)
        for inject_id, report in self.units.due(now_s):
            self.server.publish_report(report)
            self.result.reports += 1
            self.record.log(now_s, clock.now(), inject_id, "unit_report", str(report["action"]),
                            str(report.get("note", "")), by=str(report["unit"]))  # fmt: skip

    async def run(self) -> DrillResult:
        """Beat until the scenario's duration has passed, the director stops it or a stop is requested."""
        pipeline, options, scenario = self._pipeline, self.options, self.scenario
        assert pipeline is not None, "attach the intake before running the drill"
        mode = "headless, simulated officers" if options.headless else "players at the cockpit"
        options.announce(
            f"drill: {scenario.title} · {options.speed:g}x · {mode} · feed {self.server.url} · "
            f"store {self.db_path}"
        )
        observed: list[Observed] = []
        while True:
            self.beat(observed)
            if options.settle:
                await settled(pipeline, self.server, self._db.conn)
            self._desk_beat()
            observed = self._observed()
            if self.clock.monotonic() >= scenario.duration_s or options.stop_requested():
                break
            if self.director.stopped:
                break
            await asyncio.sleep(options.beat_s)
            if options.on_beat is not None:
                options.on_beat()
        # What the last beats sent is stored, and the desk has seen it, before the verdicts are taken.
        await settled(pipeline, self.server, self._db.conn)
        self._desk_beat()
        result = self.result
        result.fed = pipeline.client.ever_connected
        result.fired = dict(self.master.fired_at)
        result.verdicts = judge_all(scenario, self.master.fired_at, self._observed(), self.clock.monotonic())
        self.record.finish(self.clock.now(), result.verdicts)
        options.announce(_summary(scenario, result))
        return result

    def _desk_beat(self) -> None:
        # With players the cockpit's loop turns events into cases and applies reports on its own beat.
        if self.desk is None or self._discovery is None or self._pipeline is None:
            return
        self._pipeline.drain()  # the runner shows nothing: keep the view-side buffers empty
        self._discovery.run_once()
        apply_inbox(self.desk)
        if self._operators is not None and self._operators.beat():
            self._pipeline.wake_orders()

    def _observed(self) -> list[Observed]:
        return observed_actions(self._db.conn, self.delivery.keys, self.clock.origin, self._unit_kinds)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.server.stop()
        self._db.close()


async def settled(pipeline: IntakePipeline, server: FeedServer, conn: sqlite3.Connection) -> None:
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
