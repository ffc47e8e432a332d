"""The policy file's alert_rules section: what a rule says, and every mistake reported at its line."""

from __future__ import annotations

import random

import pytest

from dispatch.casework.policy import PolicyError
from dispatch.casework.policy_file import default_policy_path, load_policy, parse_policy
from dispatch.vitals.rules import AlertRule, RuleKind
from sim.city import demo_city
from sim.vitals import VitalSigns
from tests.dispatch.casework.test_policy_file import MINIMAL

RULES = """\
alert_rules:
  water_high:
    metric: water_level_max
    above: 4.0
    recovery: 3.85
    for: 2 minutes
    keep_firing: 10 minutes
    no_data: 15 minutes
    level: 2
  rising:
    metric: water_level_max
    area: "339901"
    kind: rate
    above: 0.5
    per: 1 hour
    window: 20 minutes
  soon:
    metric: water_level_max
    kind: time_to_breach
    limit: 4.0
    within: 45 minutes
    recovery: 60 minutes
  cold:
    metric: temperature
    below: -5
"""


def parse(rules: str) -> tuple[AlertRule, ...]:
    return parse_policy(MINIMAL + rules, "p.yaml").alert_rules


def test_a_rules_section_reads_into_the_rules_it_says() -> None:
    water, rising, soon, cold = parse(RULES)
    assert water == AlertRule(
        "water_high",
        "water_level_max",
        RuleKind.THRESHOLD,
        4.0,
        recovery=3.85,
        for_s=120.0,
        keep_firing_s=600.0,
        nodata_s=900.0,
        level=2,
    )
    assert (rising.kind, rising.area, rising.threshold, rising.per_s, rising.window_s) == (
        RuleKind.RATE,
        "339901",
        0.5,
        3600.0,
        1200.0,
    )
    assert (soon.kind, soon.limit, soon.threshold, soon.clear_at, soon.above) == (
        RuleKind.TIME_TO_BREACH,
        4.0,
        2700.0,
        3600.0,
        True,
    )
    assert (cold.above, cold.threshold, cold.clear_at) == (False, -5.0, -5.0)
    assert parse_policy(MINIMAL, "p.yaml").alert_rules == ()


def test_the_demo_policy_has_rules_for_metrics_the_demo_city_sends() -> None:
    rules = load_policy(default_policy_path()).alert_rules
    city = demo_city()
    sent = {m["name"] for m in VitalSigns(city, random.Random(1)).sample(1_767_225_600.0, {})}
    districts = {d.code for d in city.districts}
    assert {rule.kind for rule in rules} == set(RuleKind)
    for rule in rules:
        assert rule.metric in sent
        assert rule.area is None or rule.area in districts


# (what to replace in RULES, what to put instead, a fragment of the line the error must point at, message)
MISTAKES = [
    ("    above: 4.0\n", "    above: 4.0\n    abve: 3\n", "abve: 3", "unknown key 'abve'"),
    ("    above: 4.0\n", "", "water_high:", "exactly one of 'above' or 'below'"),
    ("    above: 4.0\n", "    above: 4.0\n    below: 1.0\n", "water_high:", "exactly one of"),
    ("recovery: 3.85", "recovery: 4.2", "recovery: 4.2", "must lie at or below the threshold"),
    ("below: -5", "below: -5\n    recovery: -9", "recovery: -9", "at or above the threshold"),
    ("kind: rate", "kind: slope", "kind: slope", "unknown alert_rules.rising.kind 'slope'"),
    ("level: 2", "level: 7", "level: 7", "whole number 1..4"),
    ("for: 2 minutes", "for: soon", "for: soon", "alert_rules.water_high.for must be"),
    ("above: 0.5", "above: fast", "above: fast", "plain number"),
    ("    limit: 4.0\n", "", "soon:", "missing 'limit'"),
    ("recovery: 60 minutes", "recovery: 30 minutes", "recovery: 30", "at least as long as within"),
    ("within: 45 minutes", "within: 45 minutes\n    above: 3", "above: 3", "unknown key 'above'"),
    ("    metric: temperature\n", "", "below: -5", "missing 'metric'"),
    ('area: "339901"', "area: [1, 2]", "area: [1, 2]", "single value"),
]


@pytest.mark.parametrize(("old", "new", "marker", "message"), MISTAKES)
def test_each_mistake_in_a_rule_is_reported_at_its_line(
    old: str, new: str, marker: str, message: str
) -> None:
    assert RULES.count(old) == 1, old
    text = MINIMAL + RULES.replace(old, new)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.yaml")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if marker in row)
    assert str(caught.value).startswith(f"p.yaml:{line}: ")
    assert message in str(caught.value)


def test_a_falling_prediction_and_a_bad_direction() -> None:
    falling = RULES.replace("    limit: 4.0\n", "    limit: 4.0\n    direction: falling\n")
    assert parse(falling)[2].above is False
    with pytest.raises(PolicyError, match=r"p.yaml:\d+: .*rising or falling"):
        parse(RULES.replace("    limit: 4.0\n", "    limit: 4.0\n    direction: up\n"))
