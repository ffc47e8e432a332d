"""A scenario's own consistency: unique ids, references that resolve, times that fit the drill."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn

from dispatch.drill.scenario import (
    CameraScene,
    CapMsgType,
    CapWarning,
    EventBody,
    ExpectedAction,
    Inject,
    MetricCurve,
    PhoneCall,
    Scenario,
    UnitReport,
)
from dispatch.drill.yaml_nodes import ScenarioError

_CASE_KINDS = (EventBody, CapWarning, CameraScene, PhoneCall)


def check_references(scenario: Scenario, name: str) -> None:
    """ScenarioError at the line of the first inconsistency; nothing when the scenario holds together."""
    injects: dict[str, Inject] = {}
    for inject in scenario.injects:
        if inject.id in injects:
            raise ScenarioError(name, inject.line, f"inject id {inject.id!r} is used twice")
        injects[inject.id] = inject
    objectives = {objective.id for objective in scenario.objectives}
    if len(objectives) != len(scenario.objectives):
        seen: set[str] = set()
        for objective in scenario.objectives:
            if objective.id in seen:
                raise ScenarioError(name, objective.line, f"objective id {objective.id!r} is used twice")
            seen.add(objective.id)
    expected: dict[str, ExpectedAction] = {}
    for action in scenario.expected:
        where = f"expected action {action.id}"
        if action.id in expected:
            raise ScenarioError(name, action.line, f"expected action id {action.id!r} is used twice")
        expected[action.id] = action
        target = injects.get(action.inject)
        if target is None:
            raise ScenarioError(name, action.line, f"{where}: no inject {action.inject!r}")
        if not isinstance(target.body, _CASE_KINDS):
            kinds = "an event, camera, call or cap does"
            raise ScenarioError(name, action.line, f"{where}: inject {action.inject} opens no case ({kinds})")
        if action.objective and action.objective not in objectives:
            raise ScenarioError(name, action.line, f"{where}: no objective {action.objective!r}")
    for inject in scenario.injects:
        _check_inject(inject, injects, expected, objectives, name)
    planned = planned_times(scenario, name)
    for inject in scenario.injects:
        at = planned[inject.id]
        if at > scenario.duration_s:
            end = _clock(scenario.duration_s)
            message = f"inject {inject.id} would fire at {_clock(at)}, after the drill ends ({end})"
            raise ScenarioError(name, inject.line, message)
        if isinstance(inject.body, MetricCurve) and at + inject.body.points[-1][0] > scenario.duration_s:
            raise ScenarioError(name, inject.line, f"inject {inject.id}: the curve runs past the drill's end")


def _check_inject(
    inject: Inject,
    injects: dict[str, Inject],
    expected: Mapping[str, ExpectedAction],
    objectives: set[str],
    name: str,
) -> None:
    def fail(message: str) -> NoReturn:
        raise ScenarioError(name, inject.line, f"inject {inject.id}: {message}")

    if inject.objective and inject.objective not in objectives:
        fail(f"no objective {inject.objective!r}")
    if inject.if_missing and inject.if_missing not in expected:
        fail(f"if_missing names no expected action {inject.if_missing!r}")
    body = inject.body
    if isinstance(body, EventBody) and body.revises:
        earlier = injects.get(body.revises)
        if earlier is None or not isinstance(earlier.body, EventBody) or earlier.id == inject.id:
            fail(f"revises names no other event inject {body.revises!r}")
        if earlier.body.revises:
            fail(f"revise the first event ({earlier.body.revises}) instead")
        if earlier.body.source != body.source:
            fail(f"a revision keeps the source {earlier.body.source!r}")
    if isinstance(body, CapWarning):
        if body.msg_type is CapMsgType.ALERT and body.references:
            fail("an Alert references nothing (use Update or Cancel)")
        if body.msg_type is not CapMsgType.ALERT:
            earlier = injects.get(body.references)
            if earlier is None or not isinstance(earlier.body, CapWarning) or earlier.id == inject.id:
                fail(f"an {body.msg_type.value} references an earlier cap inject")
    if isinstance(body, UnitReport):
        target = injects.get(body.to)
        if target is None or not isinstance(target.body, _CASE_KINDS):
            fail(f"unit_report.to names no case-opening inject {body.to!r}")


def planned_times(scenario: Scenario, name: str) -> dict[str, float]:
    """When each inject fires if nothing is done: contingencies at their expectation's deadline + delay."""
    planned: dict[str, float] = {}
    visiting: set[str] = set()

    def time_of(inject: Inject) -> float:
        if inject.id in planned:
            return planned[inject.id]
        if inject.at_s is not None:
            planned[inject.id] = inject.at_s
            return inject.at_s
        if inject.id in visiting:
            raise ScenarioError(name, inject.line, f"inject {inject.id}: its contingency depends on itself")
        visiting.add(inject.id)
        expectation = scenario.expectation(inject.if_missing)
        at = time_of(scenario.inject(expectation.inject)) + expectation.within_s + inject.delay_s
        planned[inject.id] = at
        return at

    for inject in scenario.injects:
        time_of(inject)
    return planned


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"+{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
