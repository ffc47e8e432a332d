"""A rule that fires becomes an EVENT for the intake (source `vitals`); its resolution clears that alarm."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from dispatch.feed.protocol import Event
from dispatch.vitals.rules import AlertRule, AlertState, Transition

SOURCE = "vitals"
CATEGORY = "vital_sign"


def device(transition: Transition) -> str:
    """One alarming thing per rule and series: the episode that repeats and clearings fold into."""
    series = transition.series
    return f"{transition.rule}|{series.metric}|{series.area or '*'}"[:128]


def alarm_event(rule: AlertRule, transition: Transition) -> Event | None:
    """The EVENT for a transition that matters to the duty desk, else None.

    Entering FIRING raises an alarm; leaving FIRING for RESOLVED clears it (same device, `cleared`), so the
    case it opened is proposed for clearing instead of a second case. Pending, silence and returns from
    silence raise nothing: keep-firing bounds firings to one per window, and the episode folds repeats.
    The description is JSON: the rule, series, value, measure, threshold and trend for the case's record.
    """
    firing = transition.new is AlertState.FIRING
    cleared = transition.old is AlertState.FIRING and transition.new is AlertState.RESOLVED
    if not (firing or cleared):
        return None
    series = transition.series
    facts = {
        "rule": transition.rule,
        "kind": rule.kind.value,
        "metric": series.metric,
        "area": series.area,
        "state": transition.new.name.lower(),
        "value": _number(transition.value),
        "measure": _number(transition.measure),
        "threshold": transition.threshold,
        "trend_per_hour": _number(transition.trend_per_s * 3600.0),
    }
    return Event(
        id=f"{device(transition)}|{transition.at:.3f}|{'clear' if cleared else 'fire'}"[-128:],
        source=SOURCE,
        category=CATEGORY,
        title=f"{transition.rule} · {series.metric}{f' · {series.area}' if series.area else ''}"[:200],
        severity=rule.level,
        occurred_at=datetime.fromtimestamp(transition.at, UTC),
        description=json.dumps(facts, ensure_ascii=False),
        device=device(transition),
        cleared=cleared,
    )


def _number(value: float) -> float | None:
    """JSON has no nan or infinity: an unknown figure is null."""
    return value if math.isfinite(value) else None
