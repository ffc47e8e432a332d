"""Routing (分拨): which responsible unit a case of a category in a district goes to."""

from __future__ import annotations

from collections.abc import Sequence

from dispatch.casework.policy import RoutingRule

ANY = "*"


class Router:
    """Looks rules up by exact key: the most specific match wins, the first rule in the file breaks ties.

    Specificity, most first: (category, district), (category, "*"), ("*", district), ("*", "*"). A
    category rule beats a district catch-all because the category decides the trade (water, fire,
    sanitation) and a unit of the wrong trade cannot handle the case at all.
    """

    __slots__ = ("_index",)

    def __init__(self, rules: Sequence[RoutingRule]) -> None:
        index: dict[tuple[str, str], RoutingRule] = {}
        for rule in rules:
            index.setdefault((rule.category, rule.district), rule)
        self._index = index

    def route(self, category: str, district: str) -> RoutingRule | None:
        """The rule for a case, or None when not even a ("*", "*") rule exists."""
        index = self._index
        for key in ((category, district), (category, ANY), (ANY, district), (ANY, ANY)):
            rule = index.get(key)
            if rule is not None:
                return rule
        return None


def route(rules: Sequence[RoutingRule], category: str, district: str) -> RoutingRule | None:
    """One-off lookup; build a `Router` once when routing many cases."""
    return Router(rules).route(category, district)
