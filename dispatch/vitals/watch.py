"""The vital signs on duty: metric readings in, a beat that evaluates every rule and raises alarm events."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from core.clock import Clock
from dispatch.feed.protocol import Event
from dispatch.feed.values import MetricSample
from dispatch.vitals.alerts import alarm_event
from dispatch.vitals.monitor import VitalsMonitor
from dispatch.vitals.rules import AlertRule, SeriesKey, Transition

log = logging.getLogger(__name__)
AREA_LABEL = "district"


class VitalsWatch:
    """Feeds committed readings to a VitalsMonitor; `beat()` (once a second) submits one event per alarm.

    `submit` is the intake's local-event entry (dispatch.feed.pipeline.IntakePipeline.submit_local). An event
    it refuses is logged and counted; the other transitions of the beat still go in.
    """

    def __init__(self, rules: Sequence[AlertRule], clock: Clock, submit: Callable[[Event], None]) -> None:
        self.monitor = VitalsMonitor(rules, clock)
        self.rules = tuple(rules)
        self._rules = {rule.name: rule for rule in rules}
        self._submit = submit
        self.raised = 0
        self.refused = 0

    def take(self, metrics: Sequence[MetricSample]) -> None:
        """Readings as the pipeline committed them; only metrics some rule judges are kept."""
        wanted = {rule.metric for rule in self._rules.values()}
        self.monitor.record(
            (SeriesKey(m.name, dict(m.labels).get(AREA_LABEL)), m.at, m.value)
            for m in metrics
            if m.name in wanted
        )

    def beat(self) -> tuple[Transition, ...]:
        """Every rule once at the clock's now; alarms and clearings go to the intake."""
        transitions = self.monitor.evaluate()
        for transition in transitions:
            event = alarm_event(self._rules[transition.rule], transition)
            if event is None:
                continue
            try:
                self._submit(event)
            except ValueError as error:
                self.refused += 1
                log.error("vital-sign alarm %s was not taken in: %s", event.id, error)
            else:
                self.raised += 1
        return transitions
