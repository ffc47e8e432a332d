"""Ages on the map with a hand-driven clock: new pulses, closed fades, silent greys, and then they go."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from widgets.situation.map_ages import (
    AgePolicy,
    Phase,
    incident_opacity,
    incident_phases,
    pulse_scale,
    unit_phases,
)

POLICY = AgePolicy()
T0 = 1_800_000_000.0


def phase_of(now: float, opened: float, closed: float | None, seen: float) -> Phase:
    phases = incident_phases(
        now, np.array([opened]), np.array([np.nan if closed is None else closed]), np.array([seen]), POLICY
    )
    return Phase(int(phases[0]))


def test_an_open_incident_pulses_then_lives_then_greys_then_leaves() -> None:
    assert phase_of(T0 + 10, T0, None, T0) is Phase.NEW
    assert phase_of(T0 + POLICY.new_s, T0, None, T0) is Phase.LIVE
    assert phase_of(T0 + POLICY.incident_stale_s, T0, None, T0) is Phase.STALE
    assert phase_of(T0 + POLICY.incident_gone_s, T0, None, T0) is Phase.GONE


def test_a_word_about_the_case_keeps_it_live() -> None:
    later = T0 + POLICY.incident_stale_s + 60
    assert phase_of(later, T0, None, later - 30) is Phase.LIVE


def test_a_closed_incident_fades_out_and_leaves() -> None:
    closed = T0 + 600
    opacities = []
    for after in (0.0, POLICY.fade_s / 3, 2 * POLICY.fade_s / 3):
        now = closed + after
        phases = incident_phases(now, np.array([T0]), np.array([closed]), np.array([closed]), POLICY)
        assert Phase(int(phases[0])) is Phase.FADING
        opacities.append(float(incident_opacity(now, phases, np.array([closed]), POLICY)[0]))
    assert opacities[0] > opacities[1] > opacities[2] > 0
    assert phase_of(closed + POLICY.fade_s, T0, closed, closed) is Phase.GONE


def test_only_new_incidents_pulse() -> None:
    phases = np.array([Phase.NEW, Phase.LIVE, Phase.STALE], dtype=np.int8)
    sizes = [pulse_scale(T0 + k * 0.1, phases, POLICY) for k in range(12)]

    assert {float(s[1]) for s in sizes} == {1.0}
    assert {float(s[2]) for s in sizes} == {1.0}
    assert max(float(s[0]) for s in sizes) > 1.3


def test_a_unit_shows_its_age_then_greys_then_leaves() -> None:
    fixes = np.array([T0, T0 - POLICY.unit_old_s, T0 - POLICY.unit_stale_s, T0 - POLICY.unit_gone_s, np.nan])

    phases = [Phase(int(p)) for p in unit_phases(T0, fixes, POLICY)]

    assert phases == [Phase.LIVE, Phase.FADING, Phase.STALE, Phase.GONE, Phase.GONE]


times = st.floats(0.0, 50_000.0)


@given(times, st.one_of(st.none(), times), times, times, st.floats(0.0, 20_000.0))
def test_time_only_moves_an_incident_towards_leaving(
    opened: float, closed: float | None, seen: float, now: float, later: float
) -> None:
    # Order of looks as time passes with no new word: NEW/LIVE → STALE → GONE; FADING → GONE.
    rank = {Phase.NEW: 0, Phase.LIVE: 0, Phase.FADING: 1, Phase.STALE: 1, Phase.GONE: 2}
    seen = min(seen, now)
    before = phase_of(T0 + now, T0 + opened, None if closed is None else T0 + min(closed, now), T0 + seen)
    after = phase_of(
        T0 + now + later, T0 + opened, None if closed is None else T0 + min(closed, now), T0 + seen
    )

    assert rank[after] >= rank[before]
