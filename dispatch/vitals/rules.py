"""Alert rules for vital-sign series, their states and the transitions an evaluation reports."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class RuleKind(enum.StrEnum):
    """What a rule measures in a series."""

    THRESHOLD = "threshold"  # the latest value
    RATE = "rate"  # the slope over a window, in units per `per_s`
    TIME_TO_BREACH = "time_to_breach"  # seconds until the fitted line reaches `limit`


class AlertState(enum.IntEnum):
    """Where one rule stands for one series (small integers: the evaluator keeps them in arrays)."""

    INACTIVE = 0
    PENDING = 1
    FIRING = 2
    RESOLVED = 3
    NODATA = 4


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule for one metric, in one area (a `district` label) or in every series of the metric.

    The rule fires when its measure has been on the bad side of `threshold` for `for_s`; once firing it
    stays so until the measure is back past `recovery` (hysteresis) and has stayed there `keep_firing_s`.
    For TIME_TO_BREACH the measure is the predicted seconds to `limit`: it is bad when *short*, so
    `threshold` is the warning horizon and `recovery` a longer one.
    """

    name: str
    metric: str
    kind: RuleKind
    threshold: float
    above: bool = True  # the bad side: values (or rates) above the threshold; for TIME_TO_BREACH: rising
    recovery: float | None = None  # None: the threshold itself
    area: str | None = None  # None: every series of the metric
    for_s: float = 0.0
    keep_firing_s: float = 0.0
    window_s: float = 600.0  # RATE and TIME_TO_BREACH: the samples the slope is fitted to
    per_s: float = 3600.0  # RATE: the rate's time unit (per hour by default)
    limit: float | None = None  # TIME_TO_BREACH: the level whose crossing is predicted
    nodata_s: float | None = None  # silent this long: NODATA; None: silence is not judged
    level: int = 3  # severity 1..4 (1 most severe) of the case a firing rule raises

    def __post_init__(self) -> None:
        for value in (self.threshold, self.for_s, self.keep_firing_s, self.window_s, self.per_s):
            if not math.isfinite(value):
                raise ValueError(f"rule {self.name!r}: numbers must be finite")
        if self.for_s < 0 or self.keep_firing_s < 0 or self.window_s <= 0 or self.per_s <= 0:
            raise ValueError(f"rule {self.name!r}: durations must not be negative")
        if self.nodata_s is not None and not (math.isfinite(self.nodata_s) and self.nodata_s > 0):
            raise ValueError(f"rule {self.name!r}: nodata_s must be greater than 0")
        if self.kind is RuleKind.TIME_TO_BREACH:
            if self.limit is None or not math.isfinite(self.limit):
                raise ValueError(f"rule {self.name!r}: a time-to-breach rule needs a finite limit")
            if self.threshold <= 0:
                raise ValueError(f"rule {self.name!r}: the warning horizon must be greater than 0")
        if self.recovery is not None:
            if not math.isfinite(self.recovery):
                raise ValueError(f"rule {self.name!r}: the recovery threshold must be finite")
            if self.recovery_gap() < 0:
                raise ValueError(f"rule {self.name!r}: the recovery threshold lies on the firing side")
        if self.level not in (1, 2, 3, 4):
            raise ValueError(f"rule {self.name!r}: level must be 1..4")

    @property
    def high_is_bad(self) -> bool:
        """Whether a larger measure is worse: a shorter time to breach is the bad one."""
        return self.kind is not RuleKind.TIME_TO_BREACH and self.above

    @property
    def clear_at(self) -> float:
        return self.threshold if self.recovery is None else self.recovery

    def recovery_gap(self) -> float:
        """How far the recovery threshold lies on the good side of the firing one (0 without hysteresis)."""
        if self.kind is RuleKind.TIME_TO_BREACH:
            return self.clear_at - self.threshold
        return (self.threshold - self.clear_at) if self.above else (self.clear_at - self.threshold)

    def selects(self, metric: str, area: str | None) -> bool:
        return metric == self.metric and (self.area is None or area == self.area)


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """One series: a metric in an area (None for the city-wide figure)."""

    metric: str
    area: str | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """One rule's state changed for one series at `at`; `measure` is what the rule judged.

    For THRESHOLD the measure is the value, for RATE the slope per `per_s`, for TIME_TO_BREACH the
    predicted seconds (0 when already past the limit), for NODATA the seconds of silence.
    """

    rule: str
    series: SeriesKey
    old: AlertState
    new: AlertState
    at: float
    value: float  # the latest value (nan when the series never reported)
    measure: float
    threshold: float
    trend_per_s: float  # the fitted slope in units per second, nan without two samples in the window
