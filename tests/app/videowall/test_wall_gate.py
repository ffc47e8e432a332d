"""The pop-up rate limit on any sequence of severe cases, acknowledgements and clock ticks: the wall changes
by itself at most once per interval, and a held case is shown when its turn comes unless a newer one took its
place or it was dealt with."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.videowall.timing import PopupGate

INTERVAL = 60.0


@dataclass(frozen=True)
class Arrive:
    case_id: int


@dataclass(frozen=True)
class Acknowledge:
    case_id: int


@dataclass(frozen=True)
class Tick:
    pass


steps = st.lists(
    st.tuples(
        st.floats(0.0, 90.0, allow_nan=False),
        st.one_of(
            st.builds(Arrive, st.integers(1, 30)),
            st.builds(Acknowledge, st.integers(1, 30)),
            st.just(Tick()),
        ),
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(steps)
# 68.5988059966801 + 60.0 - 68.5988059966801 is 59.99999999999999: the second arrival is exactly one interval
# after the first on the clock, but not by a subtraction in floating point.
@example(script=[(68.5988059966801, Arrive(1)), (60.0, Arrive(1))])
def test_the_wall_changes_at_most_once_per_interval_and_nothing_is_held_forever(
    script: list[tuple[float, Arrive | Acknowledge | Tick]],
) -> None:
    gate = PopupGate(INTERVAL)
    now = 0.0
    shown: list[tuple[float, int]] = []
    # What a careful watcher expects: the newest arrival that was neither shown nor dealt with.
    expected_held: int | None = None

    def turn() -> None:
        # What IncidentVideo does when its deadline is due: the held case takes the pop-up.
        nonlocal expected_held
        if gate.held is not None and gate.wait(now) == 0.0:
            held = gate.take_held()
            assert held is not None
            assert gate.offer(held, now)
            shown.append((now, held))
            expected_held = None

    for dt, step in script:
        now += dt
        turn()
        if isinstance(step, Arrive):
            if gate.offer(step.case_id, now):
                shown.append((now, step.case_id))
                expected_held = None
            else:
                expected_held = step.case_id
                assert gate.wait(now) > 0.0
        elif isinstance(step, Acknowledge):
            gate.drop(step.case_id)
            if expected_held == step.case_id:
                expected_held = None
        assert gate.held == expected_held

    times = [t for t, _ in shown]
    # An interval later is reached once the clock stands at last shown + interval (as the gate and its
    # deadline add it); `b - a` can fall one rounding short of it at exactly that moment.
    assert all(a + INTERVAL <= b for a, b in itertools.pairwise(times))
    now += INTERVAL
    turn()
    assert gate.held is None, "a held case gets its turn once the interval is over"
