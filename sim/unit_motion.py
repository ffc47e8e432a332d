"""The demo city's crews on the move: they drive its roads to the cases they are sent to and back to base,
and report where they are (protocol v1.2 `unit_status`) every few seconds."""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from core.geo import distance_m
from sim.city import City, SpeedClass, local_time_text

# Each crew reports every 5-10 s of demo time: lively on the map, a few frames a second for the city.
REPORT_EVERY_S = (5.0, 10.0)
# Traffic: a crew makes this share of a road's free-flow speed (a little more on the way to a case).
TRAFFIC = (0.55, 0.85)
HURRY = 1.15
# The last stretch from the nearest junction to the scene itself is driven slowly.
LAST_STRETCH_KMH = 25.0


@dataclass(frozen=True, slots=True)
class _Leg:
    """A straight stretch driven at one speed, starting `start_s` after the route began."""

    a: tuple[float, float]
    b: tuple[float, float]
    start_s: float
    duration_s: float
    speed_kmh: float
    heading: float
    end_node: int | None


@dataclass(slots=True)
class _Crew:
    unit_id: str
    base_node: int
    lon: float
    lat: float
    node: int | None  # the junction it stands at or is driving to next
    status: str = "available"
    heading: float | None = None
    speed_kmh: float = 0.0
    order_id: str | None = None
    legs: deque[_Leg] = field(default_factory=deque)
    route_start: float = 0.0
    next_report: float = 0.0


