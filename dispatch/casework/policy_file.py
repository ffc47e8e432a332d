"""Reads the YAML policy file into a validated Policy; every error names its file and line."""

from __future__ import annotations

import enum
import itertools
import math
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from dispatch.casework.policy import (
    ANY,
    DAY_S,
    YEAR_S,
    AreaType,
    Budget,
    BudgetRule,
    CalendarSpec,
    DuplicateRule,
    EpisodeRule,
    Policy,
    PolicyError,
    RoutingRule,
    Stage,
    SupervisionLimits,
    TimeUnit,
    TimeWindow,
    Urgency,
    WorkingHours,
)
from dispatch.vitals.rules_file import read_alert_rules

T = TypeVar("T")
E = TypeVar("E", bound=enum.StrEnum)
_TAG = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset({_TAG + "str", _TAG + "int"})
_NUMBER_TAGS = frozenset({_TAG + "int", _TAG + "float"})
_UNITS = {
    **{u.value: u for u in TimeUnit},
    "minute": TimeUnit.MINUTES,
    "working_hour": TimeUnit.WORKING_HOURS,
    "working_day": TimeUnit.WORKING_DAYS,
}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {
    **{name: n for n, name in enumerate(_DAY_NAMES, start=1)},
    **{name[:3]: n for n, name in enumerate(_DAY_NAMES, start=1)},
    **{str(n): n for n in range(1, 8)},
}
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_RANGE_DAYS = 366
_SPAN_UNITS = {"minute": 60.0, "hour": 3600.0, "day": DAY_S, "year": YEAR_S}
# Far enough for any real feed, near enough that the clock plus or minus a window stays a valid date.
_MAX_SPAN_S = 100 * YEAR_S


def default_policy_path() -> Path:
    """The demo city's policy shipped in resources/policy/default.yaml."""
    return Path(str(resources.files("resources") / "policy" / "default.yaml"))


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file; PolicyError("<file>:<line>: …") on anything wrong."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the policy file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PolicyError(f"{path}:{line}: the policy file is not UTF-8 text") from None
    return parse_policy(text, str(path))


