"""The demo city's life as a deterministic stream of events, metrics and CAP warnings at given times.

How busy the demo city is (the assumption behind `DEMO_RATE`): a city district of about a million people
whose digital city management centre (数字城管) takes about 1,700 new cases a day from sensors, cameras,
grid officers and the 12345 hotline — on average 1.2 a minute, about 2 a minute at the morning and evening
peaks (the daily rhythm's peak is 1.74 times its mean), about 0.2 a minute at 3 a.m., and up to about 3 a
minute while a rainstorm lasts. Machines say more than that: a sensor or camera repeats its alarm every few
minutes while the condition lasts (an episode, one case) and many sensors report when it clears, so the
feed carries several events per case. See docs/closed-loop.md (*Episodes*) and docs/benchmarks.md.
"""

from __future__ import annotations

import copy
import functools
import heapq
import math
import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sim import catalog
from sim.cap_warnings import CapWarnings
from sim.cap_xml import Colour
from sim.city import CITY_TZ, City, LandmarkKind, local_time_text
from sim.feed_items import EventItem, FeedItem, MetricItem
from sim.machines import EventRole, Machines, device_at, media_of
from sim.places import Places, Spot
from sim.rhythm import DEMO_RATE, PEAK_ACTIVITY, activity
from sim.vitals import VitalSigns

_UPDATE_SHARE = 0.03
_DUPLICATE_SHARE = 0.015
# Severity weights while it rains, by warning colour: the redder the signal, the worse the reports.
_STORM_SEVERITY = {
    Colour.BLUE: (0.0, 0.04, 0.36, 0.60),
    Colour.YELLOW: (0.01, 0.08, 0.41, 0.50),
    Colour.ORANGE: (0.03, 0.15, 0.50, 0.32),
    Colour.RED: (0.08, 0.25, 0.47, 0.20),
}
# How long after a report its source delivers it: sensors at once, people after a while.
_REPORT_LAG_S = {"iot": (0.0, 3.0), "video_ai": (1.0, 8.0), "hotline": (120.0, 900.0), "grid": (60.0, 600.0)}


@dataclass(slots=True)
class _Storm:
    """A rainstorm over one district; its wetness drives reports and vital signs."""

    district: str
    rain_from: float
    rain_until: float
    rate: float
    colour: Colour

    def wetness(self, t: float) -> float:
        if t < self.rain_from:
            return 0.0
        build_up = 0.3 * (self.rain_until - self.rain_from)
        if t <= self.rain_until:
            return min(1.0, (t - self.rain_from) / build_up)
        return max(0.0, 1.0 - (t - self.rain_until) / 1200.0)