class UnitMotion:
    """Every mobile unit of the city, at its base and available to begin with.

    `dispatch(order, now)` sends a crew to the order's scene along the quickest roads and returns when it
    will arrive; `release(unit, order_id, now)` sends it home once it has handled (or handed back) that
    order; `due(now)` moves every crew to `now` and returns the status reports that fell due. The same
    seed and the same calls give the same reports.
    """

    def __init__(self, city: City, rng: random.Random, start: float) -> None:
        self._city = city
        self._rng = rng
        self._crews: dict[str, _Crew] = {}
        # Reports that fell due before a crew changed course, kept for the next due().
        self._pending: list[tuple[float, str, dict[str, Any]]] = []
        for unit in city.units:
            if unit.base is None or unit.base_node is None:
                continue
            node = city.nodes[unit.base_node]
            first = start + rng.uniform(0.0, REPORT_EVERY_S[0])
            self._crews[unit.id] = _Crew(
                unit.id, unit.base_node, node.lon, node.lat, node.id, next_report=first
            )

    @property
    def units(self) -> tuple[str, ...]:
        """The crews that move and report, by unit id."""
        return tuple(sorted(self._crews))

    def status_of(self, unit_id: str) -> str | None:
        crew = self._crews.get(unit_id)
        return None if crew is None else crew.status

    def dispatch(self, order: dict[str, Any], now: float) -> float | None:
        """Send the order's unit to its scene; when it will be there (None: not a mobile crew, no place)."""
        crew = self._crews.get(str(order.get("unit")))
        scene = _scene(order)
        if crew is None or scene is None:
            return None
        self._catch_up(crew, now)
        self._move(crew, now)
        target = self._city.nearest_node(*scene).id
        crew.order_id = str(order.get("order_id"))
        crew.status = "en_route"
        return self._drive(crew, now, target, scene, HURRY)

    def release(self, unit_id: str, order_id: str, now: float) -> None:
        """The crew is done with `order_id` (handled, or asked to hand it back): it drives home, available.
        A report on an older order than the crew's current one changes nothing."""
        crew = self._crews.get(unit_id)
        if crew is None or crew.order_id != order_id:
            return
        self._catch_up(crew, now)
        self._move(crew, now)
        crew.order_id = None
        crew.status = "available"
        base = self._city.nodes[crew.base_node]
        self._drive(crew, now, crew.base_node, (base.lon, base.lat), 1.0)

    def due(self, now: float) -> list[dict[str, Any]]:
        """The STATUS objects of every crew whose report time has come, each moved to its report time."""
        for crew in self._crews.values():
            self._catch_up(crew, now)
        reports, self._pending = self._pending, []
        reports.sort(key=lambda r: (r[0], r[1]))
        return [status for _, _, status in reports]

    def _catch_up(self, crew: _Crew, now: float) -> None:
        """Take the crew's reports up to `now` along the course it is on (before it changes course)."""
        while crew.next_report <= now:
            at = crew.next_report
            self._move(crew, at)
            self._pending.append((at, crew.unit_id, self._status(crew, at)))
            crew.next_report = at + self._rng.uniform(*REPORT_EVERY_S)

    def _status(self, crew: _Crew, at: float) -> dict[str, Any]:
        status: dict[str, Any] = {
            "unit": crew.unit_id,
            "lon": round(crew.lon, 6),
            "lat": round(crew.lat, 6),
            "heading": None if crew.heading is None else round(crew.heading, 1),
            "speed_kmh": round(crew.speed_kmh, 1),
            "status": crew.status,
            "at": local_time_text(at),
        }
        return status

    def _drive(self, crew: _Crew, now: float, target: int, end: tuple[float, float], hurry: float) -> float:
        """Plan the crew's legs from where it is to `end` by way of junction `target`; its arrival time."""
        city, rng = self._city, self._rng
        legs: list[_Leg] = []
        clock = 0.0
        here = (crew.lon, crew.lat)
        if crew.node is not None:
            points = [crew.node, *self._path(crew.node, target)[1:]]
            previous: tuple[float, float] = here
            classes = [SpeedClass.BRANCH, *self._classes(points)]
            for node_id, road in zip(points, classes, strict=True):
                node = city.nodes[node_id]
                kmh = min(road.kmh * rng.uniform(*TRAFFIC) * hurry, road.kmh * 1.1)
                clock = self._leg(legs, previous, (node.lon, node.lat), clock, kmh, node_id)
                previous = (node.lon, node.lat)
            here = previous
        clock = self._leg(legs, here, end, clock, LAST_STRETCH_KMH, None)
        crew.legs = deque(legs)
        crew.route_start = now
        crew.speed_kmh = legs[0].speed_kmh if legs else 0.0
        return now + clock

    @staticmethod
    def _leg(
        legs: list[_Leg],
        a: tuple[float, float],
        b: tuple[float, float],
        clock: float,
        kmh: float,
        end: int | None,
    ) -> float:
        metres = distance_m(a[0], a[1], b[0], b[1])
        if metres < 0.5:
            return clock
        duration = metres / (kmh / 3.6)
        legs.append(_Leg(a, b, clock, duration, kmh, _bearing(a, b), end))
        return clock + duration

    def _move(self, crew: _Crew, at: float) -> None:
        """Where the crew is at `at` along its legs; arriving ends the route (on scene, or home)."""
        elapsed = at - crew.route_start
        legs = crew.legs
        while legs and legs[0].start_s + legs[0].duration_s <= elapsed:
            done = legs.popleft()
            crew.lon, crew.lat = done.b
            crew.heading = done.heading
            if done.end_node is not None:
                crew.node = done.end_node
        if legs:
            leg = legs[0]
            share = max(0.0, elapsed - leg.start_s) / leg.duration_s
            crew.lon = leg.a[0] + (leg.b[0] - leg.a[0]) * share
            crew.lat = leg.a[1] + (leg.b[1] - leg.a[1]) * share
            crew.heading, crew.speed_kmh = leg.heading, leg.speed_kmh
            if leg.end_node is not None:
                crew.node = leg.end_node
            return
        crew.speed_kmh = 0.0
        if crew.status == "en_route":
            crew.status = "on_scene"

    def _path(self, start: int, target: int) -> list[int]:
        """The quickest junctions from `start` to `target` at free-flow speeds (ties by node id)."""
        city = self._city
        best = {start: 0.0}
        came: dict[int, int] = {}
        queue = [(0.0, start)]
        while queue:
            cost, node = heapq.heappop(queue)
            if node == target:
                break
            if cost > best[node]:
                continue
            for edge in city.edges_at(node):
                other = edge.other(node)
                through = cost + edge.travel_s
                if through < best.get(other, math.inf):
                    best[other] = through
                    came[other] = node
                    heapq.heappush(queue, (through, other))
        if target != start and target not in came:
            return [start]
        path = [target]
        while path[-1] != start:
            path.append(came[path[-1]])
        return path[::-1]

    def _classes(self, points: list[int]) -> list[SpeedClass]:
        """The road class of each step between consecutive junctions."""
        city = self._city
        classes = []
        for a, b in itertools.pairwise(points):
            edge = next(e for e in city.edges_at(a) if e.other(a) == b)
            classes.append(edge.speed_class)
        return classes


def _scene(order: dict[str, Any]) -> tuple[float, float] | None:
    location = order.get("location")
    if not isinstance(location, dict):
        return None
    lon, lat = location.get("lon"), location.get("lat")
    if not isinstance(lon, int | float) or not isinstance(lat, int | float):
        return None
    return float(lon), float(lat)


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Compass heading from a to b, degrees clockwise from north, 0 <= h < 360."""
    east = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    north = b[1] - a[1]
    return math.degrees(math.atan2(east, north)) % 360.0
