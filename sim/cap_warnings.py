"""The demo city's CAP weather warnings: storm and weather warnings, raised and cancelled as chains."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sim.cap_xml import HAZARDS, Colour, Message, WeatherWarning, render
from sim.city import CITY_TZ, City, District, LonLat
from sim.feed_items import CapItem, FeedItem


@dataclass(slots=True)
class _Chain:
    """One warning's CAP messages so far, so Updates and Cancels can reference them."""

    warning: WeatherWarning
    status: str
    sent: list[tuple[str, float]] = field(default_factory=list)


class CapWarnings:
    """Sends the warnings on the generator's timeline, drawing from its random stream in its order."""

    def __init__(
        self,
        city: City,
        rng: random.Random,
        stamp: str,
        schedule: Callable[[float, Callable[[float], None]], None],
        next_number: Callable[[], int],
        put: Callable[[FeedItem], None],
        warning_gap_s: float,
    ) -> None:
        self._city = city
        self._rng = rng
        self._stamp = stamp
        self._schedule = schedule
        self._next_number = next_number
        self._put = put
        self._warning_gap_s = warning_gap_s

    def storm_warning(
        self, at: float, district: District, colour: Colour, rain_from: float, rain_until: float
    ) -> None:
        """A rainstorm warning for one district, maybe raised while it rains, cancelled after it stops."""
        outline = self._city.district_outline(district.code)
        chain = _Chain(
            WeatherWarning("暴雨", colour, f"{self._city.name}{district.name}", outline, district.code),
            "Actual",
        )
        self._send_cap(at, chain, "Alert")
        if colour is not Colour.RED and self._rng.random() < 0.4:
            self._schedule(rain_from + 0.4 * (rain_until - rain_from), functools.partial(self._raise, chain))
        self._schedule(rain_until + self._rng.uniform(60.0, 300.0), functools.partial(self._cancel, chain))

    def weather_warning(self, at: float) -> None:
        """A heat, wind or fog warning for the whole city; the next one is scheduled after it."""
        summer = 5 <= datetime.fromtimestamp(at, CITY_TZ).month <= 9
        hazard = self._rng.choice(("高温", "大风") if summer else ("大风", "大雾"))
        colours = list(HAZARDS[hazard])
        colour = self._rng.choices(colours, [0.5, 0.3, 0.15, 0.05][: len(colours)])[0]
        status = "Exercise" if self._rng.random() < 0.12 else "Actual"
        b = self._city.bounds
        box = (
            LonLat(b.west, b.south),
            LonLat(b.east, b.south),
            LonLat(b.east, b.north),
            LonLat(b.west, b.north),
        )
        chain = _Chain(
            WeatherWarning(hazard, colour, self._city.name, (*box, box[0]), self._city.code), status
        )
        self._send_cap(at, chain, "Alert")
        later = at + self._rng.uniform(1200.0, 3600.0)
        if colour is not colours[-1] and self._rng.random() < 0.5:
            self._schedule(later, functools.partial(self._raise, chain))
            later += self._rng.uniform(1200.0, 3600.0)
        self._schedule(later, functools.partial(self._cancel, chain))
        self._schedule(at + max(900.0, self._rng.expovariate(1 / self._warning_gap_s)), self.weather_warning)

    def _raise(self, chain: _Chain, at: float) -> None:
        w = chain.warning
        if w.colour.raised() in HAZARDS[w.hazard]:
            chain.warning = WeatherWarning(w.hazard, w.colour.raised(), w.area_desc, w.polygon, w.geocode)
        self._send_cap(at, chain, "Update")

    def _cancel(self, chain: _Chain, at: float) -> None:
        self._send_cap(at, chain, "Cancel")

    def _send_cap(self, at: float, chain: _Chain, msg_type: str) -> None:
        identifier = f"TSQX-{self._stamp}-{self._next_number():06d}"
        expires = at + (3600.0 if msg_type == "Cancel" else 6 * 3600.0)
        message = Message(identifier, at, chain.status, msg_type, chain.warning, expires, tuple(chain.sent))
        chain.sent.append((identifier, at))
        self._put(CapItem(at, render(message), identifier, chain.status, msg_type))
