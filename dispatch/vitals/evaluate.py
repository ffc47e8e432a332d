"""Evaluates one alert rule over many series at once: measures, state steps and the transitions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dispatch.vitals.history import Window
from dispatch.vitals.rules import AlertRule, AlertState, RuleKind, Transition

Floats = npt.NDArray[np.float64]
States = npt.NDArray[np.int8]

_INACTIVE, _PENDING, _FIRING = AlertState.INACTIVE, AlertState.PENDING, AlertState.FIRING
_RESOLVED, _NODATA = AlertState.RESOLVED, AlertState.NODATA


@dataclass(frozen=True, slots=True)
class RuleStates:
    """One rule's standing for each of its series (arrays in the order of the window's keys)."""

    state: States
    since: Floats  # when the series entered its state (for PENDING: when the condition began to hold)
    cleared: Floats  # FIRING only: when the measure went back past recovery (nan while it has not)

    @staticmethod
    def fresh(count: int) -> RuleStates:
        return RuleStates(np.zeros(count, np.int8), np.full(count, np.nan), np.full(count, np.nan))

    def extended(self, count: int) -> RuleStates:
        """The same standing with new, inactive series appended up to `count`."""
        more = count - self.state.size
        if more <= 0:
            return self
        extra = RuleStates.fresh(more)
        return RuleStates(
            np.concatenate([self.state, extra.state]),
            np.concatenate([self.since, extra.since]),
            np.concatenate([self.cleared, extra.cleared]),
        )


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of one evaluation: the new standing, what the rule measured, and what changed."""

    states: RuleStates
    measure: Floats  # per series; see Transition.measure
    trend_per_s: Floats
    transitions: tuple[Transition, ...]


def fit(window: Window, now: float, span_s: float) -> tuple[Floats, Floats]:
    """Least-squares line through each series' samples in (now - span_s, now]: (slope per s, value at now).

    Times are taken relative to `now` and values relative to the latest one, so the sums stay small and
    exact enough; nan without two distinct times. Sums rather than deviations: four passes over the
    window instead of eight, which is most of the cost of judging ten thousand series.
    """
    # Values near the float limit overflow to inf or nan: such a series has no usable trend, nothing worse.
    with np.errstate(all="ignore"):
        rel = window.times - now
        # Empty slots have nan times and fall outside; the history keeps no non-finite value.
        inside = (rel > -span_s) & (rel <= 0)
        t = np.where(inside, rel, 0.0)
        v = np.where(inside, window.values - window.latest_v[:, None], 0.0)
        count = np.count_nonzero(inside, axis=1).astype(np.float64)
        sum_t, sum_v = t.sum(axis=1), v.sum(axis=1)
        sum_tt, sum_tv = np.einsum("ij,ij->i", t, t), np.einsum("ij,ij->i", t, v)
        spread = count * sum_tt - sum_t * sum_t
        slope = np.where(spread > 1e-9 * count * sum_tt, (count * sum_tv - sum_t * sum_v) / spread, np.nan)
        at_now = (sum_v - slope * sum_t) / count + window.latest_v
        return slope, at_now


def measure(rule: AlertRule, window: Window, now: float) -> tuple[Floats, Floats]:
    """What the rule judges in each series, and the fitted trend (units per second).

    A threshold rule judges the latest value alone: its trend is left nan here and fitted only for the
    series whose state changes (evaluate), where a transition reports it.
    """
    if rule.kind is RuleKind.THRESHOLD:
        return window.latest_v.copy(), np.full(window.latest_v.size, np.nan)
    slope, at_now = fit(window, now, rule.window_s)
    if rule.kind is RuleKind.RATE:
        with np.errstate(all="ignore"):
            return slope * rule.per_s, slope
    assert rule.limit is not None  # AlertRule refuses a time-to-breach rule without one
    speed = slope if rule.above else -slope
    with np.errstate(all="ignore"):
        gap = (rule.limit - at_now) if rule.above else (at_now - rule.limit)
        ahead = np.where(speed > 0, gap / speed, np.inf)
        past = (gap <= 0) | (
            (window.latest_v >= rule.limit) if rule.above else (window.latest_v <= rule.limit)
        )
    return np.where(np.isnan(slope), np.nan, np.where(past, 0.0, ahead)), slope


def evaluate(rule: AlertRule, before: RuleStates, window: Window, now: float) -> Evaluation:
    """One step of the rule's state machine for every series in the window, at `now`."""
    value, trend = measure(rule, window, now)
    with np.errstate(all="ignore"):
        if rule.high_is_bad:
            hot, warm = value >= rule.threshold, value >= rule.clear_at
        else:
            hot, warm = value <= rule.threshold, value <= rule.clear_at
    state, since, cleared = before.state.copy(), before.since.copy(), before.cleared.copy()
    old = before.state

    idle = (old == _INACTIVE) | (old == _RESOLVED) | (old == _NODATA)
    start = idle & hot
    state[start] = _PENDING if rule.for_s > 0 else _FIRING
    since[start] = now
    back = idle & ~hot & (old == _NODATA)
    state[back] = _INACTIVE
    since[back] = now

    pending = old == _PENDING
    dropped = pending & ~hot
    state[dropped] = _INACTIVE
    since[dropped] = now
    due = pending & hot & (now - before.since >= rule.for_s)
    state[due] = _FIRING
    since[due] = now

    firing = old == _FIRING
    cleared[firing & warm] = np.nan
    calm = firing & ~warm
    cleared[calm] = np.where(np.isnan(cleared[calm]), now, cleared[calm])
    done = calm & (now - cleared >= rule.keep_firing_s)
    state[done] = _RESOLVED
    since[done] = now
    cleared[done] = np.nan

    if rule.nodata_s is not None:
        silent = ~(now - window.latest_t < rule.nodata_s)  # never reported (nan) counts as silent
        gone = silent & (old != _NODATA)
        state[silent] = _NODATA
        since[gone] = now
        cleared[silent] = np.nan
        value = np.where(silent, now - window.latest_t, value)

    after = RuleStates(state, since, cleared)
    changed = np.flatnonzero(state != old)
    if rule.kind is RuleKind.THRESHOLD and changed.size:
        trend = trend.copy()
        trend[changed], _ = fit(window.subset(changed), now, rule.window_s)
    transitions = tuple(
        Transition(
            rule=rule.name,
            series=window.keys[i],
            old=AlertState(int(old[i])),
            new=AlertState(int(state[i])),
            at=now,
            value=float(window.latest_v[i]),
            measure=float(value[i]),
            threshold=rule.limit
            if rule.kind is RuleKind.TIME_TO_BREACH and rule.limit is not None
            else rule.threshold,
            trend_per_s=float(trend[i]),
        )
        for i in changed
    )
    return Evaluation(after, value, trend, transitions)
