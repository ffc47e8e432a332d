"""A drill scenario as data: AQ/T 9007 metadata, the master scenario events list, expected actions."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass

from dispatch.casework.model import Action


class DrillForm(enum.StrEnum):
    """AQ/T 9007 by form: 桌面演练 (discussion around a table) or 实战演练 (people and units move)."""

    TABLETOP = "tabletop"
    FIELD = "field"


class DrillScope(enum.StrEnum):
    """AQ/T 9007 by content: 单项演练 (one function) or 综合演练 (several functions together)."""

    SINGLE = "single"
    COMPREHENSIVE = "comprehensive"


class DrillPurpose(enum.StrEnum):
    """AQ/T 9007 by purpose: 检验性, 示范性, 研究性."""

    TEST = "test"
    DEMONSTRATION = "demonstration"
    RESEARCH = "research"


class UnitAction(enum.StrEnum):
    """What a scripted unit report says (the protocol's unit_report actions, docs/protocol.md §11.3)."""

    SIGN = "sign"
    PROGRESS = "progress"
    HANDLED = "handled"
    RETURN_REQUEST = "return_request"


class CapSeverity(enum.StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"


class CapMsgType(enum.StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


@dataclass(frozen=True, slots=True)
class Objective:
    """One thing the drill sets out to test, rated afterwards on the HSEEP P/S/M/U scale."""

    id: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Where:
    """A position: named after an atlas place, or given outright (WGS-84)."""

    place: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""


@dataclass(frozen=True, slots=True)
class EventBody:
    """A city event as a feed would send it (docs/protocol.md §4); the runner marks it exercise."""

    source: str
    category: str
    title: str
    severity: int
    description: str = ""
    where: Where | None = None
    camera: str = ""
    device: str = ""
    cleared: bool = False
    # Reuses the event id of an earlier inject: a revision of that event (a gauge reading rising).
    revises: str = ""


@dataclass(frozen=True, slots=True)
class MetricCurve:
    """A vital sign sampled every `every_s` along straight lines between (offset, value) points."""

    name: str
    unit: str
    labels: tuple[tuple[str, str], ...]
    every_s: float
    points: tuple[tuple[float, float], ...]

    def samples(self) -> tuple[tuple[float, float], ...]:
        """(offset after the inject, value) for every reading, the last point included."""
        out: list[tuple[float, float]] = []
        end = self.points[-1][0]
        steps = int(end // self.every_s)
        for n in range(steps + 1):
            out.append((n * self.every_s, self.value_at(n * self.every_s)))
        if out[-1][0] < end:
            out.append((end, self.points[-1][1]))
        return tuple(out)

    def value_at(self, offset: float) -> float:
        points = self.points
        if offset <= points[0][0]:
            return points[0][1]
        for (t0, v0), (t1, v1) in itertools.pairwise(points):
            if offset <= t1:
                return v0 + (v1 - v0) * (offset - t0) / (t1 - t0)
        return points[-1][1]


@dataclass(frozen=True, slots=True)
class CapWarning:
    """A CAP 1.2 warning; the runner sends it with status Exercise, so it can never be taken as real."""

    event: str
    headline: str
    severity: CapSeverity
    area_desc: str
    msg_type: CapMsgType = CapMsgType.ALERT
    description: str = ""
    instruction: str = ""
    urgency: str = "Expected"
    certainty: str = "Likely"
    category: str = "Met"
    expires_s: float = 6 * 3600.0
    # The inject whose warning this one updates or cancels.
    references: str = ""
    where: Where | None = None
    radius_km: float = 5.0


@dataclass(frozen=True, slots=True)
class UnitReport:
    """A unit's answer to the order the drill's case got: sent `delay_s` after the order arrives.

    No order, no report: a unit answers only what it was sent (the log says so).
    """

    to: str  # the inject whose case the order is for
    unit: str  # empty: whichever unit the order went to
    action: UnitAction
    delay_s: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class CameraScene:
    """What a camera sees: a video-analytics event bound to that camera, with an optional clip."""

    camera: str
    title: str
    category: str
    severity: int
    scene: str = ""
    clip: str = ""


@dataclass(frozen=True, slots=True)
class PhoneCall:
    """A caller rings the hotline; the intake officer logs it (headless: a simulated officer)."""

    caller: str
    says: str
    category: str
    severity: int
    phone: str = ""
    where: Where | None = None
    log_delay_s: float = 60.0


InjectBody = EventBody | MetricCurve | CapWarning | UnitReport | CameraScene | PhoneCall


@dataclass(frozen=True, slots=True)
class Inject:
    """One line of the master scenario events list.

    It fires `at_s` after the start, or, for a contingency inject, `delay_s` after the expected action
    named in `if_missing` ran out of time without happening.
    """

    id: str
    body: InjectBody
    line: int
    at_s: float | None = None
    if_missing: str = ""
    delay_s: float = 0.0
    objective: str = ""
    note: str = ""  # for the director: why this inject is in the list


@dataclass(frozen=True, slots=True)
class ExpectedAction:
    """What the players should do about an inject's case, and by when (seconds after that inject)."""

    id: str
    inject: str
    action: Action
    within_s: float
    line: int
    objective: str = ""
    unit: str = ""  # dispatch only: this unit …
    unit_kind: str = ""  # … or any unit of this kind
    text: str = ""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole scenario file, checked for its own consistency (references resolve, offsets fit)."""

    title: str
    form: DrillForm
    scope: DrillScope
    atlas: str
    areas: tuple[str, ...]
    duration_s: float
    objectives: tuple[Objective, ...]
    injects: tuple[Inject, ...]
    expected: tuple[ExpectedAction, ...]
    purpose: DrillPurpose = DrillPurpose.TEST
    summary: str = ""
    file: str = ""
    area_line: int = 1

    def inject(self, inject_id: str) -> Inject:
        for inject in self.injects:
            if inject.id == inject_id:
                return inject
        raise KeyError(inject_id)

    def expectation(self, expected_id: str) -> ExpectedAction:
        for expected in self.expected:
            if expected.id == expected_id:
                return expected
        raise KeyError(expected_id)

    @property
    def scheduled(self) -> tuple[Inject, ...]:
        """The injects with a time of their own, in firing order (ties keep the file's order)."""
        timed = [inject for inject in self.injects if inject.at_s is not None]
        return tuple(sorted(timed, key=lambda inject: inject.at_s or 0.0))

    @property
    def contingencies(self) -> tuple[Inject, ...]:
        return tuple(inject for inject in self.injects if inject.if_missing)