class DemoGenerator:
    """Produces what the demo city reports, as a pure function of (city, seed, start) and the times asked.

    `rate` is new incidents a second averaged over the day (`DEMO_RATE` by default); the daily rhythm
    thins it at night and the storms add to it.

    `next_items(now)` returns everything due in (previous now, now] in time order. Internally a timeline
    of scheduled actions runs in time order whatever the call pattern, so any sequence of calls that
    reaches the same `now` yields the same items.
    """

    def __init__(
        self,
        city: City,
        seed: int,
        start: float,
        *,
        rate: float = DEMO_RATE,
        metric_interval_s: float = 5.0,
        storm_gap_s: float = 2700.0,
        warning_gap_s: float = 5400.0,
    ) -> None:
        if not (0 < rate < math.inf and 0 < metric_interval_s < math.inf):
            raise ValueError("rate and metric interval must be positive and finite")
        self._city = city
        self._rate = rate
        self._metric_interval_s = metric_interval_s
        self._storm_gap_s = storm_gap_s
        self._rng = random.Random(seed)
        self._places = Places(city, self._rng)
        self._vitals = VitalSigns(city, self._rng)
        moment = datetime.fromtimestamp(start, CITY_TZ)
        # Start time to the millisecond plus the seed: ids never repeat across runs unless both do.
        self._stamp = f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}-{seed & 0xFFFFFFFF:08x}"
        self._order = 0
        self._numbers = 0
        self._timeline: list[tuple[float, int, Callable[[float], None]]] = []
        self._out: list[FeedItem] = []
        # Latest content of recent events, for re-sends; bounded by the recent window plus any event
        # with revisions still scheduled (pinned), so a long demo does not grow without end.
        self._latest: dict[str, dict[str, Any]] = {}
        self._recent: deque[str] = deque(maxlen=300)
        self._pinned: Counter[str] = Counter()
        self._storms: list[_Storm] = []
        self._machines = Machines(self._rng, self._schedule, self._emit)
        self._warnings = CapWarnings(
            city, self._rng, self._stamp, self._schedule, self._next_number, self._out.append, warning_gap_s
        )
        self._schedule(start + self._rng.expovariate(rate * PEAK_ACTIVITY), self._background)
        self._schedule(start, self._metrics)
        self._schedule(start + self._rng.uniform(60.0, 180.0), self._storm_begins)
        self._schedule(start + self._rng.uniform(300.0, 900.0), self._warnings.weather_warning)

    @property
    def rate(self) -> float:
        return self._rate

    def next_items(self, now: float) -> list[FeedItem]:
        """Everything due since the previous call, up to and including `now`."""
        while self._timeline and self._timeline[0][0] <= now:
            at, _, action = heapq.heappop(self._timeline)
            action(at)
        items = list(self._out)
        self._out.clear()
        return items

    def _schedule(self, at: float, action: Callable[[float], None]) -> None:
        self._order += 1
        heapq.heappush(self._timeline, (at, self._order, action))

    def _next_number(self) -> int:
        """Events and CAP messages share one numbering, so ids never repeat within a run."""
        self._numbers += 1
        return self._numbers

    # -- everyday events ---------------------------------------------------------------------------

    def _background(self, at: float) -> None:
        # Thinning: candidates at the peak rate, each kept with the current share of the peak.
        if self._rng.random() < activity(at) / PEAK_ACTIVITY:
            roll = self._rng.random()
            if roll < _UPDATE_SHARE and self._recent:
                self._resend(at, changed=True)
            elif roll < _UPDATE_SHARE + _DUPLICATE_SHARE and self._recent:
                self._resend(at, changed=False)
            else:
                category = self._rng.choices(catalog.CATEGORIES, [c.weight for c in catalog.CATEGORIES])[0]
                source = self._rng.choices(
                    [s for s, _ in category.sources], [w for _, w in category.sources]
                )[0]
                spot = self._places.spot(category, source)
                self._emit_new(at, category, source, spot, catalog.severity_for(category, self._rng))
        self._schedule(at + self._rng.expovariate(self._rate * PEAK_ACTIVITY), self._background)

    def _resend(self, at: float, *, changed: bool) -> None:
        event = copy.deepcopy(self._latest[self._rng.choice(self._recent)])
        if changed:
            event["description"] = event.get("description", "") + self._rng.choice(catalog.FOLLOW_UPS)
            # A follow-up sometimes makes a minor report a general one; a real escalation to level II or I
            # comes from the storm's gauges, not from chatter (each one rings the duty desk).
            if event["severity"] == 4 and self._rng.random() < 0.1:
                event["severity"] = 3
            self._latest[event["id"]] = copy.deepcopy(event)
        self._out.append(EventItem(at, event, EventRole.UPDATE if changed else EventRole.DUPLICATE))

    def _emit_new(
        self,
        at: float,
        category: catalog.Category,
        source: str,
        spot: Spot,
        severity: int,
        overrides: dict[str, object] | None = None,
        *,
        episode: bool = True,
    ) -> dict[str, Any]:
        """A new incident; from a machine, the start of an episode of repeats (unless `episode` is off)."""
        device = device_at(category.code, spot) if source == "iot" else None
        if device is not None:
            overrides = {"device": device, **(overrides or {})}
        title, description = catalog.wording(
            category.code, source, severity, spot.place, spot.address, self._rng, overrides
        )
        event = self._emit(at, category, source, spot, severity, title, description, device)
        if episode:
            self._machines.plan(at, category, source, spot, severity, overrides)
        return event

    def _emit(
        self, at: float, category: catalog.Category, source: str, spot: Spot, severity: int, title: str,
        description: str, device: str | None, role: EventRole = EventRole.NEW,
    ) -> dict[str, Any]:  # fmt: skip
        number = self._next_number()
        low, high = _REPORT_LAG_S.get(source, (0.0, 0.0))
        event: dict[str, Any] = {
            "id": f"{source}-{self._stamp}-{number:06d}",
            "source": source,
            "category": category.code,
            "title": title,
            "description": description,
            "severity": severity,
            "occurred_at": local_time_text(at - self._rng.uniform(low, high)),
            "location": {
                "lon": round(spot.lon, 6),
                "lat": round(spot.lat, 6),
                "address": spot.address,
                "grid": spot.grid,
            },
        }
        if spot.camera_id is not None:
            event["camera_id"] = spot.camera_id
        if device is not None:
            event["device"] = device
        if role is EventRole.CLEARED:
            event["cleared"] = True
        attachments = media_of(self._rng, event["id"], source)
        if attachments:
            event["attachments"] = attachments
        event["exercise"] = False
        if len(self._recent) == self._recent.maxlen:
            self._forget_unless_pinned(self._recent.popleft())
        self._recent.append(event["id"])
        self._latest[event["id"]] = event
        self._out.append(EventItem(at, copy.deepcopy(event), role))
        return event

    # -- rainstorms ----------------------------------------------------------------------------------

    def _storm_begins(self, at: float) -> None:
        district = self._rng.choice(self._city.districts)
        colour = self._rng.choices(list(Colour), (0.2, 0.45, 0.25, 0.1))[0]
        warned = self._rng.random() < 0.7
        rain_from = at + (self._rng.uniform(60.0, 300.0) if warned else 0.0)
        rain_until = rain_from + self._rng.uniform(480.0, 900.0)
        rate = max(0.4 * self._rate, 0.012) * self._rng.uniform(0.8, 1.2)
        storm = _Storm(district.code, rain_from, rain_until, rate, colour)
        self._storms.append(storm)
        if warned:
            self._warnings.storm_warning(at, district, colour, rain_from, rain_until)
        self._schedule(rain_from + self._rng.expovariate(rate), functools.partial(self._storm_report, storm))
        self._schedule(
            rain_until + max(600.0, self._rng.expovariate(1 / self._storm_gap_s)), self._storm_begins
        )

    def _storm_report(self, storm: _Storm, at: float) -> None:
        if at > storm.rain_until:
            return
        if self._rng.random() < 0.85:
            category = catalog.BY_CODE["waterlogging"]
            source = self._rng.choices(("iot", "hotline", "video_ai", "grid"), (0.4, 0.3, 0.2, 0.1))[0]
            severity = self._rng.choices((1, 2, 3, 4), _STORM_SEVERITY[storm.colour])[0]
            self._emit_new(
                at, category, source, self._places.spot(category, source, storm.district), severity
            )
        else:
            self._water_level(at, storm)
        self._schedule(at + self._rng.expovariate(storm.rate), functools.partial(self._storm_report, storm))

    def _water_level(self, at: float, storm: _Storm) -> None:
        """A gauge over its warning level, re-sent as the river keeps rising: one event, several revisions."""
        category = catalog.BY_CODE["water_level"]
        spot = self._places.landmark_spot(LandmarkKind.GAUGE)
        severity = self._rng.choices((1, 2, 3, 4), _STORM_SEVERITY[storm.colour])[0]
        over = catalog.water_level_over(severity, self._rng)
        device = device_at(category.code, spot)
        event = self._emit_new(
            at, category, "iot", spot, severity, _level_fields(over, device, "持续上涨"), episode=False
        )
        when = at
        for _ in range(self._rng.randint(1, 2)):
            when += self._rng.uniform(90.0, 240.0)
            over += self._rng.uniform(0.05, 0.25)
            self._pinned[event["id"]] += 1
            self._schedule(when, functools.partial(self._level_rises, event["id"], spot, over, device))
        if self._rng.random() < 0.6:
            # The river falls back below its warning level: the gauge's last revision says so.
            self._pinned[event["id"]] += 1
            when += self._rng.uniform(600.0, 1800.0)
            self._schedule(when, functools.partial(self._level_falls, event["id"]))

    def _forget_unless_pinned(self, event_id: str) -> None:
        if not self._pinned[event_id]:
            del self._pinned[event_id]
            self._latest.pop(event_id, None)

    def _level_rises(self, event_id: str, spot: Spot, over: float, device: str, at: float) -> None:
        self._pinned[event_id] -= 1
        event = copy.deepcopy(self._latest[event_id])
        severity = min(event["severity"], catalog.severity_for_over(over))
        title, description = catalog.wording(
            "water_level",
            "iot",
            severity,
            spot.place,
            spot.address,
            self._rng,
            _level_fields(over, device, "持续上涨"),
        )
        clock = datetime.fromtimestamp(at, CITY_TZ)
        event.update(title=title, description=f"{description}（{clock:%H:%M}更新）", severity=severity)
        self._latest[event_id] = event
        if event_id not in self._recent:
            self._forget_unless_pinned(event_id)
        self._out.append(EventItem(at, copy.deepcopy(event), EventRole.UPDATE))

    def _level_falls(self, event_id: str, at: float) -> None:
        self._pinned[event_id] -= 1
        event = copy.deepcopy(self._latest[event_id])
        clock = datetime.fromtimestamp(at, CITY_TZ)
        event.update(
            cleared=True,
            description=f"{event['description']}（{clock:%H:%M}水位回落至警戒水位以下，报警解除）",
        )
        self._latest[event_id] = event
        if event_id not in self._recent:
            self._forget_unless_pinned(event_id)
        self._out.append(EventItem(at, copy.deepcopy(event), EventRole.UPDATE))

    def _wetness(self, at: float) -> dict[str, float]:
        self._storms = [s for s in self._storms if at < s.rain_until + 1200.0]
        wet: dict[str, float] = {}
        for storm in self._storms:
            wet[storm.district] = min(1.0, wet.get(storm.district, 0.0) + storm.wetness(at))
        return wet

    # -- vital signs ---------------------------------------------------------------------------------

    def _metrics(self, at: float) -> None:
        self._out.extend(MetricItem(at, m) for m in self._vitals.sample(at, self._wetness(at)))
        self._schedule(at + self._metric_interval_s, self._metrics)


def _level_fields(over: float, device: str, trend: str) -> dict[str, object]:
    return {
        "over": f"{over:.2f}",
        "level": f"{catalog.WARN_LEVEL_M + over:.2f}",
        "device": device,
        "trend": trend,
    }
