"""The exercise clock on a hand-driven wall: scenario time, pauses that keep the spacing, held jumps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.drill import ExerciseClock, parse_scenario
from dispatch.drill.master_list import How, MasterList
from tests.dispatch.drill.samples import SMALL

_steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.floats(0, 5000)),
        st.tuples(st.just("pause"), st.just(0.0)),
        st.tuples(st.just("resume"), st.just(0.0)),
    ),
    max_size=40,
)


@given(_steps, st.sampled_from([1.0, 2.0, 5.0, 10.0]))
def test_scenario_time_is_wall_time_less_pauses_times_speed(
    steps: list[tuple[str, float]], speed: float
) -> None:
    wall = ManualClock()
    clock = ExerciseClock(wall, speed=speed)
    clock.start()
    running, running_wall, paused_wall = True, 0.0, 0.0
    for what, seconds in steps:
        if what == "wait":
            wall.advance(seconds)
            if running:
                running_wall += seconds
            else:
                paused_wall += seconds
        elif what == "pause":
            clock.pause()
            running = False
        else:
            clock.resume()
            running = True
        assert clock.monotonic() == pytest.approx(running_wall * speed)
        assert clock.paused_s == pytest.approx(paused_wall)
        assert clock.now() == pytest.approx(1_767_225_600.0 + running_wall * speed)


def test_nothing_fires_in_a_burst_after_a_long_pause() -> None:
    wall = ManualClock()
    clock = ExerciseClock(wall, speed=10)
    master = MasterList(parse_scenario(SMALL, "s.yaml"))
    clock.start()
    wall.advance(31)  # 5 min 10 s of scenario time: the warning, the first gauge readings, the event
    due = [(f.inject.id, f.due_s) for f in master.due(clock.monotonic())]
    assert due == [("I1", 0), ("I2", 120), ("I2", 180), ("I2", 240), ("I3", 300), ("I2", 300)]
    clock.pause()
    wall.advance(3 * 3600)
    clock.resume()
    assert master.due(clock.monotonic()) == []
    # The unit's report slot (6 min) and the next reading come 50 s of scenario time after the pause, as
    # they were due 50 s after it began: at 10x, 5 wall seconds after the resume.
    wall.advance(4.9)
    assert master.due(clock.monotonic()) == []
    wall.advance(0.1)
    assert [(f.inject.id, f.due_s) for f in master.due(clock.monotonic())] == [("I5", 360.0), ("I2", 360.0)]


def test_a_wall_jump_is_held_like_a_pause() -> None:
    wall = ManualClock()
    clock = ExerciseClock(wall, speed=5, hold_after_s=5)
    clock.start()
    for _ in range(4):
        wall.advance(1)
        clock.monotonic()
    assert clock.monotonic() == 20
    wall.advance(3600)  # the laptop slept
    assert clock.monotonic() == 20
    assert clock.held_s == 3600
    wall.advance(2)
    assert clock.monotonic() == 30


def test_a_new_speed_keeps_the_time_already_passed() -> None:
    wall = ManualClock()
    clock = ExerciseClock(wall, speed=2)
    clock.start()
    wall.advance(10)
    clock.set_speed(10)
    wall.advance(1)
    assert clock.monotonic() == 30
    with pytest.raises(ValueError, match="speed"):
        clock.set_speed(0)


def test_send_now_fires_at_once_even_while_paused_and_only_once() -> None:
    wall = ManualClock()
    clock = ExerciseClock(wall)
    master = MasterList(parse_scenario(SMALL, "s.yaml"))
    clock.start()
    wall.advance(30)
    clock.pause()
    sent = master.send_now("I4", clock.monotonic())
    assert [(f.inject.id, f.due_s, f.how) for f in sent] == [("I4", 30.0, How.SENT_NOW)]
    with pytest.raises(ValueError, match="already fired"):
        master.send_now("I4", clock.monotonic())
    clock.resume()
    wall.advance(20 * 60)
    assert "I4" not in [f.inject.id for f in master.due(clock.monotonic())]


def test_a_metric_curve_sent_now_starts_its_readings_from_that_moment() -> None:
    master = MasterList(parse_scenario(SMALL, "s.yaml"))
    first = master.send_now("I2", 10.0)
    assert [(f.sample, f.value, f.due_s) for f in first] == [(0, 0.1, 10.0)]
    assert [(f.inject.id, f.sample, f.due_s) for f in master.due(75.0)] == [("I1", -1, 0.0), ("I2", 1, 70.0)]


def test_a_skipped_inject_never_fires() -> None:
    master = MasterList(parse_scenario(SMALL, "s.yaml"))
    master.skip("I4")
    assert "I4" not in [f.inject.id for f in master.due(40 * 60)]
    with pytest.raises(KeyError):
        master.skip("I99")
