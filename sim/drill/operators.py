"""Simulated duty officers for a headless drill: scripted default responses to every exercise case."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dispatch.atlas.model import Atlas
from dispatch.casework.model import Action, Actor, Case, CaseState, Command, Refused, Role
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.routing import Router

_log = logging.getLogger(__name__)
LEAD = Actor("drill-lead", Role.SHIFT_LEAD, "模拟值班长")
DISPATCHER = Actor("drill-dispatcher", Role.DISPATCHER, "模拟调度员")


@dataclass(frozen=True, slots=True)
class Pace:
    """How long the simulated officers take, in scenario seconds after the case's last change."""

    acknowledge_s: float = 45.0
    register_s: float = 90.0
    dispatch_s: float = 90.0
    approve_return_s: float = 60.0
    check_s: float = 60.0
    close_s: float = 60.0


class ScriptedOperators:
    """Each beat, moves every open exercise case one step along the ordinary path, at a steady pace:
    acknowledge (levels I and II), register, dispatch to the routed unit, approve a return and dispatch to
    another unit of the same trade, check and close what units report handled. A refusal (the case moved
    meanwhile) is logged and tried again on the next beat."""

    def __init__(self, desk: CaseDesk, router: Router, atlas: Atlas, pace: Pace | None = None) -> None:
        self.desk = desk
        self.router = router
        self.atlas = atlas
        self.pace = pace or Pace()
        self._returned: dict[int, set[str]] = {}
        self._units = {unit.id: unit for unit in atlas.units}

    def beat(self) -> int:
        """One pass over the open exercise cases; how many commands went through."""
        done = 0
        rows = self.desk.conn.execute("SELECT id FROM cases WHERE is_open = 1 AND exercise = 1 ORDER BY id")
        for (case_id,) in rows.fetchall():
            command = self._next(self.desk.get(int(case_id)))
            if command is None:
                continue
            try:
                self.desk.act(command)
            except Refused as refusal:
                _log.info("simulated officer refused on case %s: %s", case_id, refusal)
                continue
            done += 1
        return done

    def _next(self, case: Case) -> Command | None:
        now = self.desk.clock.now()
        waited = now - case.updated_at
        pace = self.pace
        if case.severity <= 2 and not case.acknowledged and now - case.discovered_at >= pace.acknowledge_s:
            return Command(case.id, case.version, Action.ACKNOWLEDGE, LEAD)
        state = case.state
        if (
            state in (CaseState.DISCOVERED, CaseState.VERIFYING)
            and now - case.discovered_at >= pace.register_s
        ):
            return Command(case.id, case.version, Action.REGISTER, LEAD)
        if state is CaseState.REGISTERED and waited >= pace.dispatch_s:
            unit = self._unit_for(case)
            if unit is None:
                return None
            payload = {"unit": unit, "instructions": "演练：请按预案处置"}
            return Command(case.id, case.version, Action.DISPATCH, DISPATCHER, payload=payload)
        if state is CaseState.RETURN_REQUESTED and waited >= pace.approve_return_s:
            self._returned.setdefault(case.id, set()).add(case.unit)
            return Command(case.id, case.version, Action.APPROVE_RETURN, LEAD)
        if state is CaseState.HANDLED and waited >= pace.check_s:
            return Command(case.id, case.version, Action.START_CHECK, LEAD)
        if state is CaseState.CHECKING and waited >= pace.close_s:
            return Command(case.id, case.version, Action.CLOSE, LEAD)
        return None

    def _unit_for(self, case: Case) -> str | None:
        """The routed unit; after a return, another unit of its trade that has not sent the case back."""
        rule = self.router.route(case.category, case.district)
        if rule is None:
            return None
        refused = self._returned.get(case.id, set())
        if rule.unit not in refused:
            return rule.unit
        routed = self._units.get(rule.unit)
        kind = routed.kind if routed is not None else ""
        for unit in self.atlas.units:
            if unit.kind == kind and unit.id not in refused:
                return unit.id
        return None
