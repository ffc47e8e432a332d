"""The city's daily rhythm: how busy it is at a given local hour, shared by events and vital signs."""

from __future__ import annotations

import math

# Relative activity at the start of each local hour: quiet nights, morning and evening rush peaks.
_HOURLY = (
    0.30, 0.22, 0.18, 0.16, 0.18, 0.30, 0.60, 1.20, 1.60, 1.40, 1.25, 1.20,
    1.15, 1.15, 1.20, 1.25, 1.35, 1.60, 1.55, 1.30, 1.05, 0.85, 0.60, 0.42,
)  # fmt: skip
_MEAN = sum(_HOURLY) / len(_HOURLY)
PEAK_ACTIVITY = max(_HOURLY) / _MEAN
_UTC_OFFSET_S = 8 * 3600
# The demo city's new incidents a second, averaged over the day: about 1.2 a minute, 2 at the peaks, 0.2
# at 3 a.m. (the assumption is spelled out in sim/generator.py).
DEMO_RATE = 0.02


def local_hour(t: float) -> float:
    """Hour of day in the city's +08:00 time, as a fraction in [0, 24)."""
    return ((t + _UTC_OFFSET_S) % 86_400) / 3600


def activity(t: float) -> float:
    """Activity at time t relative to the daily mean (so it averages 1 over a day)."""
    h = local_hour(t)
    i = int(h)
    frac = h - i
    return (_HOURLY[i] * (1 - frac) + _HOURLY[(i + 1) % 24] * frac) / _MEAN


def bump(t: float, centre_h: float, width_h: float) -> float:
    """A smooth peak around a local hour (wrapping at midnight), 1 at the centre."""
    d = abs(local_hour(t) - centre_h)
    d = min(d, 24 - d)
    return math.exp(-0.5 * (d / width_h) ** 2)
