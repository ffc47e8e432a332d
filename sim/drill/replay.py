"""Replays a recorded real period into a drill store: its events and readings through a local feed server and
the real intake, the people's case actions through a closed loop of its own, all on the exercise clock."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from core.clock import Clock, SystemClock
from dispatch.casework.model import Actor, Command, Refused
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.drill.exercise_clock import ExerciseClock
from dispatch.drill.observed import EventKey
from dispatch.drill.replay_period import Period, ReplayAction, ReplayEvent, ReplayMetric
from dispatch.drill.scenario import DrillForm, DrillScope, Scenario
from dispatch.feed.pipeline import IntakePipeline
from dispatch.service import ClosedLoop
from dispatch.store.database import open_store
from sim.drill.director import DirectorCommand, Verb
from sim.drill.frames import wire_time
from sim.drill.record import DrillRecord
from sim.drill.runner import BEAT_S, HOLD_AFTER_S, settled
from sim.server import FeedServer

REPLAYER = "回放程序"


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    speed: float = 10.0
    # The wall the exercise clock runs on; tests pass a hand-driven one and advance it in `on_beat`.
    wall: Clock | None = None
    beat_s: float = BEAT_S
    on_beat: Callable[[], None] | None = None
    announce: Callable[[str], None] = print
    stop_requested: Callable[[], bool] = lambda: False
    # Before each beat's case actions, wait until the intake has stored everything sent (tests).
    settle: bool = False
    # pause / resume / status / stop from the terminal (sim/drill/director.py's commands).
    director: asyncio.Queue[DirectorCommand] | None = None
    # The zone the period is named in (the city's, from the policy); None: this machine's.
    zone: tzinfo | None = None


@dataclass(slots=True)
class ReplayResult:
    tag: str
    events: int = 0
    metrics: int = 0
    applied: int = 0
    refused: list[str] = field(default_factory=list)  # "code action: why" for each refused action
    unmatched: list[str] = field(default_factory=list)  # actions whose case never opened in the replay
    fed: bool = False


async def replay(period: Period, db_path: Path, options: ReplayOptions) -> ReplayResult:
    """Play `period` into the drill store at `db_path`; returns when the period's length has passed."""
    run = ReplayRun(period, db_path, options)
    try:
        await run.server.start()
        pipeline = IntakePipeline(db_path=db_path, feed_url=run.server.url, clock=run.clock)
        feed = asyncio.create_task(pipeline.run(), name="replay-feed")
        try:
            return await run.run(pipeline)
        finally:
            await pipeline.close()
            await asyncio.gather(feed, return_exceptions=True)
    finally:
        with contextlib.suppress(Exception):
            await run.server.stop()
        run.close()


