"""The alert rules' standing per metric, for the desk's and the wall's tiles and charts (raising nothing)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.clock import Clock
from dispatch.feed.values import MetricSample
from dispatch.vitals.monitor import VitalsMonitor
from dispatch.vitals.rules import AlertRule, AlertState, RuleKind, SeriesKey
from dispatch.vitals.watch import AREA_LABEL
from widgets.situation.vital_alerts import VitalAlert, VitalLine

_WORST = (AlertState.FIRING, AlertState.PENDING, AlertState.NODATA)
_WORDS = {AlertState.FIRING: "firing", AlertState.PENDING: "pending", AlertState.NODATA: "nodata"}


@dataclass(frozen=True, slots=True)
class Alarms:
    """Each metric's standing after one evaluation."""

    by_metric: dict[str, VitalAlert]
    lines_by_metric: dict[str, tuple[VitalLine, ...]]

    @property
    def firing(self) -> tuple[str, ...]:
        return tuple(name for name, alert in self.by_metric.items() if alert.state in ("firing", "predicted"))

    def of(self, name: str) -> VitalAlert:
        return self.by_metric.get(name, VitalAlert())

    def lines(self, name: str) -> tuple[VitalLine, ...]:
        return self.lines_by_metric.get(name, ())


class VitalStates:
    """The same rules the duty console judges, over the readings the wall reads from the store.

    The wall only shows what they say; the console raises the alarms into the intake, so nothing is raised
    twice and the wall stays read-only.
    """

    def __init__(self, rules: Sequence[AlertRule], clock: Clock) -> None:
        self.rules = tuple(rules)
        self._monitor = VitalsMonitor(self.rules, clock)
        self._wanted = {rule.metric for rule in self.rules}

    def record(self, metrics: Iterable[MetricSample]) -> None:
        self._monitor.record(
            (SeriesKey(m.name, dict(m.labels).get(AREA_LABEL)), m.at, m.value)
            for m in metrics
            if m.name in self._wanted
        )

    def evaluate(self) -> Alarms:
        self._monitor.evaluate()
        return alarms_of(self._monitor, self.rules)


def alarms_of(monitor: VitalsMonitor, rules: Sequence[AlertRule]) -> Alarms:
    """Each metric's standing after the monitor's last evaluation (the console's own VitalsWatch, or the
    wall's VitalStates)."""
    keys = monitor.history.keys
    states: dict[str, list[AlertState]] = {}
    predictions: dict[str, float] = {}
    silences: dict[str, float] = {}
    levels: dict[str, int] = {}
    lines: dict[str, list[VitalLine]] = {}
    # A firing prediction warns before the line; a firing threshold or rate is the alarm itself.
    crossed: set[str] = set()
    predicted: set[str] = set()
    for rule in rules:
        result = monitor.latest.get(rule.name)
        if result is None:
            continue
        # The evaluator keeps a rule's series in the order they were first seen (monitor.py).
        selected = [k for k in keys if rule.selects(k.metric, k.area)]
        worst = AlertState.INACTIVE
        for n, _key in enumerate(selected[: result.states.state.size]):
            state = AlertState(int(result.states.state[n]))
            measure = float(result.measure[n])
            states.setdefault(rule.metric, []).append(state)
            if state is AlertState.FIRING:
                levels[rule.metric] = min(levels.get(rule.metric, 4), rule.level)
                if rule.kind is RuleKind.TIME_TO_BREACH:
                    predicted.add(rule.metric)
                else:
                    crossed.add(rule.metric)
            if state is AlertState.NODATA and math.isfinite(measure):
                silences[rule.metric] = max(silences.get(rule.metric, 0.0), measure)
            if (
                rule.kind is RuleKind.TIME_TO_BREACH
                and state is not AlertState.NODATA
                and math.isfinite(measure)
                and 0 < measure <= rule.clear_at
            ):
                predictions[rule.metric] = min(predictions.get(rule.metric, math.inf), measure)
            if _rank(state) < _rank(worst):
                worst = state
        line = _line(rule, worst)
        if line is not None:
            lines.setdefault(rule.metric, []).append(line)
    alerts = {}
    for metric, found in states.items():
        state = next((s for s in _WORST if s in found), AlertState.INACTIVE)
        words = _WORDS.get(state, "ok")
        if metric in predicted and metric not in crossed:
            words = "predicted"
        alerts[metric] = VitalAlert(
            state=words,
            breach_in_s=predictions.get(metric),
            silent_s=silences.get(metric),
            level=levels.get(metric),
        )
    return Alarms(alerts, {metric: tuple(found) for metric, found in lines.items()})


def _rank(state: AlertState) -> int:
    return _WORST.index(state) if state in _WORST else len(_WORST)


def _line(rule: AlertRule, worst: AlertState) -> VitalLine | None:
    """The level a chart draws for a rule: its threshold, or the limit a prediction is about."""
    if rule.kind is RuleKind.THRESHOLD:
        return VitalLine(rule.threshold, _WORDS.get(worst, "ok"))
    if rule.kind is RuleKind.TIME_TO_BREACH and rule.limit is not None:
        return VitalLine(rule.limit, _WORDS.get(worst, "ok"))
    return None
