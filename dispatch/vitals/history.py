"""Recent samples of every vital-sign series in fixed-size arrays: the evaluator's window onto the feed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dispatch.vitals.rules import SeriesKey

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Window:
    """Read-only copies of some series' recent samples, oldest slot anywhere (a ring): what rules judge."""

    keys: tuple[SeriesKey, ...]
    times: Floats  # (series, slots), nan where empty
    values: Floats
    latest_t: Floats  # (series,), nan for a series that never reported
    latest_v: Floats

    def subset(self, picks: Ints) -> Window:
        """Some of the series, by position."""
        return Window(
            tuple(self.keys[i] for i in picks),
            self.times[picks],
            self.values[picks],
            self.latest_t[picks],
            self.latest_v[picks],
        )


class SeriesHistory:
    """A ring of `slots` samples per series; samples closer than `resolution_s` share a slot, latest wins.

    Sharing slots bounds the work per rule whatever the feed's rate: a 10-minute window on a 1 Hz sensor
    is fitted over 60 points at the default resolution, and the latest value is always the newest sample.
    """

    def __init__(self, slots: int = 64, resolution_s: float = 10.0) -> None:
        if slots < 2 or not resolution_s > 0:
            raise ValueError("a history needs at least two slots and a resolution above 0")
        self.slots = slots
        self.resolution_s = resolution_s
        self._index: dict[SeriesKey, int] = {}
        self._keys: list[SeriesKey] = []
        self._times: Floats = np.full((0, slots), np.nan)
        self._values: Floats = np.full((0, slots), np.nan)
        self._head: Ints = np.zeros(0, dtype=np.intp)
        self._bucket: Floats = np.zeros(0)
        self.dropped = 0  # samples refused: not finite, or older than the series' newest

    @property
    def keys(self) -> tuple[SeriesKey, ...]:
        return tuple(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def row(self, key: SeriesKey) -> int:
        """The row of a series, adding it (empty) on first sight."""
        found = self._index.get(key)
        if found is not None:
            return found
        row = len(self._keys)
        if row == self._times.shape[0]:
            grow = max(16, row)
            self._times = np.vstack([self._times, np.full((grow, self.slots), np.nan)])
            self._values = np.vstack([self._values, np.full((grow, self.slots), np.nan)])
            self._head = np.concatenate([self._head, np.zeros(grow, dtype=np.intp)])
            self._bucket = np.concatenate([self._bucket, np.full(grow, -np.inf)])
        self._index[key] = row
        self._keys.append(key)
        return row

    def record(self, rows: Ints, times: Floats, values: Floats) -> None:
        """Add samples (row, time, value); several for one row are taken in the order given."""
        rows, times, values = np.asarray(rows, np.intp), np.asarray(times, float), np.asarray(values, float)
        good = np.isfinite(times) & np.isfinite(values) & (rows >= 0) & (rows < len(self._keys))
        self.dropped += int(np.count_nonzero(~good))
        rows, times, values = rows[good], times[good], values[good]
        while rows.size:
            # One sample per row at a time, so a batch holding a row twice keeps both in order.
            _, first = np.unique(rows, return_index=True)
            self._record_unique(rows[first], times[first], values[first])
            rest = np.ones(rows.size, dtype=bool)
            rest[first] = False
            rows, times, values = rows[rest], times[rest], values[rest]

    def _record_unique(self, rows: Ints, times: Floats, values: Floats) -> None:
        head = self._head[rows]
        newest = self._times[rows, head]
        fresh = ~(times < newest)  # nan (an empty series) compares False: fresh
        self.dropped += int(np.count_nonzero(~fresh))
        rows, times, values, head = rows[fresh], times[fresh], values[fresh], head[fresh]
        advance = times - self._bucket[rows] >= self.resolution_s
        head = np.where(advance, (head + 1) % self.slots, head)
        self._head[rows] = head
        self._bucket[rows] = np.where(advance, times, self._bucket[rows])
        self._times[rows, head] = times
        self._values[rows, head] = values

    def window(self, rows: Ints) -> Window:
        """The given rows' samples, read-only, for a pure evaluation; valid until the next `record`.

        Consecutive rows (a rule over all series of a metric that arrived together) are views, not copies.
        """
        head = self._head[rows]
        if rows.size and rows[-1] - rows[0] == rows.size - 1 and np.all(np.diff(rows) == 1):
            first, stop = int(rows[0]), int(rows[-1]) + 1
            times, values, keys = (
                self._times[first:stop],
                self._values[first:stop],
                tuple(self._keys[first:stop]),
            )
        else:
            times, values = self._times[rows], self._values[rows]
            keys = tuple(self._keys[r] for r in rows)
        latest_t, latest_v = self._times[rows, head], self._values[rows, head]
        for array in (times, values, latest_t, latest_v):
            array.flags.writeable = False
        return Window(keys, times, values, latest_t, latest_v)