class ReplayRun:
    """One replay: the exercise clock's origin is the period's start, so every replayed row carries the
    time it had in real life (plus the intake's moment), and scenario time is the offset into the period."""

    def __init__(self, period: Period, db_path: Path, options: ReplayOptions) -> None:
        self.period = period
        self.options = options
        wall = options.wall or SystemClock()
        hold = HOLD_AFTER_S if options.wall is None else None
        self.clock = clock = ExerciseClock(wall, speed=options.speed, origin=period.start, hold_after_s=hold)
        clock.start()
        self.tag = f"replay-{int(period.start)}-{secrets.token_hex(2)}"
        self._db = open_store(db_path)
        policy = load_policy(default_policy_path())
        self.desk = CaseDesk(self._db.conn, Timers(policy), clock)
        self._discovery = Discovery(self.desk, policy, Router(policy.routing).route, exercise_store=True)
        # With a window, its closed loop opens the cases and the real actions go through it (`attach_loop`).
        self.loop: ClosedLoop | None = None
        self.db_path = db_path
        shell = _shell(period, options.zone)
        self.title = shell.title
        self.record = DrillRecord(
            self._db.conn,
            shell,
            self.tag,
            options.speed,
            period.start,
            headless=True,
            unit_kinds={},
        )
        self.server = FeedServer("127.0.0.1", 0, clock=clock)
        self.result = ReplayResult(self.tag)
        self._events = deque(period.events)
        self._metrics = deque(period.metrics)
        self._actions = list(period.actions)
        self._named: set[str] = set()
        self._stopped = False

    async def run(self, pipeline: IntakePipeline) -> ReplayResult:
        options, clock, period = self.options, self.clock, self.period
        zone = options.zone
        options.announce(
            f"replay: {_local(period.start, zone)} – {_local(period.end, zone)} · "
            f"{len(period.events)} events, {len(period.metrics)} readings, {len(period.actions)} case actions"
            f" · {options.speed:g}x · feed {self.server.url}"
        )
        while True:
            self._directions()
            now_s = clock.monotonic()
            self._send(now_s)
            if options.settle:
                await settled(pipeline, self.server, self._db.conn)
            await self._loop_beat(pipeline, now_s)
            if now_s >= period.duration_s or self._stopped or options.stop_requested():
                break
            await asyncio.sleep(options.beat_s)
            if options.on_beat is not None:
                options.on_beat()
        await settled(pipeline, self.server, self._db.conn)
        await self._loop_beat(pipeline, clock.monotonic())
        for action in self._actions:
            if action.at_s <= clock.monotonic():
                self._log_action(action, "no_case", "")
                self.result.unmatched.append(f"{action.case_code} {action.action.value}")
        self.result.fed = pipeline.client.ever_connected
        self.record.finish(clock.now(), ())
        options.announce(_summary(self.result))
        return self.result

    def _directions(self) -> None:
        queue = self.options.director
        while queue is not None and not queue.empty():
            command = queue.get_nowait()
            clock, now_s = self.clock, self.clock.monotonic()
            if command.verb in (Verb.SEND, Verb.SKIP):
                self.options.announce("a replay has no injects to send or skip: pause, resume, status, stop")
                continue
            if command.verb is Verb.PAUSE:
                clock.pause()
            elif command.verb is Verb.RESUME:
                clock.resume()
            elif command.verb is Verb.STOP:
                self._stopped = True
            if command.verb is not Verb.STATUS:
                self.record.log(now_s, clock.now(), "", "director", command.verb.value, by=command.by)
            state = "paused" if not clock.running else f"running at {clock.speed:g}x"
            self.options.announce(f"+{now_s:.0f}s {command.verb.value}: {state}")

    def _send(self, now_s: float) -> None:
        """Every event revision and reading whose moment has come, in their order, flagged exercise."""
        while self._events and self._events[0].at_s <= now_s:
            self._send_event(self._events.popleft())
        while self._metrics and self._metrics[0].at_s <= now_s:
            self._send_metric(self._metrics.popleft())

    def _send_event(self, event: ReplayEvent) -> None:
        key = EventKey(event.source, event.event_id)
        # The review finds each replayed case by its events; they are named after the real case.
        self.record.event(key, self.period.case_of_event.get((event.source, event.event_id), event.event_id))
        self.server.publish_event({**event.payload, "exercise": True})
        self.result.events += 1
        self.record.log(
            event.at_s, self.period.start + event.at_s, event.event_id, "event", "replayed", event.title,
            by=event.source,
        )  # fmt: skip

    def _send_metric(self, metric: ReplayMetric) -> None:
        reading: dict[str, Any] = {
            "name": metric.name, "value": metric.value, "at": wire_time(self.period.start + metric.at_s),
            "labels": {**metric.labels, "exercise": "true"},
        }  # fmt: skip
        if metric.unit:
            reading["unit"] = metric.unit
        self.server.publish_metric(reading)
        self.result.metrics += 1
        if metric.name not in self._named:  # the log names each series once, at its first reading
            self._named.add(metric.name)
            self.record.log(
                metric.at_s, self.period.start + metric.at_s, metric.name, "metric", "replayed", by=REPLAYER
            )

    async def _loop_beat(self, pipeline: IntakePipeline, now_s: float) -> None:
        """Cases opened from what arrived (by the replay's own loop, or the window's), then the people's
        actions that fell due, applied on the loop that owns the store's cases."""
        due = [a for a in self._actions if a.at_s <= now_s]
        if self.loop is None:
            pipeline.drain()  # nothing shows the intake's buffers here: keep them empty
            self._discovery.run_once()
            apply_inbox(self.desk)
            outcomes = apply_due(self.desk, due)
        elif due:
            # The window's loop: its one database thread, through the seam like any command.
            outcomes = await asyncio.wrap_future(self.loop.write(lambda ctx: apply_recorded(ctx.desk, due)))
        else:
            outcomes = []
        done = {id(action) for action, _, _ in outcomes}
        for action, how, detail in outcomes:
            if how == "refused":
                self.result.refused.append(f"{action.case_code} {action.action.value}: {detail}")
            else:
                self.result.applied += 1
            self._log_action(action, how, detail)
        if done:
            pipeline.wake_orders()
        self._actions = [a for a in self._actions if id(a) not in done]

    def _log_action(self, action: ReplayAction, how: str, detail: str) -> None:
        clock = self.clock
        text = f"{action.case_code} {action.action.value}" + (f" → {detail}" if detail else "")
        if action.reason:
            text += f" ({action.reason})"
        by = f"{action.actor} · {action.role.value}"
        self.record.log(clock.monotonic(), clock.now(), action.case_code, "case_action", how, text, by=by)

    def close(self) -> None:
        self._db.close()


