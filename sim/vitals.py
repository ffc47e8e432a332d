"""City vital signs for the demo feed: congestion, air, water, hotline load, power and metro flow."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from sim.city import City, local_time_text
from sim.rhythm import activity, bump, local_hour


class VitalSigns:
    """Plausible readings: a daily profile per series, slow correlated noise, and storms pushing them."""

    def __init__(self, city: City, rng: random.Random) -> None:
        self._city = city
        self._rng = rng
        self._noise: dict[str, float] = {}
        codes = [d.code for d in city.districts]
        self._traffic_factor = {c: rng.uniform(0.9, 1.05) for c in codes}
        self._traffic_factor[codes[0]] = 1.15  # the old town jams most
        self._air_base = {c: rng.uniform(-8.0, 12.0) for c in codes}
        self._water_base = {c: rng.uniform(2.9, 3.4) for c in codes}

    def _wiggle(self, key: str, sigma: float, keep: float = 0.9) -> float:
        """AR(1) noise: each series drifts smoothly instead of jumping between samples."""
        value = keep * self._noise.get(key, 0.0) + self._rng.gauss(0.0, sigma)
        self._noise[key] = value
        return value

    def sample(self, t: float, wet: Mapping[str, float]) -> list[dict[str, Any]]:
        """One reading of every series at time t; `wet` maps district code to storm intensity 0..1."""
        at = local_time_text(t)
        rush = 0.55 * bump(t, 8.2, 1.1) + 0.65 * bump(t, 18.0, 1.3)
        readings: list[dict[str, Any]] = []
        jams: list[float] = []
        for district in self._city.districts:
            code, rain = district.code, wet.get(district.code, 0.0)
            labels = {"district": code, "district_name": district.name}
            jam = (1.15 + rush) * self._traffic_factor[code] * (1 + 0.25 * rain) + self._wiggle(
                f"jam{code}", 0.02
            )
            jams.append(jam)
            aqi = (48 + self._air_base[code] + 28 * bump(t, 8.5, 2.0) + 22 * bump(t, 20.0, 2.5)) * (
                1 - 0.35 * rain
            )
            aqi *= 1 + self._wiggle(f"aqi{code}", 0.015, keep=0.98)
            level = self._water_base[code] + 1.6 * rain + self._wiggle(f"wl{code}", 0.006)
            readings += [
                _metric("congestion_index", round(max(jam, 1.0), 2), at, None, labels),
                _metric("aqi", max(round(aqi), 5), at, None, labels),
                _metric("water_level_max", round(level, 2), at, "m", labels),
            ]
        storm = max(wet.values(), default=0.0)
        busy = activity(t)
        h = local_hour(t)
        metro_open = 5.5 <= h < 23.5
        metro = 8_000 + 95_000 * bump(t, 8.1, 0.8) + 85_000 * bump(t, 18.0, 1.0) + 20_000 * busy
        power = 3_600 + 1_500 * bump(t, 10.5, 3.0) + 1_700 * bump(t, 20.0, 2.5) + 400 * busy
        calls = max(round(150 + 750 * busy + 500 * storm + self._wiggle("calls", 15.0)), 0)
        power *= 1 + self._wiggle("power", 0.004, 0.98)
        metro *= (1 + self._wiggle("metro", 0.01)) if metro_open else 0
        # No open_incidents (在办事件): the cockpit's own store counts open cases, so every panel shows
        # one figure (docs/closed-loop.md, "One count of open cases").
        readings += [
            _metric("congestion_index", round(max(sum(jams) / len(jams), 1.0), 2), at, None, None),
            _metric("hotline_calls_per_hour", calls, at, "calls/h", None),
            _metric("power_load", round(power, 1), at, "MW", None),
            _metric("metro_passenger_flow", round(metro), at, "passengers/h", None),
        ]
        return readings


def _metric(
    name: str, value: float, at: str, unit: str | None, labels: dict[str, str] | None
) -> dict[str, Any]:
    metric: dict[str, Any] = {"name": name, "value": value, "at": at}
    if unit is not None:
        metric["unit"] = unit
    if labels:
        metric["labels"] = labels
    return metric
