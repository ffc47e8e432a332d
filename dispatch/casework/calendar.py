"""The organisation's working calendar: which instants count as working time, and budget arithmetic on it."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dispatch.casework.policy import Budget, CalendarSpec, TimeUnit

_Intervals = tuple[tuple[float, float], ...]
_CACHE_DAYS = 20_000
# Amounts that overshoot a working interval by less than this still end in it: a sum of seconds rounded to
# the last bit (134999 + 1.0000000000000002) must not carry a deadline over a night and a weekend.
_SLACK_S = 1e-6


class CalendarError(ValueError):
    """The calendar cannot answer: it has no working time where some was needed."""


class WorkingCalendar:
    """Counts time on a working calendar; all instants are UTC epoch seconds.

    Working time is the union of the day's working periods on working days, in the calendar's local
    zone. A working day is a normal workday that is not a holiday, or a 调休 make-up workday.

    Conventions:
    - MINUTES budgets run on the wall clock, day and night.
    - WORKING_HOURS budgets count only working time.
    - WORKING_DAYS budgets are N × the nominal working time of one day (the sum of the working
      periods, e.g. 7.5 h for 08:30–12:00 + 13:30–17:30), counted in working time. So "1 working day"
      from Friday 10:00 is due Monday 10:00, not at the end of Monday.
    - A positive budget that runs out exactly at the end of a working period is due at that end
      (12:00, not 13:30); a budget started outside working time starts counting at the next working
      instant. A zero budget is due at once, even outside working time.
    - Periods are half-open: 08:30 is working time, 12:00 is not.
    - A period is measured by the real seconds between its local start and end, so on a day when
      daylight saving time shifts the clock inside a period, that day's period is an hour shorter or
      longer. WORKING_DAYS still use the nominal length.
    """

    __slots__ = ("_days", "_hours", "_max_gap", "_tz", "day_seconds", "spec")

    def __init__(self, spec: CalendarSpec) -> None:
        if not spec.hours or not spec.workdays:
            raise CalendarError("the calendar has no working time: it needs working hours and workdays")
        self.spec = spec
        self._tz = ZoneInfo(spec.timezone)
        self._hours = tuple(sorted((h.start_min, h.end_min) for h in spec.hours))
        if any(not 0 <= start < end <= 1440 for start, end in self._hours) or any(
            before[1] > after[0] for before, after in itertools.pairwise(self._hours)
        ):
            raise CalendarError(f"working periods must be non-empty, within a day and apart: {spec.hours}")
        self.day_seconds: float = float(sum(end - start for start, end in self._hours) * 60)
        # With at least one normal workday, no run of days without working time can be longer than a
        # week plus every holiday; a longer search means there is no working time left to find.
        self._max_gap = len(spec.holidays) + 8
        self._days: dict[int, _Intervals] = {}

    # -- questions about instants and days ---------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        text = day.isoformat()
        if text in self.spec.makeup_workdays:
            return True
        if text in self.spec.holidays:
            return False
        return day.isoweekday() in self.spec.workdays

    def is_working(self, t: float) -> bool:
        """Whether the instant lies inside a working period."""
        return any(a <= t < b for a, b in self._intervals(self._ordinal(t)))

    def seconds(self, budget: Budget) -> float:
        """A budget in seconds of its own clock: wall seconds for MINUTES, working seconds otherwise."""
        if budget.unit is TimeUnit.MINUTES:
            return budget.amount * 60.0
        if budget.unit is TimeUnit.WORKING_HOURS:
            return budget.amount * 3600.0
        return budget.amount * self.day_seconds

    # -- arithmetic --------------------------------------------------------------------------------

    def add(self, start: float, budget: Budget) -> float:
        """The instant a budget started at `start` runs out."""
        return self.add_seconds(start, self.seconds(budget), budget.unit)

    def add_seconds(self, start: float, seconds: float, unit: TimeUnit) -> float:
        """Move `seconds` of the unit's clock from `start`; negative amounts move back in time."""
        if unit is TimeUnit.MINUTES:
            return start + seconds
        return self.add_working_seconds(start, seconds)

    def elapsed(self, start: float, end: float, unit: TimeUnit) -> float:
        """Seconds of the unit's clock from `start` to `end`; negative when `end` comes first."""
        if unit is TimeUnit.MINUTES:
            return end - start
        return self.working_seconds(start, end)

    def working_seconds(self, start: float, end: float) -> float:
        """Working time between two instants; negative when `end` comes first."""
        if end < start:
            return -self.working_seconds(end, start)
        total = 0.0
        for day in range(self._ordinal(start), self._ordinal(end) + 1):
            for a, b in self._intervals(day):
                low, high = max(a, start), min(b, end)
                if high > low:
                    total += high - low
        return total

    def add_working_seconds(self, start: float, seconds: float) -> float:
        """The instant at which `seconds` of working time have passed since `start` (or before it)."""
        if seconds > 0:
            return self._forward(start, seconds)
        if seconds < 0:
            return self._backward(start, -seconds)
        return start

    def _forward(self, start: float, remaining: float) -> float:
        day = self._ordinal(start)
        idle = 0
        while True:
            intervals = self._intervals(day)
            for a, b in intervals:
                if b <= start:
                    continue
                begin = max(a, start)
                if remaining <= b - begin + _SLACK_S:
                    return min(begin + remaining, b)
                remaining -= b - begin
            idle = 0 if intervals else idle + 1
            if idle > self._max_gap:
                raise CalendarError(f"no working time within {idle} days after {self._local(start)}")
            day += 1

    def _backward(self, end: float, remaining: float) -> float:
        day = self._ordinal(end)
        idle = 0
        while True:
            intervals = self._intervals(day)
            for a, b in reversed(intervals):
                if a >= end:
                    continue
                finish = min(b, end)
                if remaining <= finish - a + _SLACK_S:
                    return max(finish - remaining, a)
                remaining -= finish - a
            idle = 0 if intervals else idle + 1
            if idle > self._max_gap:
                raise CalendarError(f"no working time within {idle} days before {self._local(end)}")
            day -= 1

    # -- days as UTC intervals ---------------------------------------------------------------------

    def _ordinal(self, t: float) -> int:
        return datetime.fromtimestamp(t, self._tz).toordinal()

    def _local(self, t: float) -> str:
        return datetime.fromtimestamp(t, self._tz).isoformat(timespec="minutes")

    def _intervals(self, ordinal: int) -> _Intervals:
        """The working periods of one local day as UTC [start, end) pairs; empty on days off."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        intervals: _Intervals = ()
        if self.is_working_day(day):
            midnight = datetime.combine(day, time(0), tzinfo=self._tz)
            # Wall-clock arithmetic on an aware datetime, then the zone's offset at that wall time.
            pairs = (
                (
                    (midnight + timedelta(minutes=start)).timestamp(),
                    (midnight + timedelta(minutes=end)).timestamp(),
                )
                for start, end in self._hours
            )
            intervals = tuple((a, b) for a, b in pairs if b > a)
        if len(self._days) >= _CACHE_DAYS:
            self._days.clear()
        self._days[ordinal] = intervals
        return intervals