def apply_due(desk: CaseDesk, due: list[ReplayAction]) -> list[tuple[ReplayAction, str, str]]:
    """Apply, in order, the real actions whose time has come to the cases opened from the same events:
    (action, "applied" or "refused", detail) for each one carried out or refused. An action whose case has
    not opened yet is left for a later beat, and holds back the later actions on that case."""
    waiting: set[str] = set()
    out: list[tuple[ReplayAction, str, str]] = []
    for action in due:
        case_id = None if action.case_code in waiting else _case_of(desk, action)
        if case_id is None:
            waiting.add(action.case_code)
            continue
        case = desk.get(case_id)
        actor = Actor(action.actor, action.role)
        command = Command(case.id, case.version, action.action, actor, action.reason, dict(action.payload))
        try:
            desk.act(command)
        except Refused as refused:
            # The replay's case may stand elsewhere than the real one did (a merge the loop made otherwise):
            # the refusal is recorded and the replay goes on.
            out.append((action, "refused", f"{case.code}: {refused.code.value} {refused.detail}"))
            continue
        out.append((action, "applied", case.code))
    return out


def apply_recorded(desk: CaseDesk, due: list[ReplayAction]) -> list[tuple[ReplayAction, str, str]]:
    """`apply_due` on the window's desk, whose sign-in check would refuse every real actor: they are not
    signed in at this console, the replay acts for them as recorded (the loop runs one job at a time)."""
    attendance, desk.attendance = desk.attendance, None
    try:
        return apply_due(desk, due)
    finally:
        desk.attendance = attendance


def _case_of(desk: CaseDesk, action: ReplayAction) -> int | None:
    for source, event_id in action.events:
        row = desk.conn.execute(
            "SELECT case_id FROM case_events WHERE source = ? AND event_id = ? ORDER BY linked_at LIMIT 1",
            (source, event_id),
        ).fetchone()
        if row is not None:
            return int(row[0])
    return None


def _shell(period: Period, zone: tzinfo | None) -> Scenario:
    """The replay as a drill run in the drill tables, so `review` reads it as it reads a drill."""
    title = f"回放 {_local(period.start, zone)} – {_local(period.end, zone)}"
    return Scenario(
        title, DrillForm.TABLETOP, DrillScope.COMPREHENSIVE, "", (), period.duration_s, (), (), ()
    )


def _local(t: float, zone: tzinfo | None) -> str:
    return datetime.fromtimestamp(t, zone).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _summary(result: ReplayResult) -> str:
    lines = [
        f"replay ended: {result.events} events, {result.metrics} readings, {result.applied} case actions "
        f"applied, {len(result.refused)} refused, {len(result.unmatched)} without their case"
    ]
    lines += [f"  refused: {line}" for line in result.refused[:20]]
    lines += [f"  no case: {line}" for line in result.unmatched[:20]]
    return "\n".join(lines)
