"""The wall's book of vital-sign readings: per metric, the latest per series and a bounded history."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from dispatch.feed.values import MetricSample

Labels = tuple[tuple[str, str], ...]
HISTORY_POINTS = 2000


class ReadingBook:
    """What a tile shows for a metric: its city-wide reading if it has one, else its highest series
    (as the desk's vital-sign strip does); the history is that figure over time, memory bounded."""

    def __init__(self, history_s: float) -> None:
        self._history_s = history_s
        self._latest: dict[str, dict[Labels, float]] = {}
        self._units: dict[str, str | None] = {}
        self._history: dict[str, deque[tuple[float, float]]] = {}

    def add(self, samples: Iterable[MetricSample]) -> set[str]:
        """Readings in arrival order; returns the names that changed."""
        changed: set[str] = set()
        for sample in samples:
            readings = self._latest.setdefault(sample.name, {})
            readings[sample.labels] = sample.value
            self._units[sample.name] = sample.unit
            history = self._history.setdefault(sample.name, deque(maxlen=HISTORY_POINTS))
            figure = readings.get((), max(readings.values()))
            if history and history[-1][0] == sample.at:
                history[-1] = (sample.at, figure)
            elif not history or sample.at > history[-1][0]:
                history.append((sample.at, figure))
            while history and history[0][0] < history[-1][0] - self._history_s:
                history.popleft()
            changed.add(sample.name)
        return changed

    def names(self) -> tuple[str, ...]:
        return tuple(self._history)

    def history(self, name: str) -> list[tuple[float, float]]:
        return list(self._history.get(name, ()))

    def arrays(self, name: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        points = np.asarray(self._history.get(name, ()), dtype=np.float64).reshape(-1, 2)
        return points[:, 0], points[:, 1]

    def unit(self, name: str) -> str | None:
        return self._units.get(name)

    def series_count(self, name: str) -> tuple[bool, int]:
        """(has a city-wide reading, how many series)."""
        readings = self._latest.get(name, {})
        return () in readings, len(readings)
