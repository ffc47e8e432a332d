"""Keeps the vital-sign history and every rule's standing, and evaluates them on the injected clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from core.clock import Clock
from dispatch.vitals.evaluate import Evaluation, RuleStates, evaluate
from dispatch.vitals.history import Ints, SeriesHistory
from dispatch.vitals.rules import AlertRule, SeriesKey, Transition


class VitalsMonitor:
    """Samples go in as they arrive; `evaluate()` steps every rule once and returns what changed.

    The rules themselves are pure (dispatch/vitals/evaluate.py); this holds their standing between beats.
    """

    def __init__(self, rules: Sequence[AlertRule], clock: Clock, history: SeriesHistory | None = None):
        names = [rule.name for rule in rules]
        if len(set(names)) != len(names):
            raise ValueError("alert rule names must be unique")
        self.rules = tuple(rules)
        self._clock = clock
        if history is None:
            # Enough slots to cover the longest window with a few to spare, whatever the feed's rate.
            longest = max((rule.window_s for rule in self.rules), default=600.0)
            history = SeriesHistory(slots=64, resolution_s=max(1.0, longest / 60))
        self.history = history
        self._rows: list[Ints] = [np.zeros(0, np.intp) for _ in self.rules]
        self._states = [RuleStates.fresh(0) for _ in self.rules]
        self._seen = 0
        self.latest: dict[str, Evaluation] = {}

    def record(self, readings: Iterable[tuple[SeriesKey, float, float]]) -> None:
        """(series, time, value) readings, e.g. the feed's `metric` messages."""
        rows, times, values = [], [], []
        for key, at, value in readings:
            rows.append(self.history.row(key))
            times.append(at)
            values.append(value)
        self.history.record(np.asarray(rows, np.intp), np.asarray(times), np.asarray(values))

    def evaluate(self) -> tuple[Transition, ...]:
        """Every rule, once, at the clock's now: the transitions, rule by rule."""
        now = self._clock.now()
        self._select_new_series()
        changes: list[Transition] = []
        for n, rule in enumerate(self.rules):
            result = evaluate(rule, self._states[n], self.history.window(self._rows[n]), now)
            self._states[n] = result.states
            self.latest[rule.name] = result
            changes.extend(result.transitions)
        return tuple(changes)

    def _select_new_series(self) -> None:
        """Series seen for the first time join the rules that select them, at the end of their rows."""
        keys = self.history.keys
        if len(keys) == self._seen:
            return
        fresh = range(self._seen, len(keys))
        for n, rule in enumerate(self.rules):
            added = [r for r in fresh if rule.selects(keys[r].metric, keys[r].area)]
            if added:
                self._rows[n] = np.concatenate([self._rows[n], np.asarray(added, np.intp)])
                self._states[n] = self._states[n].extended(self._rows[n].size)
        self._seen = len(keys)
