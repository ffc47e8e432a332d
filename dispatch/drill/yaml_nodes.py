"""Reading composed YAML nodes for scenario files: every value keeps its line, every error names it."""

from __future__ import annotations

import enum
import math
import re
from typing import TypeVar

import yaml

from core.yaml_nodes import YamlNodes

E = TypeVar("E", bound=enum.StrEnum)
_TAG = "tag:yaml.org,2002:"
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?")
_CLOCK = re.compile(r"(\d{1,3}):([0-5]\d)(?::([0-5]\d))?")
# A scenario is a few hours at most; a longer offset is a typo (6000m for 60m), not a plan.
MAX_OFFSET_S = 7 * 24 * 3600.0


class ScenarioError(ValueError):
    """A problem in a scenario file: `file:line: message`, precise enough to fix in an editor."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


class NodeReader(YamlNodes):
    """Walks the composed nodes of one file; each method reads one kind of value and knows its rules."""

    def error(self, at: int, what: str) -> Exception:
        return ScenarioError(self.name, at, what)

    def key(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "str":
            self.fail(node, f"a key in {what} must be a plain word")
        return str(node.value)

    def items(self, node: yaml.Node, what: str, *, allow_empty: bool = False) -> list[yaml.Node]:
        return self.sequence(node, what, allow_empty=allow_empty)

    def text(self, node: yaml.Node, what: str, *, limit: int = 200, allow_empty: bool = False) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_TAG + "str", _TAG + "int"):
            self.fail(node, f"{what} must be text")
        value = str(node.value)
        if not value.strip() and not allow_empty:
            self.fail(node, f"{what} is empty")
        if len(value) > limit:
            self.fail(node, f"{what} is {len(value)} characters long (at most {limit})")
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            self.fail(node, f"{what} holds a control character")
        return value

    def ident(self, node: yaml.Node, what: str) -> str:
        value = self.text(node, what, limit=64)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value):
            self.fail(node, f"{what} {value!r}: use letters, digits, '-', '_' or '.' (like I3 or E-register)")
        return value

    def number(self, node: yaml.Node, what: str, low: float, high: float) -> float:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_TAG + "int", _TAG + "float"):
            self.fail(node, f"{what} must be a number")
        try:
            value = float(str(node.value).replace("_", ""))
        except ValueError:
            self.fail(node, f"{what} {node.value!r} is not a number")
        if not math.isfinite(value) or not low <= value <= high:
            self.fail(node, f"{what} must be between {low:g} and {high:g}, got {node.value}")
        return value

    def integer(self, node: yaml.Node, what: str, low: int, high: int) -> int:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "int":
            self.fail(node, f"{what} must be a whole number")
        try:
            value = int(str(node.value).replace("_", ""), 0)
        except ValueError:
            self.fail(node, f"{what} {node.value!r} is not a whole number")
        if not low <= value <= high:
            self.fail(node, f"{what} must be between {low} and {high}, got {value}")
        return value

    def choice(self, node: yaml.Node, what: str, kind: type[E]) -> E:
        value = self.text(node, what, limit=64)
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(sorted(member.value for member in kind))
            self.fail(node, f"{what} {value!r} is not one of {known}")

    def duration(self, node: yaml.Node, what: str, *, allow_zero: bool = True) -> float:
        """`90s`, `5m`, `1h30m` or `01:30:00` / `12:30` (minutes:seconds); a bare number is refused,
        as 5 could mean seconds or minutes."""
        if isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "int", _TAG + "float"):
            self.fail(node, f"{what} {node.value} needs a unit: 90s, 5m, 1h30m or 00:05:00")
        text = self.text(node, what, limit=32).strip()
        seconds = _parse_duration(text)
        if seconds is None:
            self.fail(node, f"{what} {text!r} is not a duration (90s, 5m, 1h30m or 00:05:00)")
        if seconds > MAX_OFFSET_S:
            self.fail(node, f"{what} {text} is longer than a week")
        if seconds == 0 and not allow_zero:
            self.fail(node, f"{what} must be longer than zero")
        return seconds


def parse_duration(text: str) -> float | None:
    """A scenario time as the files write it (90s, 5m, 1h30m, 05:00 or 1:05:00) in seconds, or None."""
    return _parse_duration(text.strip())


def _parse_duration(text: str) -> float | None:
    clock = _CLOCK.fullmatch(text)
    if clock is not None:
        first, second, third = clock.groups()
        if third is None:  # mm:ss
            return int(first) * 60.0 + int(second)
        return int(first) * 3600.0 + int(second) * 60.0 + int(third)
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return hours * 3600.0 + minutes * 60.0 + seconds
