"""What rules measure: rate of change over a window and the predicted time to breach a limit."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.vitals.history import SeriesHistory
from dispatch.vitals.monitor import VitalsMonitor
from dispatch.vitals.rules import AlertRule, AlertState, RuleKind, SeriesKey
from tests.dispatch.vitals.drive import drive, entries

starts = st.floats(min_value=-50.0, max_value=50.0)
slopes = st.floats(min_value=-0.01, max_value=0.01).filter(lambda b: abs(b) > 1e-5)
intervals = st.floats(min_value=5.0, max_value=60.0)


def line(start: float, slope: float, every: float, count: int) -> list[tuple[float, float | None]]:
    """Samples of start + slope·t, one every `every` seconds (the first step moves the clock by `every`)."""
    return [(every, start + slope * every * (n + 1)) for n in range(count)]


@settings(max_examples=100, deadline=None)
@given(starts, slopes, intervals)
def test_rate_is_the_slope_of_linear_data_per_hour(start, slope, every):
    rule = AlertRule("rising", "water_level_max", RuleKind.RATE, 1e9, window_s=600.0)
    steps = drive(rule, line(start, slope, every, 30))
    assert math.isclose(steps[-1].measure, slope * 3600.0, rel_tol=1e-6)


def test_a_rate_rule_fires_on_a_fast_rise_and_not_on_a_slow_one():
    rule = AlertRule("rising", "water_level_max", RuleKind.RATE, 0.5, window_s=600.0, for_s=120.0)
    slow = drive(rule, line(3.0, 0.4 / 3600, 30, 40))
    fast = drive(rule, line(3.0, 0.6 / 3600, 30, 40))
    assert entries(slow, AlertState.FIRING) == []
    assert entries(fast, AlertState.FIRING) != []


@settings(max_examples=100, deadline=None)
@given(starts, slopes, intervals, st.floats(min_value=0.5, max_value=200.0))
def test_time_to_breach_is_exact_on_linear_data(start, slope, every, distance):
    # The limit lies `distance` ahead of the last sample in the direction the line moves.
    steps_in = line(start, slope, every, 20)
    last = steps_in[-1][1]
    assert last is not None
    rising = slope > 0
    limit = last + distance if rising else last - distance
    rule = AlertRule(
        "soon", "water_level_max", RuleKind.TIME_TO_BREACH, 1800.0, above=rising, limit=limit, window_s=900.0
    )
    steps = drive(rule, steps_in)
    assert math.isclose(steps[-1].measure, distance / abs(slope), rel_tol=1e-6)


def test_time_to_breach_warns_before_the_crossing_and_says_when():
    # 3.0 m rising 0.6 m/h: reaches 4.0 m 100 minutes after the start; the warning horizon is 35 minutes.
    rule = AlertRule("soon", "water_level_max", RuleKind.TIME_TO_BREACH, 35 * 60.0, limit=4.0, window_s=900.0)
    steps = drive(rule, line(3.0, 0.6 / 3600, 60, 90))
    fired = [s for s in steps if any(t.new is AlertState.FIRING for t in s.transitions)]
    assert len(fired) == 1
    crossing = steps[0].at - 60 + 100 * 60
    assert fired[0].at < crossing
    assert math.isclose(crossing - fired[0].at, fired[0].measure, rel_tol=1e-6)
    assert fired[0].measure <= 35 * 60.0


def test_a_level_moving_away_or_already_past_the_limit():
    rule = AlertRule("soon", "water_level_max", RuleKind.TIME_TO_BREACH, 1800.0, limit=4.0)
    falling = drive(rule, line(3.5, -0.001, 30, 10))
    past = drive(rule, line(4.5, 0.001, 30, 10))
    assert falling[-1].measure == math.inf
    assert falling[-1].state is AlertState.INACTIVE
    assert past[-1].measure == 0.0
    assert past[-1].state is AlertState.FIRING


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.floats(min_value=0.0, max_value=40.0),
            st.floats(allow_nan=True, allow_infinity=True, width=64),
        ),
        max_size=120,
    )
)
def test_many_series_at_once_match_each_series_alone_whatever_the_values(feed):
    """Garbage (nan, inf, huge, out of order) is dropped or judged; one series never changes another."""
    rule = AlertRule(
        "soon", "m", RuleKind.TIME_TO_BREACH, 600.0, limit=10.0, for_s=30.0, keep_firing_s=60.0, nodata_s=90.0
    )
    keys = [SeriesKey("m", f"a{n}") for n in range(6)]
    clock = ManualClock()
    together = VitalsMonitor([rule], clock, SeriesHistory(slots=32, resolution_s=5.0))
    alone = {k: VitalsMonitor([rule], clock, SeriesHistory(slots=32, resolution_s=5.0)) for k in keys}
    for n, dt, value in feed:
        clock.advance(dt)
        key = keys[n]
        together.record([(key, clock.now() - dt / 2, value)])
        alone[key].record([(key, clock.now() - dt / 2, value)])
        mixed = {(t.series, t.new) for t in together.evaluate()}
        single = {(t.series, t.new) for m in alone.values() for t in m.evaluate()}
        assert mixed == single
    result = together.latest.get("soon")
    if result is not None:
        assert np.all(np.isin(result.states.state, [s.value for s in AlertState]))
