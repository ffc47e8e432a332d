"""Routing rules: the most specific rule wins, the file order breaks ties, "*" catches the rest."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dispatch.casework.policy import RoutingRule
from dispatch.casework.routing import Router, route

RULES = (
    RoutingRule("*", "*", "U-CITY-12345"),
    RoutingRule("*", "339902", "U-339902-CG"),
    RoutingRule("water_leak", "*", "U-CITY-WATER"),
    RoutingRule("water_leak", "339902", "U-339902-WATER", auto=True),
    RoutingRule("fire", "*", "U-CITY-FIRE"),
)


def test_category_and_district_rule_wins_wherever_it_stands_in_the_file() -> None:
    for rules in (RULES, tuple(reversed(RULES))):
        rule = Router(rules).route("water_leak", "339902")
        assert rule == RoutingRule("water_leak", "339902", "U-339902-WATER", auto=True)


def test_category_rule_covers_districts_without_their_own_rule() -> None:
    assert Router(RULES).route("water_leak", "339905") == RoutingRule("water_leak", "*", "U-CITY-WATER")


def test_category_catch_all_beats_district_catch_all() -> None:
    assert Router(RULES).route("fire", "339902") == RoutingRule("fire", "*", "U-CITY-FIRE")


def test_unknown_category_falls_to_the_district_rule_then_to_the_city_default() -> None:
    router = Router(RULES)
    assert router.route("stray_dog", "339902") == RoutingRule("*", "339902", "U-339902-CG")
    assert router.route("stray_dog", "339905") == RoutingRule("*", "*", "U-CITY-12345")


def test_no_rule_at_all_routes_nowhere() -> None:
    router = Router((RoutingRule("fire", "*", "U-CITY-FIRE"),))
    assert router.route("water_leak", "339902") is None
    assert Router(()).route("fire", "339902") is None


def test_of_two_rules_for_one_key_the_first_in_the_file_wins() -> None:
    first = RoutingRule("fire", "339901", "U-339901-XF")
    second = RoutingRule("fire", "339901", "U-339902-XF", auto=True)
    assert Router((first, second)).route("fire", "339901") is first
    assert Router((second, first)).route("fire", "339901") is second


def test_convenience_function_routes_like_the_router() -> None:
    for category in ("water_leak", "fire", "stray_dog"):
        for district in ("339902", "339905"):
            assert route(RULES, category, district) == Router(RULES).route(category, district)


def _reference(rules: list[RoutingRule], category: str, district: str) -> RoutingRule | None:
    """Brute force: every matching rule, ranked by specificity and then by position in the file."""

    def specificity(rule: RoutingRule) -> int:
        return (rule.category == category) * 2 + (rule.district == district)

    matching = [
        (-specificity(rule), n, rule)
        for n, rule in enumerate(rules)
        if rule.category in (category, "*") and rule.district in (district, "*")
    ]
    return min(matching, key=lambda m: m[:2])[2] if matching else None


_CATEGORIES = st.sampled_from(["*", "fire", "water_leak", "garbage"])
_DISTRICTS = st.sampled_from(["*", "339901", "339902"])
_RULE = st.builds(
    RoutingRule, _CATEGORIES, _DISTRICTS, st.sampled_from(["U-1", "U-2", "U-3", "U-4"]), st.booleans()
)


@given(
    st.lists(_RULE, max_size=12),
    st.sampled_from(["fire", "water_leak", "garbage", "noise"]),
    st.sampled_from(["339901", "339902", "339903"]),
)
def test_router_agrees_with_brute_force_over_random_rule_tables(
    rules: list[RoutingRule], category: str, district: str
) -> None:
    assert Router(rules).route(category, district) is _reference(rules, category, district)