def parse_policy(text: str, name: str) -> Policy:
    """Validate policy text; `name` is the file name used in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = "; ".join(part for part in (error.context, error.problem) if part)
        raise PolicyError(f"{name}:{line}: YAML syntax: {what}") from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise PolicyError(f"{name}:{line}: YAML syntax: {error.reason}") from None
    if root is None:
        raise PolicyError(f"{name}:1: the policy file is empty")
    return _Reader(name).policy(root)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Reader:
    """Walks the composed YAML nodes; each method reads one part of the file and knows its rules."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, node: yaml.Node, what: str) -> NoReturn:
        raise PolicyError(f"{self.name}:{_line(node)}: {what}")

    # -- structure ---------------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's entries by key text, with the key node kept for its line; duplicates refused."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of keys to values")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            text = self.text(key, f"a key in {what}")
            if text in entries:
                self.fail(key, f"{text!r} appears twice in {what} (first on line {_line(entries[text][0])})")
            entries[text] = (key, value)
        return entries

    def fields(
        self, node: yaml.Node, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node]:
        """A mapping with a fixed set of keys: unknown keys are typos and refused, missing ones too."""
        entries = self.mapping(node, what)
        for key, (key_node, _) in entries.items():
            if key not in required and key not in optional:
                expected = ", ".join(required + optional)
                self.fail(key_node, f"unknown key {key!r} in {what} (expected: {expected})")
        for key in required:
            if key not in entries:
                self.fail(node, f"{what} is missing {key!r}")
        return {key: value for key, (_, value) in entries.items()}

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
        return list(node.value)

    def unique(self, node: yaml.Node, what: str, read: Callable[[yaml.Node], T]) -> frozenset[T]:
        """The items of a list, refusing an item listed twice."""
        seen: dict[T, int] = {}
        for item in self.sequence(node, what):
            value = read(item)
            if value in seen:
                self.fail(item, f"{item.value!r} is listed twice in {what} (first on line {seen[value]})")
            seen[value] = _line(item)
        return frozenset(seen)

    # -- scalars -----------------------------------------------------------------------------------

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a single value, not a list or mapping")
        return str(node.value)

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what).strip()
        if node.tag not in _TEXT_TAGS or not value:
            self.fail(node, f"{what} must be a name or code, not {node.value!r}")
        return value

    def number(self, node: yaml.Node, what: str, *, positive: bool = True) -> float:
        value = self.scalar(node, what)
        try:
            number = float(value.replace("_", "")) if node.tag in _NUMBER_TAGS else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.fail(node, f"{what} must be a plain number, not {value!r}")
        if positive and number <= 0:
            self.fail(node, f"{what} must be greater than 0, not {value}")
        return number

    def flag(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if node.tag != _TAG + "bool":
            self.fail(node, f"{what} must be true or false, not {value!r}")
        return value.lower() in ("true", "yes", "on")

    def budget(self, node: yaml.Node, what: str) -> Budget:
        value = self.scalar(node, what)
        parts = value.split()
        if len(parts) != 2:
            self.fail(node, f"{what} must be '<amount> <unit>', e.g. '30 minutes', not {value!r}")
        amount_text, unit_text = parts
        try:
            amount = float(amount_text)
        except ValueError:
            amount = math.nan
        if not (math.isfinite(amount) and amount > 0):
            self.fail(node, f"{what}: the amount must be a number greater than 0, not {amount_text!r}")
        unit = _UNITS.get(unit_text)
        if unit is None:
            self.fail(
                node, f"{what}: unknown unit {unit_text!r} (expected minutes, working_hours or working_days)"
            )
        return Budget(amount, unit)

    # -- sections ----------------------------------------------------------------------------------

    def policy(self, root: yaml.Node) -> Policy:
        top = self.fields(
            root,
            "the policy",
            ("calendar", "urgent_max_severity", "budgets"),
            (
                "supervision",
                "duplicates",
                "routing",
                "rural_districts",
                "verify_sources",
                "time_window",
                "episodes",
                "alert_rules",
            ),
        )
        severity_node = top["urgent_max_severity"]
        severity = self.number(severity_node, "urgent_max_severity", positive=False)
        if severity not in (0, 1, 2, 3, 4):
            self.fail(
                severity_node, f"urgent_max_severity must be a whole number 0..4, not {severity_node.value}"
            )
        duplicates, overrides = (
            self.duplicates(top["duplicates"]) if "duplicates" in top else (DuplicateRule(), ())
        )
        return Policy(
            calendar=self.calendar(top["calendar"]),
            budgets=self.budgets(top["budgets"]),
            supervision=self.supervision(top["supervision"]) if "supervision" in top else SupervisionLimits(),
            routing=self.routing(top["routing"]) if "routing" in top else (),
            duplicates=duplicates,
            duplicate_overrides=overrides,
            urgent_max_severity=int(severity),
            rural_districts=self.names(top.get("rural_districts"), "rural_districts"),
            verify_sources=self.names(top.get("verify_sources"), "verify_sources"),
            time_window=self.time_window(top["time_window"]) if "time_window" in top else TimeWindow(),
            episodes=self.episodes(top["episodes"]) if "episodes" in top else EpisodeRule(),
            alert_rules=read_alert_rules(self, top["alert_rules"]) if "alert_rules" in top else (),
        )

    def episodes(self, node: yaml.Node) -> EpisodeRule:
        defaults = EpisodeRule()
        spec = self.fields(node, "episodes", (), ("gap_s", "radius_m", "sources"))
        gap = self.number(spec["gap_s"], "episodes.gap_s") if "gap_s" in spec else defaults.gap_s
        radius = (
            self.number(spec["radius_m"], "episodes.radius_m") if "radius_m" in spec else defaults.radius_m
        )
        sources = self.names(spec["sources"], "episodes.sources") if "sources" in spec else defaults.sources
        return EpisodeRule(gap, radius, sources)

    def time_window(self, node: yaml.Node) -> TimeWindow:
        defaults = TimeWindow()
        spec = self.fields(node, "time_window", (), ("back", "ahead", "cap_ahead"))
        back, ahead, cap_ahead = (
            self.span(spec[key], f"time_window.{key}") if key in spec else getattr(defaults, f"{key}_s")
            for key in ("back", "ahead", "cap_ahead")
        )
        if cap_ahead < ahead:
            self.fail(spec.get("cap_ahead", node), "time_window.cap_ahead must not be shorter than ahead")
        return TimeWindow(back, ahead, cap_ahead)

    def span(self, node: yaml.Node, what: str) -> float:
        """'<amount> <unit>' in minutes, hours, days or years (365.25 days), e.g. '10 years'."""
        value = self.scalar(node, what)
        amount_text, _, unit_text = value.strip().partition(" ")
        try:
            amount = float(amount_text)
        except ValueError:
            amount = math.nan
        unit = _SPAN_UNITS.get(unit_text.strip().removesuffix("s"))
        if unit is None or not (math.isfinite(amount) and 0 < amount * unit <= _MAX_SPAN_S):
            self.fail(
                node,
                f"{what} must be '<amount> <unit>' (minutes, hours, days or years)"
                f" greater than 0 and at most 100 years, e.g. '10 years', not {value!r}",
            )
        return amount * unit

    def names(self, node: yaml.Node | None, what: str) -> frozenset[str]:
        if node is None:
            return frozenset()
        return self.unique(node, what, lambda n: self.text(n, f"an entry of {what}"))

    def calendar(self, node: yaml.Node) -> CalendarSpec:
        spec = self.fields(
            node, "calendar", ("timezone", "workdays", "hours"), ("holidays", "makeup_workdays")
        )
        zone = self.text(spec["timezone"], "calendar.timezone")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.fail(
                spec["timezone"], f"unknown time zone {zone!r} (expected an IANA name such as Asia/Shanghai)"
            )
        workdays = self.unique(spec["workdays"], "calendar.workdays", self.weekday)
        if not workdays:
            self.fail(spec["workdays"], "the calendar has no working time at all: workdays is empty")
        holidays = self.dates(spec.get("holidays"), "calendar.holidays")
        makeup = self.dates(spec.get("makeup_workdays"), "calendar.makeup_workdays")
        for day, day_node in makeup.items():
            if day in holidays:
                self.fail(
                    day_node, f"{day} is both a holiday (line {_line(holidays[day])}) and a make-up workday"
                )
            if date.fromisoformat(day).isoweekday() in workdays:
                self.fail(day_node, f"make-up workday {day} is a normal workday anyway")
        return CalendarSpec(zone, workdays, self.hours(spec["hours"]), frozenset(holidays), frozenset(makeup))

    def weekday(self, node: yaml.Node) -> int:
        day = _WEEKDAYS.get(self.scalar(node, "a workday").strip().lower())
        if day is None or node.tag not in _TEXT_TAGS:
            self.fail(node, f"unknown workday {node.value!r} (expected mon … sun or 1 … 7)")
        return day

    def hours(self, node: yaml.Node) -> tuple[WorkingHours, ...]:
        periods: list[tuple[WorkingHours, yaml.Node]] = []
        for item in self.sequence(node, "calendar.hours"):
            value = self.scalar(item, "a working period").strip()
            found = _PERIOD.fullmatch(value)
            if found is None:
                self.fail(item, f"a working period must look like '08:30-12:00', not {value!r}")
            h1, m1, h2, m2 = (int(g) for g in found.groups())
            if m1 > 59 or m2 > 59 or h1 * 60 + m1 > 1440 or h2 * 60 + m2 > 1440:
                self.fail(item, f"{value!r} is not a time of day (00:00 … 24:00)")
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if end <= start:
                self.fail(item, f"working period {value!r} ends before it starts")
            periods.append((WorkingHours(start, end), item))
        if not periods:
            self.fail(node, "the calendar has no working time at all: hours is empty")
        periods.sort(key=lambda p: p[0].start_min)
        for (before, _), (after, after_node) in itertools.pairwise(periods):
            if after.start_min < before.end_min:
                self.fail(after_node, f"working period {after_node.value!r} overlaps another period")
        return tuple(period for period, _ in periods)

    def dates(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
        """ISO dates or inclusive 'from/to' ranges, each day once: the node of every day by its ISO text."""
        days: dict[str, yaml.Node] = {}
        for item in self.sequence(node, what) if node is not None else ():
            for day in self.date_range(item, what):
                if day in days:
                    self.fail(item, f"{day} is listed twice in {what} (first on line {_line(days[day])})")
                days[day] = item
        return days

    def date_range(self, node: yaml.Node, what: str) -> list[str]:
        value = self.scalar(node, f"an entry of {what}").strip()
        first_text, _, last_text = value.partition("/")
        first = self.iso_date(node, first_text)
        last = self.iso_date(node, last_text) if last_text else first
        if not first <= last <= first + timedelta(days=_MAX_RANGE_DAYS):
            self.fail(node, f"date range {value!r} must run forwards and span at most {_MAX_RANGE_DAYS} days")
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]

    def iso_date(self, node: yaml.Node, text: str) -> date:
        try:
            if _DATE.fullmatch(text) is None:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.fail(node, f"{text!r} is not a date (expected YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD)")

    def supervision(self, node: yaml.Node) -> SupervisionLimits:
        defaults = SupervisionLimits()
        spec = self.fields(node, "supervision", (), ("yellow_light", "yellow_card", "red_card"))
        light, yellow, red = (
            self.number(spec[key], f"supervision.{key}") if key in spec else getattr(defaults, key)
            for key in ("yellow_light", "yellow_card", "red_card")
        )
        if light >= yellow:
            self.fail(
                spec.get("yellow_light", node), f"yellow_light ({light}) must be below yellow_card ({yellow})"
            )
        if yellow >= red:
            self.fail(spec.get("red_card", node), f"red_card ({red}) must be above yellow_card ({yellow})")
        return SupervisionLimits(light, yellow, red)

    def duplicate_rule(
        self, node: yaml.Node, what: str, base: DuplicateRule, extra: tuple[str, ...] = ()
    ) -> DuplicateRule:
        spec = self.fields(node, what, (), ("radius_m", "window_s", *extra))
        radius = self.number(spec["radius_m"], f"{what}.radius_m") if "radius_m" in spec else base.radius_m
        window = self.number(spec["window_s"], f"{what}.window_s") if "window_s" in spec else base.window_s
        return DuplicateRule(radius, window)

    def duplicates(self, node: yaml.Node) -> tuple[DuplicateRule, tuple[tuple[str, DuplicateRule], ...]]:
        default = self.duplicate_rule(node, "duplicates", DuplicateRule(), ("categories",))
        spec = self.mapping(node, "duplicates")
        if "categories" not in spec:
            return default, ()
        categories = self.mapping(spec["categories"][1], "duplicates.categories")
        overrides = tuple(
            (category, self.duplicate_rule(value, f"duplicates.categories.{category}", default))
            for category, (_, value) in categories.items()
        )
        return default, overrides

    def routing(self, node: yaml.Node) -> tuple[RoutingRule, ...]:
        rules: list[RoutingRule] = []
        for category, (_, value) in self.mapping(node, "routing").items():
            what = f"routing.{category}"
            spec = self.fields(value, what, ("units",), ("auto",))
            auto = self.flag(spec["auto"], f"{what}.auto") if "auto" in spec else False
            units = self.mapping(spec["units"], f"{what}.units")
            if not units:
                self.fail(spec["units"], f"{what}.units lists no unit")
            for district, (_, unit) in units.items():
                rules.append(
                    RoutingRule(category, district, self.text(unit, f"{what}.units.{district}"), auto)
                )
        return tuple(rules)

    def budgets(self, node: yaml.Node) -> tuple[BudgetRule, ...]:
        rows: dict[tuple[Stage, str, Urgency, AreaType], tuple[Budget, yaml.Node]] = {}
        stages = self.mapping(node, "budgets")
        for stage_key, categories in stages.values():
            stage = self.member(Stage, stage_key, "stage")
            for category, (_, spec) in self.mapping(categories, f"budgets.{stage}").items():
                for urgency, area, budget, cell in self.budget_cells(spec, f"budgets.{stage}.{category}"):
                    key = (stage, category, urgency, area)
                    if key in rows:
                        self.fail(
                            cell,
                            f"budgets.{stage}.{category} gives {urgency}/{area} cases a second budget"
                            f" (first on line {_line(rows[key][1])})",
                        )
                    rows[key] = (budget, cell)
        for stage in Stage:
            if stage.value not in stages:
                self.fail(node, f"budgets has no rows for stage {stage.value!r}")
            for urgency, area in itertools.product(Urgency, AreaType):
                if (stage, ANY, urgency, area) not in rows:
                    self.fail(
                        stages[stage.value][0],
                        f"budgets.{stage} needs a {ANY!r} row for {urgency} cases in {area} areas",
                    )
        return tuple(BudgetRule(*key, budget) for key, (budget, _) in rows.items())

    def budget_cells(
        self,
        node: yaml.Node,
        what: str,
        urgencies: tuple[Urgency, ...] = tuple(Urgency),
        areas: tuple[AreaType, ...] = tuple(AreaType),
    ) -> Iterator[tuple[Urgency, AreaType, Budget, yaml.Node]]:
        """One budget for all cases, or split by urgency, by area or by both; unsplit cells fall to "*"."""
        if isinstance(node, yaml.ScalarNode):
            budget = self.budget(node, what)
            for urgency, area in itertools.product(urgencies, areas):
                yield urgency, area, budget, node
            return
        for key, (key_node, value) in self.mapping(node, what).items():
            if len(urgencies) > 1 and key in {u.value for u in Urgency}:
                yield from self.budget_cells(value, f"{what}.{key}", (Urgency(key),), areas)
            elif len(areas) > 1 and key in {a.value for a in AreaType}:
                yield from self.budget_cells(value, f"{what}.{key}", urgencies, (AreaType(key),))
            else:
                self.fail(key_node, f"unknown key {key!r} in {what} (expected: urgent, normal, urban, rural)")

    def member(self, kind: type[E], node: yaml.Node, what: str) -> E:
        value = self.text(node, what)
        try:
            return kind(value)
        except ValueError:
            expected = ", ".join(m.value for m in kind)
            self.fail(node, f"unknown {what} {value!r} (expected: {expected})")
