"""The policy values the closed loop runs on: SLA budgets, supervision limits, routing and de-duplication."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from dispatch.vitals.rules import AlertRule

ANY = "*"


class PolicyError(ValueError):
    """A policy file that cannot be used, or a lookup the policy has no rule for; the message says which."""


class TimeUnit(enum.StrEnum):
    """How a budget is counted: wall-clock minutes, or working time on the organisation's calendar."""

    MINUTES = "minutes"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


class Stage(enum.StrEnum):
    """A timed stage of the loop; each has its own clock and budget."""

    REGISTER = "register"  # discovery → registration
    SIGN = "sign"  # dispatch → signed for
    HANDLE = "handle"  # dispatch → handled (the handling clock starts at dispatch, not at sign)
    CHECK = "check"  # handled → check finished


class Urgency(enum.StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class AreaType(enum.StrEnum):
    URBAN = "urban"
    RURAL = "rural"


@dataclass(frozen=True, slots=True)
class Budget:
    """How long a stage may take."""

    amount: float
    unit: TimeUnit


@dataclass(frozen=True, slots=True)
class BudgetRule:
    """One row of the budget table; `category` "*" matches every category without a row of its own."""

    stage: Stage
    category: str
    urgency: Urgency
    area: AreaType
    budget: Budget


@dataclass(frozen=True, slots=True)
class SupervisionLimits:
    """Fractions of the handling budget at which the supervision overlay rises (light < yellow < red)."""

    yellow_light: float = 0.7
    yellow_card: float = 1.0
    red_card: float = 1.5


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """Category (or "*") in a district (or "*") goes to `unit`; `auto` registers and dispatches unattended."""

    category: str
    district: str
    unit: str
    auto: bool = False


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    """Two reports of one category within `radius_m` and `window_s` of each other are proposed for merge."""

    radius_m: float = 150.0
    window_s: float = 3600.0


@dataclass(frozen=True, slots=True)
class EpisodeRule:
    """Repeated machine alarms of one thing fold into one open case (docs/closed-loop.md, *Episodes*).

    A report from one of `sources` continues an episode when it names the same device (or, without one,
    the same camera, or else the same address within `radius_m`) and category, and comes no more than
    `gap_s` after the episode's latest report while its case is open."""

    gap_s: float = 1800.0
    radius_m: float = 50.0
    sources: frozenset[str] = frozenset({"iot", "video_ai"})


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """One working period of a day, as local wall-clock minutes since midnight, e.g. 08:30–12:00."""

    start_min: int
    end_min: int


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """The organisation's working calendar: which local days and hours count as working time."""

    timezone: str  # IANA name, e.g. "Asia/Shanghai"
    workdays: frozenset[int]  # ISO weekdays 1 (Mon) … 7 (Sun) that are normally worked
    hours: tuple[WorkingHours, ...]  # sorted, non-overlapping
    holidays: frozenset[str]  # ISO dates "2026-10-01" that are not worked although normally they would be
    makeup_workdays: frozenset[str]  # ISO dates (调休) that are worked although normally they would not be


DAY_S = 86_400.0
YEAR_S = 365.25 * DAY_S


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """How far from the console's clock a received time may lie; a frame with a time outside is set aside.

    `ahead_s` covers clock skew for times that say when something happened or was sent; CAP's effective,
    onset and expires announce the future, so they get `cap_ahead_s`.
    """

    back_s: float = 10 * YEAR_S
    ahead_s: float = DAY_S
    cap_ahead_s: float = 30 * DAY_S


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything the loop needs from the policy file, validated."""

    calendar: CalendarSpec
    budgets: tuple[BudgetRule, ...]
    supervision: SupervisionLimits
    routing: tuple[RoutingRule, ...]
    duplicates: DuplicateRule
    duplicate_overrides: tuple[tuple[str, DuplicateRule], ...]  # (category, rule) pairs
    urgent_max_severity: int  # severity 1..4, 1 most severe; severity <= this counts as urgent
    rural_districts: frozenset[str]
    verify_sources: frozenset[str]  # feed sources whose reports go to Verifying before registration
    time_window: TimeWindow = TimeWindow()  # received times outside it are quarantined (bad_time)
    episodes: EpisodeRule = EpisodeRule()  # repeated machine alarms that fold into one case
    alert_rules: tuple[AlertRule, ...] = ()  # vital-sign alert rules (dispatch/vitals)
    _budget_index: dict[tuple[Stage, str, Urgency, AreaType], Budget] = field(
        init=False, repr=False, compare=False
    )
    _duplicate_index: dict[str, DuplicateRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The first row for a key wins, as in the file; the loader refuses duplicates anyway.
        budgets: dict[tuple[Stage, str, Urgency, AreaType], Budget] = {}
        for rule in self.budgets:
            budgets.setdefault((rule.stage, rule.category, rule.urgency, rule.area), rule.budget)
        object.__setattr__(self, "_budget_index", budgets)
        duplicates: dict[str, DuplicateRule] = {}
        for category, window in self.duplicate_overrides:
            duplicates.setdefault(category, window)
        object.__setattr__(self, "_duplicate_index", duplicates)

    def budget(self, stage: Stage, category: str, urgency: Urgency, area: AreaType) -> Budget:
        """The budget of a stage for a case: the category's own row, else the "*" row, else PolicyError."""
        index = self._budget_index
        found = index.get((stage, category, urgency, area)) or index.get((stage, ANY, urgency, area))
        if found is None:
            raise PolicyError(
                f"no {stage.value} budget for category {category!r} ({urgency.value}, {area.value})"
                f" and no {ANY!r} row to fall back on"
            )
        return found

    def urgency(self, severity: int) -> Urgency:
        """Severity 1 is the most severe; up to `urgent_max_severity` a case is urgent."""
        return Urgency.URGENT if severity <= self.urgent_max_severity else Urgency.NORMAL

    def area(self, district: str) -> AreaType:
        return AreaType.RURAL if district in self.rural_districts else AreaType.URBAN

    def duplicate_rule(self, category: str) -> DuplicateRule:
        """The category's own de-duplication window, else the default one."""
        return self._duplicate_index.get(category, self.duplicates)

    def needs_verification(self, source: str) -> bool:
        return source in self.verify_sources
