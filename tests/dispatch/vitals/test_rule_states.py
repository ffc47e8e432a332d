"""Rule states: pending for `for`, hysteresis, keep-firing, flapping input and silent series."""

from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.vitals.rules import AlertRule, AlertState, RuleKind
from tests.dispatch.vitals.drive import drive, entries

FIRING, PENDING, RESOLVED = AlertState.FIRING, AlertState.PENDING, AlertState.RESOLVED

dts = st.floats(min_value=1.0, max_value=90.0)
levels = st.floats(min_value=3.0, max_value=5.0)
walks = st.lists(st.tuples(dts, levels), min_size=1, max_size=60)


def level_rule(for_s: float = 0.0, keep_s: float = 0.0, recovery: float | None = None) -> AlertRule:
    return AlertRule(
        "water_high",
        "water_level_max",
        RuleKind.THRESHOLD,
        4.0,
        recovery=recovery,
        for_s=for_s,
        keep_firing_s=keep_s,
    )


@settings(max_examples=150, deadline=None)
@given(walks, st.floats(min_value=0.0, max_value=600.0))
def test_fires_only_after_the_condition_held_for_the_whole_pending_period(walk, for_s):
    steps = drive(level_rule(for_s=for_s), list(walk))
    run_start: float | None = None
    for step in steps:
        assert step.value is not None
        hot = step.value >= 4.0
        run_start = (step.at if run_start is None else run_start) if hot else None
        for t in step.transitions:
            if t.new is FIRING:
                # Never before `for` has passed with every evaluation since seeing the condition.
                assert run_start is not None
                assert step.at - run_start >= for_s
        if run_start is not None and step.at - run_start >= for_s:
            assert step.state is FIRING  # and never later than that either
        if not hot:
            assert step.state is not PENDING


def test_a_dip_below_the_threshold_restarts_the_pending_period():
    rule = level_rule(for_s=120.0)
    steps = drive(rule, [(10, 4.2), (60, 4.3), (30, 3.9), (10, 4.2), (60, 4.2), (59, 4.2), (1, 4.2)])
    assert [s.state for s in steps] == [
        PENDING,
        PENDING,
        AlertState.INACTIVE,
        PENDING,
        PENDING,
        PENDING,
        FIRING,
    ]


@settings(max_examples=150, deadline=None)
@given(walks, st.floats(min_value=0.0, max_value=300.0))
def test_hysteresis_a_new_firing_needs_a_recovery_below_the_lower_line_first(walk, keep_s):
    steps = drive(level_rule(keep_s=keep_s, recovery=3.6), list(walk))
    recovered_since_firing = True
    for step in steps:
        assert step.value is not None
        if any(t.new is FIRING for t in step.transitions):
            assert recovered_since_firing
            recovered_since_firing = False
        if step.value < 3.6:
            recovered_since_firing = True
        if any(t.old is FIRING for t in step.transitions):
            assert step.value < 3.6  # between the lines it stays firing


def test_values_between_the_two_lines_keep_the_alert_firing():
    steps = drive(level_rule(recovery=3.6), [(10, 4.1), (10, 3.7), (10, 3.95), (10, 3.61), (10, 3.59)])
    assert [s.state for s in steps] == [FIRING, FIRING, FIRING, FIRING, RESOLVED]


def test_keep_firing_holds_the_alert_until_the_value_stayed_clear_that_long():
    rule = level_rule(keep_s=300.0)
    steps = drive(rule, [(10, 4.5), (10, 3.5), (200, 3.5), (10, 4.1), (10, 3.5), (299, 3.5), (1, 3.5)])
    assert [s.state for s in steps] == [FIRING] * 6 + [RESOLVED]
    assert entries(steps, FIRING) == [steps[0].at]  # the bounce did not fire a second time


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(dts, st.sampled_from([3.0, 3.9, 4.0, 4.6])), min_size=1, max_size=80),
    st.floats(min_value=0.0, max_value=900.0),
    st.floats(min_value=0.0, max_value=120.0),
)
def test_flapping_input_fires_at_most_once_per_keep_firing_window(walk, keep_s, for_s):
    steps = drive(level_rule(for_s=for_s, keep_s=keep_s), list(walk))
    fired = entries(steps, FIRING)
    assert all(later - earlier >= keep_s for earlier, later in itertools.pairwise(fired))
    # Every firing is matched by at most one resolution: no resolve/fire pairs within one step.
    assert len(entries(steps, RESOLVED)) <= len(fired)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(dts, st.one_of(st.none(), levels)), min_size=1, max_size=60))
def test_a_series_silent_for_the_no_data_time_is_in_nodata_and_says_how_long(walk):
    rule = AlertRule("water_high", "water_level_max", RuleKind.THRESHOLD, 4.0, nodata_s=120.0)
    steps = drive(rule, [(1.0, 3.5), *walk])
    last_sample = steps[0].at
    for step in steps:
        if step.value is not None:
            last_sample = step.at
        silent = step.at - last_sample
        assert (step.state is AlertState.NODATA) == (silent >= 120.0)
        if step.state is AlertState.NODATA:
            assert math.isclose(step.measure, silent)
    nodata_entries = entries(steps, AlertState.NODATA)
    assert len(nodata_entries) == len(set(nodata_entries))


def test_a_sensor_that_comes_back_is_judged_again_from_inactive():
    rule = AlertRule("water_high", "water_level_max", RuleKind.THRESHOLD, 4.0, nodata_s=600.0, for_s=60.0)
    steps = drive(rule, [(1, 4.2), (600, None), (30, 4.3), (60, 4.3)])
    assert [s.state for s in steps] == [PENDING, AlertState.NODATA, PENDING, FIRING]
    back = steps[2].transitions[0]
    assert (back.old, back.new) == (AlertState.NODATA, PENDING)
