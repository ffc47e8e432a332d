"""Delivering a drill's firings: each kind the way it travels on the feed, each logged with who sent it."""

from __future__ import annotations

from dataclasses import dataclass, field

from dispatch.drill.exercise_clock import ExerciseClock
from dispatch.drill.expectations import Verdict
from dispatch.drill.master_list import Firing, How
from dispatch.drill.observed import EventKey
from dispatch.drill.scenario import (
    CameraScene,
    CapWarning,
    Inject,
    MetricCurve,
    PhoneCall,
    Scenario,
    UnitReport,
)
from sim.drill.frames import FrameMaker
from sim.drill.record import CONTROLLER, DrillRecord
from sim.drill.units import DrillUnits
from sim.server import FeedServer


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
    fed: bool = False  # the intake reached the drill's feed server (False: nothing could be stored)


@dataclass(slots=True)
class Delivery:
    """Sends firings the way each kind travels, and logs each with how it came about and who sent it."""

    scenario: Scenario
    server: FeedServer
    frames: FrameMaker
    units: DrillUnits
    record: DrillRecord
    clock: ExerciseClock
    result: DrillResult
    keys: dict[EventKey, str] = field(default_factory=dict)
    calls: list[tuple[float, str]] = field(default_factory=list)  # (when to log it, inject): the intake desk
    ringing: dict[str, Inject] = field(default_factory=dict)  # the calls' injects (a director's copy too)

    def send(self, firing: Firing, by: str = CONTROLLER) -> None:
        inject, now, record = firing.inject, self.clock.now(), self.record
        body = inject.body
        how = firing.how.value
        if firing.how is How.CONTINGENCY:
            self.result.contingencies.append(inject.id)
        if isinstance(body, MetricCurve):
            self.server.publish_metric(self.frames.metric(inject, firing.value, now))
            if firing.sample == 0:
                record.log(firing.due_s, now, inject.id, "metric", how, body.name, by=by)
            return
        key = self.frames.key(inject)
        if key is not None and key not in self.keys:
            self.keys[key] = inject.id
            record.event(key, inject.id)
        if isinstance(body, UnitReport):
            # The scripted answer is ready; it goes out `after_order` after the order for its case arrives.
            self.units.armed.add(inject.id)
            record.log(firing.due_s, now, inject.id, "unit_report", "armed", f"→ {body.to}", by=by)
        elif isinstance(body, PhoneCall):
            # The phone rings now; the (simulated) intake officer logs it a little later.
            self.calls.append((firing.due_s + body.log_delay_s, inject.id))
            self.ringing[inject.id] = inject
            record.log(firing.due_s, now, inject.id, "call", how, f"{body.caller}: {body.says}", by=by)
        elif isinstance(body, CapWarning):
            self.server.publish_cap(self.frames.cap(inject, now))
            record.log(firing.due_s, now, inject.id, "cap", how, body.headline, by=by)
        else:
            self.server.publish_event(self.frames.event(inject, now))
            kind = "camera" if isinstance(body, CameraScene) else "event"
            record.log(firing.due_s, now, inject.id, kind, how, str(getattr(body, "title", "")), by=by)

    def log_calls(self, now_s: float) -> None:
        """The (simulated) intake officer logs the calls whose time has come, as hotline events."""
        for due_s, inject_id in [c for c in self.calls if c[0] <= now_s]:
            self.calls.remove((due_s, inject_id))
            inject = self.ringing.pop(inject_id)
            self.server.publish_event(self.frames.event(inject, self.clock.now()))
            self.result.calls_logged += 1
            self.record.log(now_s, self.clock.now(), inject_id, "call", "logged", by="模拟接线员")
