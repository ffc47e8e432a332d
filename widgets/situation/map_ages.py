"""How old marks look: new incidents pulse, closed ones fade, silent ones grey and then leave the map."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from widgets.situation.map_marks import Floats
from widgets.situation.map_sprites import PULSE_STEPS

Phases = npt.NDArray[np.int8]


class Phase(enum.IntEnum):
    """What a mark looks like now. GONE marks are not drawn and cannot be clicked."""

    NEW = 0
    LIVE = 1
    FADING = 2
    STALE = 3
    GONE = 4


@dataclass(frozen=True, slots=True)
class AgePolicy:
    """Seconds. TAK's lesson: every track has a stale time, after which it greys, and a time it leaves."""

    new_s: float = 120.0  # an incident pulses this long after it opened
    fade_s: float = 300.0  # a closed incident fades out over this long
    incident_stale_s: float = 1800.0  # an open incident nobody has spoken of for this long greys
    incident_gone_s: float = 4 * 3600.0  # and leaves the map after this long
    unit_old_s: float = 120.0  # a unit's position this old shows its age
    unit_stale_s: float = 600.0  # greys
    unit_gone_s: float = 3600.0  # leaves the map
    pulse_period_s: float = 1.2


def incident_phases(
    now: float, opened_at: Floats, closed_at: Floats, seen_at: Floats, policy: AgePolicy
) -> Phases:
    phases = np.full(opened_at.shape, Phase.LIVE, dtype=np.int8)
    silent = now - seen_at
    phases[now - opened_at < policy.new_s] = Phase.NEW
    phases[silent >= policy.incident_stale_s] = Phase.STALE
    phases[silent >= policy.incident_gone_s] = Phase.GONE
    closed = ~np.isnan(closed_at)
    since_closed = np.where(closed, now - np.nan_to_num(closed_at, nan=now), 0.0)
    phases[closed] = np.where(since_closed[closed] < policy.fade_s, Phase.FADING, Phase.GONE)
    return phases


def incident_opacity(now: float, phases: Phases, closed_at: Floats, policy: AgePolicy) -> Floats:
    """1 for live marks, a closed one from 1 down to 0.15 over the fade, stale ones half-seen."""
    opacity = np.ones(phases.shape, dtype=np.float64)
    fading = phases == Phase.FADING
    left = 1.0 - (now - closed_at[fading]) / policy.fade_s
    opacity[fading] = 0.15 + 0.85 * np.clip(left, 0.0, 1.0)
    opacity[phases == Phase.STALE] = 0.55
    opacity[phases == Phase.GONE] = 0.0
    return opacity


def pulse_scale(now: float, phases: Phases, policy: AgePolicy) -> Floats:
    """New incidents breathe between 1× and 1.5× their size; others stay 1×."""
    scale = np.ones(phases.shape, dtype=np.float64)
    wave = 0.5 - 0.5 * np.cos(2.0 * np.pi * (now % policy.pulse_period_s) / policy.pulse_period_s)
    scale[phases == Phase.NEW] = 1.0 + 0.5 * wave
    return scale


def unit_phases(now: float, fix_at: Floats, policy: AgePolicy) -> Phases:
    """LIVE while fresh, FADING once old enough to show its age, STALE grey, GONE."""
    age = now - fix_at
    phases = np.full(fix_at.shape, Phase.LIVE, dtype=np.int8)
    phases[age >= policy.unit_old_s] = Phase.FADING
    phases[age >= policy.unit_stale_s] = Phase.STALE
    phases[(age >= policy.unit_gone_s) | np.isnan(fix_at)] = Phase.GONE
    return phases


def pulse_step(now: float, policy: AgePolicy) -> int:
    """How far a new incident's pulse has swollen at `now`: 0 (at rest) to PULSE_STEPS, eased."""
    phase = (now % policy.pulse_period_s) / policy.pulse_period_s
    return round((0.5 - 0.5 * math.cos(2 * math.pi * phase)) * PULSE_STEPS)
