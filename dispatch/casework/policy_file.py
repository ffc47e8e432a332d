"""Reads the YAML policy file into a validated Policy; every error names its file and line."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import yaml

from core.yaml_nodes import line
from dispatch.casework.policy import (
    ANY,
    AreaType,
    Budget,
    BudgetRule,
    DuplicateRule,
    EpisodeRule,
    Policy,
    PolicyError,
    RoutingRule,
    Stage,
    SupervisionLimits,
    TimeWindow,
    Urgency,
)
from dispatch.casework.policy_calendar import read_calendar
from dispatch.casework.policy_nodes import PolicyNodes
from dispatch.vitals.rules_file import read_alert_rules


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


class _Reader(PolicyNodes):
    """Walks the composed YAML nodes; each method reads one section of the file and knows its rules."""

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
            calendar=read_calendar(self, top["calendar"]),
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
                            f" (first on line {line(rows[key][1])})",
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
