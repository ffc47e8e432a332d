"""The policy file's YAML node checks: mappings, lists, names, numbers, budgets and spans, with lines."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from typing import TypeVar

import yaml

from core.yaml_nodes import TAG, TEXT_TAGS, YamlNodes, line
from dispatch.casework.policy import DAY_S, YEAR_S, Budget, PolicyError, TimeUnit

T = TypeVar("T")
E = TypeVar("E", bound=enum.StrEnum)
_NUMBER_TAGS = frozenset({TAG + "int", TAG + "float"})
_UNITS = {
    **{u.value: u for u in TimeUnit},
    "minute": TimeUnit.MINUTES,
    "working_hour": TimeUnit.WORKING_HOURS,
    "working_day": TimeUnit.WORKING_DAYS,
}
_SPAN_UNITS = {"minute": 60.0, "hour": 3600.0, "day": DAY_S, "year": YEAR_S}
# Far enough for any real feed, near enough that the clock plus or minus a window stays a valid date.
_MAX_SPAN_S = 100 * YEAR_S


class PolicyNodes(YamlNodes):
    """Reads single YAML nodes of a policy file; every refusal is PolicyError("<file>:<line>: …")."""

    def error(self, at: int, what: str) -> Exception:
        return PolicyError(f"{self.name}:{at}: {what}")

    def key(self, node: yaml.Node, what: str) -> str:
        return self.text(node, f"a key in {what}")

    def unique(self, node: yaml.Node, what: str, read: Callable[[yaml.Node], T]) -> frozenset[T]:
        """The items of a list, refusing an item listed twice."""
        seen: dict[T, int] = {}
        for item in self.sequence(node, what):
            value = read(item)
            if value in seen:
                self.fail(item, f"{item.value!r} is listed twice in {what} (first on line {seen[value]})")
            seen[value] = line(item)
        return frozenset(seen)

    # -- scalars -----------------------------------------------------------------------------------

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a single value, not a list or mapping")
        return str(node.value)

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what).strip()
        if node.tag not in TEXT_TAGS or not value:
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

    def member(self, kind: type[E], node: yaml.Node, what: str) -> E:
        value = self.text(node, what)
        try:
            return kind(value)
        except ValueError:
            expected = ", ".join(m.value for m in kind)
            self.fail(node, f"unknown {what} {value!r} (expected: {expected})")
