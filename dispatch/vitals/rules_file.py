"""Reads the `alert_rules` section of the policy file into AlertRules; errors name the line."""

from __future__ import annotations

from typing import NoReturn, Protocol, TypedDict

import yaml

from dispatch.vitals.rules import AlertRule, RuleKind

_COMMON = ("metric", "area", "kind", "for", "keep_firing", "no_data", "level")
_KEYS = {
    RuleKind.THRESHOLD: ("above", "below", "recovery", "window"),
    RuleKind.RATE: ("above", "below", "recovery", "window", "per"),
    RuleKind.TIME_TO_BREACH: ("limit", "direction", "within", "recovery", "window"),
}


class _Common(TypedDict):
    name: str
    metric: str
    kind: RuleKind
    area: str | None
    for_s: float
    keep_firing_s: float
    window_s: float
    nodata_s: float | None
    level: int


class PolicyReader(Protocol):
    """The policy file's node reader (dispatch/casework/policy_nodes.py): its checks and line numbers."""

    def fail(self, node: yaml.Node, what: str) -> NoReturn: ...

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]: ...

    def fields(
        self, node: yaml.Node, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node]: ...

    def text(self, node: yaml.Node, what: str) -> str: ...

    def number(self, node: yaml.Node, what: str, *, positive: bool = True) -> float: ...

    def span(self, node: yaml.Node, what: str) -> float: ...


def read_alert_rules(reader: PolicyReader, node: yaml.Node) -> tuple[AlertRule, ...]:
    """alert_rules: a mapping of rule name to its spec (docs/vitals.md describes every key)."""
    return tuple(
        _rule(reader, name, key, value) for name, (key, value) in reader.mapping(node, "alert_rules").items()
    )


def _rule(reader: PolicyReader, name: str, key: yaml.Node, node: yaml.Node) -> AlertRule:
    """One rule; a missing part is reported at the rule's name."""
    what = f"alert_rules.{name}"
    kind_node = reader.mapping(node, what).get("kind")
    kind = RuleKind.THRESHOLD
    if kind_node is not None:
        kind_text = reader.text(kind_node[1], f"{what}.kind")
        try:
            kind = RuleKind(kind_text)
        except ValueError:
            expected = ", ".join(k.value for k in RuleKind)
            reader.fail(kind_node[1], f"unknown {what}.kind {kind_text!r} (expected: {expected})")
    spec = reader.fields(node, what, ("metric",), _COMMON + _KEYS[kind])

    def span(key: str, default: float) -> float:
        return reader.span(spec[key], f"{what}.{key}") if key in spec else default

    level = 3.0
    if "level" in spec:
        level = reader.number(spec["level"], f"{what}.level")
        if level not in (1, 2, 3, 4):
            reader.fail(spec["level"], f"{what}.level must be a whole number 1..4 (1 most severe)")
    common: _Common = {
        "name": name,
        "metric": reader.text(spec["metric"], f"{what}.metric"),
        "kind": kind,
        "area": reader.text(spec["area"], f"{what}.area") if "area" in spec else None,
        "for_s": span("for", 0.0),
        "keep_firing_s": span("keep_firing", 0.0),
        "window_s": span("window", 600.0),
        "nodata_s": span("no_data", 0.0) or None,
        "level": int(level),
    }
    if kind is RuleKind.TIME_TO_BREACH:
        return _breach_rule(reader, key, spec, what, common)
    sides = [key for key in ("above", "below") if key in spec]
    if len(sides) != 1:
        reader.fail(key, f"{what} needs exactly one of 'above' or 'below' (the side that is bad)")
    side = sides[0]
    threshold = reader.number(spec[side], f"{what}.{side}", positive=False)
    recovery = None
    if "recovery" in spec:
        recovery = reader.number(spec["recovery"], f"{what}.recovery", positive=False)
        if (recovery > threshold) if side == "above" else (recovery < threshold):
            where = "at or below" if side == "above" else "at or above"
            reader.fail(
                spec["recovery"],
                f"{what}.recovery ({recovery:g}) must lie {where} the threshold ({threshold:g})",
            )
    per = span("per", 3600.0) if kind is RuleKind.RATE else 3600.0
    return AlertRule(threshold=threshold, above=side == "above", recovery=recovery, per_s=per, **common)


def _breach_rule(
    reader: PolicyReader, node: yaml.Node, spec: dict[str, yaml.Node], what: str, common: _Common
) -> AlertRule:
    for key in ("limit", "within"):
        if key not in spec:
            reader.fail(node, f"{what} is missing {key!r} (a time_to_breach rule)")
    limit = reader.number(spec["limit"], f"{what}.limit", positive=False)
    rising = True
    if "direction" in spec:
        direction = reader.text(spec["direction"], f"{what}.direction")
        if direction not in ("rising", "falling"):
            reader.fail(spec["direction"], f"{what}.direction must be rising or falling, not {direction!r}")
        rising = direction == "rising"
    within = reader.span(spec["within"], f"{what}.within")
    recovery = None
    if "recovery" in spec:
        recovery = reader.span(spec["recovery"], f"{what}.recovery")
        if recovery < within:
            reader.fail(spec["recovery"], f"{what}.recovery must be a horizon at least as long as within")
    return AlertRule(threshold=within, above=rising, recovery=recovery, limit=limit, **common)
