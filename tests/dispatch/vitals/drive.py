"""Drives one alert rule over one series on a hand-moved clock, keeping what each evaluation saw."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import ManualClock
from dispatch.vitals.history import SeriesHistory
from dispatch.vitals.monitor import VitalsMonitor
from dispatch.vitals.rules import AlertRule, AlertState, SeriesKey, Transition

KEY = SeriesKey("water_level_max", "339901")


@dataclass(frozen=True)
class Step:
    at: float
    value: float | None  # None: no sample this step
    state: AlertState
    measure: float
    transitions: tuple[Transition, ...]


def drive(
    rule: AlertRule, steps: list[tuple[float, float | None]], *, resolution_s: float = 1.0
) -> list[Step]:
    """Each step: move the clock by dt, record the value (if any) at the new now, evaluate."""
    clock = ManualClock()
    monitor = VitalsMonitor([rule], clock, SeriesHistory(slots=256, resolution_s=resolution_s))
    seen: list[Step] = []
    for dt, value in steps:
        clock.advance(dt)
        if value is not None:
            monitor.record([(KEY, clock.now(), value)])
        transitions = monitor.evaluate()
        result = monitor.latest[rule.name]
        state = AlertState(int(result.states.state[0])) if result.states.state.size else AlertState.INACTIVE
        measure = float(result.measure[0]) if result.measure.size else float("nan")
        seen.append(Step(clock.now(), value, state, measure, transitions))
    return seen


def entries(steps: list[Step], state: AlertState) -> list[float]:
    """The times the rule entered `state`."""
    return [s.at for s in steps for t in s.transitions if t.new is state]
