"""Judging expected actions against what the players did, and which contingency injects fall due."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dispatch.casework.model import Action
from dispatch.drill.scenario import ExpectedAction, Inject, Scenario


class Outcome(enum.StrEnum):
    MET = "met"  # done within the target
    LATE = "late"  # done, after the target
    MISSED = "missed"  # not done, and the target has passed
    PENDING = "pending"  # not done yet, still within the target
    NOT_TRIGGERED = "not_triggered"  # its inject never fired (skipped, or a contingency not needed)


@dataclass(frozen=True, slots=True)
class Observed:
    """One thing the players did to the case an inject opened, at scenario seconds `at_s`."""

    inject: str
    action: Action
    at_s: float
    unit: str = ""
    unit_kind: str = ""
    role: str = ""  # who did it (the audit row's role), for the review's per-role results


@dataclass(frozen=True, slots=True)
class Verdict:
    expected: ExpectedAction
    outcome: Outcome
    deadline_s: float | None  # scenario seconds; None while its inject has not fired
    done_at_s: float | None

    @property
    def delay_s(self) -> float | None:
        """How long after its inject the action came (None if it did not)."""
        if self.done_at_s is None or self.deadline_s is None:
            return None
        return self.done_at_s - (self.deadline_s - self.expected.within_s)


def matches(expected: ExpectedAction, observed: Observed) -> bool:
    if observed.inject != expected.inject or observed.action is not expected.action:
        return False
    if expected.unit and observed.unit != expected.unit:
        return False
    return not expected.unit_kind or observed.unit_kind == expected.unit_kind


def judge(
    expected: ExpectedAction, fired_at: Mapping[str, float], observed: Iterable[Observed], now_s: float
) -> Verdict:
    """The verdict on one expected action at scenario time `now_s`, from when its inject fired."""
    start = fired_at.get(expected.inject)
    if start is None:
        return Verdict(expected, Outcome.NOT_TRIGGERED, None, None)
    deadline = start + expected.within_s
    done = [o.at_s for o in observed if matches(expected, o) and o.at_s >= start]
    if done:
        first = min(done)
        return Verdict(expected, Outcome.MET if first <= deadline else Outcome.LATE, deadline, first)
    return Verdict(expected, Outcome.MISSED if now_s > deadline else Outcome.PENDING, deadline, None)


def judge_all(
    scenario: Scenario, fired_at: Mapping[str, float], observed: Iterable[Observed], now_s: float
) -> tuple[Verdict, ...]:
    seen = tuple(observed)
    return tuple(judge(e, fired_at, seen, now_s) for e in scenario.expected)


def due_contingencies(
    scenario: Scenario,
    fired_at: Mapping[str, float],
    observed: Iterable[Observed],
    now_s: float,
    settled: frozenset[str] | set[str],
) -> list[tuple[Inject, float]]:
    """Contingency injects whose time has come, each with the scenario time it was due.

    A contingency is due `delay` after its expected action's deadline, and fires only if that action
    has still not happened by then. `settled` holds the contingencies already fired or called off; a
    contingency whose action came in time is called off, which the caller records by settling it.
    """
    seen = tuple(observed)
    out: list[tuple[Inject, float]] = []
    for inject in scenario.contingencies:
        if inject.id in settled:
            continue
        verdict = judge(scenario.expectation(inject.if_missing), fired_at, seen, now_s)
        if verdict.deadline_s is None:
            continue
        due_at = verdict.deadline_s + inject.delay_s
        if now_s < due_at:
            continue
        if verdict.done_at_s is None or verdict.done_at_s > due_at:
            out.append((inject, due_at))
    return sorted(out, key=lambda pair: pair[1])


def called_off(
    scenario: Scenario, fired_at: Mapping[str, float], observed: Iterable[Observed], now_s: float
) -> list[str]:
    """Contingencies that will never fire: their action happened before they fell due."""
    seen = tuple(observed)
    out: list[str] = []
    for inject in scenario.contingencies:
        verdict = judge(scenario.expectation(inject.if_missing), fired_at, seen, now_s)
        if verdict.deadline_s is None or verdict.done_at_s is None:
            continue
        if verdict.done_at_s <= verdict.deadline_s + inject.delay_s:
            out.append(inject.id)
    return out
