"""The drill's field units: they answer orders with the scenario's scripted reports, else promptly."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any

from dispatch.drill.scenario import Scenario, UnitAction, UnitReport
from sim.drill.frames import wire_time

# A unit with nothing scripted for an order signs, reports progress and finishes in good time.
DEFAULT_PLAN: tuple[tuple[UnitAction, float, str], ...] = (
    (UnitAction.SIGN, 120.0, "已签收，正在赶赴现场"),
    (UnitAction.PROGRESS, 300.0, "已到达现场，正在处置"),
    (UnitAction.HANDLED, 720.0, "已处置完毕"),
)


@dataclass(order=True, slots=True)
class _Planned:
    at_s: float
    order: int
    report: dict[str, Any] = field(compare=False)
    inject: str = field(compare=False, default="")  # the scripted inject, empty for a default answer


class DrillUnits:
    """Plans each order's reports when it arrives; `due(now_s)` hands out those whose time has come.

    Scripted reports (`unit_report` injects) answer the first order for their case, `after_order` after
    it arrived, once their inject has fired (armed); skipped ones are never sent. Later orders for the
    same case (a re-dispatch after a return) get the default answers. Times are scenario seconds.
    """

    def __init__(self, scenario: Scenario, origin: float) -> None:
        self._scenario = scenario
        self._origin = origin
        self._scripted: dict[str, list[tuple[str, UnitReport]]] = {}
        for inject in scenario.injects:
            if isinstance(inject.body, UnitReport):
                self._scripted.setdefault(inject.body.to, []).append((inject.id, inject.body))
        self._answered: set[str] = set()
        self._queue: list[_Planned] = []
        self._held: list[_Planned] = []
        self._count = itertools.count()
        self.armed: set[str] = set()
        self.skipped: set[str] = set()
        self.orders: list[tuple[float, dict[str, Any], str]] = []  # (arrived, order, inject of its case)

    def take(self, order: dict[str, Any], now_s: float, case_inject: str) -> None:
        """An order arrived for the case `case_inject` opened (empty when the case is not the drill's)."""
        self.orders.append((now_s, order, case_inject))
        scripted = self._scripted.get(case_inject, []) if case_inject not in self._answered else []
        if case_inject:
            self._answered.add(case_inject)
        if scripted:
            for inject_id, report in scripted:
                unit = report.unit or str(order.get("unit", ""))
                self._plan(order, unit, report.action, now_s + report.delay_s, report.note, inject_id)
            return
        for action, after_s, note in DEFAULT_PLAN:
            self._plan(order, str(order.get("unit", "")), action, now_s + after_s, note, "")

    def due(self, now_s: float) -> list[tuple[str, dict[str, Any]]]:
        """(inject id or "", report) for every report due by `now_s`, in time order."""
        still_held: list[_Planned] = []
        for planned in self._held:
            if planned.inject in self.armed:
                planned.at_s = max(planned.at_s, now_s)
                heapq.heappush(self._queue, planned)
            elif planned.inject not in self.skipped:
                still_held.append(planned)
        self._held = still_held
        out: list[tuple[str, dict[str, Any]]] = []
        while self._queue and self._queue[0].at_s <= now_s:
            planned = heapq.heappop(self._queue)
            if planned.inject and planned.inject in self.skipped:
                continue
            if planned.inject and planned.inject not in self.armed:
                self._held.append(planned)
                continue
            planned.report["at"] = wire_time(self._origin + planned.at_s)
            out.append((planned.inject, planned.report))
        return out

    def _plan(
        self, order: dict[str, Any], unit: str, action: UnitAction, at_s: float, note: str, inject: str
    ) -> None:
        report: dict[str, Any] = {"order_id": order.get("order_id"), "unit": unit, "action": action.value}
        if note:
            report["note"] = note
        location = order.get("location")
        if isinstance(location, dict) and action is not UnitAction.SIGN:
            lon, lat = location.get("lon"), location.get("lat")
            if isinstance(lon, int | float) and isinstance(lat, int | float):
                report["position"] = {"lon": lon, "lat": lat}
        heapq.heappush(self._queue, _Planned(at_s, next(self._count), report, inject))
