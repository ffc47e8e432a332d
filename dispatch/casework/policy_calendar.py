"""The policy file's calendar section: time zone, workdays, working hours, holidays and make-up days."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from core.yaml_nodes import TEXT_TAGS, line
from dispatch.casework.policy import CalendarSpec, WorkingHours
from dispatch.casework.policy_nodes import PolicyNodes

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {
    **{name: n for n, name in enumerate(_DAY_NAMES, start=1)},
    **{name[:3]: n for n, name in enumerate(_DAY_NAMES, start=1)},
    **{str(n): n for n in range(1, 8)},
}
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_RANGE_DAYS = 366


def read_calendar(nodes: PolicyNodes, node: yaml.Node) -> CalendarSpec:
    """The calendar section; a calendar without any working time is refused."""
    spec = nodes.fields(node, "calendar", ("timezone", "workdays", "hours"), ("holidays", "makeup_workdays"))
    zone = nodes.text(spec["timezone"], "calendar.timezone")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        nodes.fail(
            spec["timezone"], f"unknown time zone {zone!r} (expected an IANA name such as Asia/Shanghai)"
        )
    workdays = nodes.unique(spec["workdays"], "calendar.workdays", lambda n: _weekday(nodes, n))
    if not workdays:
        nodes.fail(spec["workdays"], "the calendar has no working time at all: workdays is empty")
    holidays = _dates(nodes, spec.get("holidays"), "calendar.holidays")
    makeup = _dates(nodes, spec.get("makeup_workdays"), "calendar.makeup_workdays")
    for day, day_node in makeup.items():
        if day in holidays:
            nodes.fail(
                day_node, f"{day} is both a holiday (line {line(holidays[day])}) and a make-up workday"
            )
        if date.fromisoformat(day).isoweekday() in workdays:
            nodes.fail(day_node, f"make-up workday {day} is a normal workday anyway")
    return CalendarSpec(zone, workdays, _hours(nodes, spec["hours"]), frozenset(holidays), frozenset(makeup))


def _weekday(nodes: PolicyNodes, node: yaml.Node) -> int:
    day = _WEEKDAYS.get(nodes.scalar(node, "a workday").strip().lower())
    if day is None or node.tag not in TEXT_TAGS:
        nodes.fail(node, f"unknown workday {node.value!r} (expected mon … sun or 1 … 7)")
    return day


def _hours(nodes: PolicyNodes, node: yaml.Node) -> tuple[WorkingHours, ...]:
    periods: list[tuple[WorkingHours, yaml.Node]] = []
    for item in nodes.sequence(node, "calendar.hours"):
        value = nodes.scalar(item, "a working period").strip()
        found = _PERIOD.fullmatch(value)
        if found is None:
            nodes.fail(item, f"a working period must look like '08:30-12:00', not {value!r}")
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if m1 > 59 or m2 > 59 or h1 * 60 + m1 > 1440 or h2 * 60 + m2 > 1440:
            nodes.fail(item, f"{value!r} is not a time of day (00:00 … 24:00)")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            nodes.fail(item, f"working period {value!r} ends before it starts")
        periods.append((WorkingHours(start, end), item))
    if not periods:
        nodes.fail(node, "the calendar has no working time at all: hours is empty")
    periods.sort(key=lambda p: p[0].start_min)
    for (before, _), (after, after_node) in itertools.pairwise(periods):
        if after.start_min < before.end_min:
            nodes.fail(after_node, f"working period {after_node.value!r} overlaps another period")
    return tuple(period for period, _ in periods)


def _dates(nodes: PolicyNodes, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
    """ISO dates or inclusive 'from/to' ranges, each day once: the node of every day by its ISO text."""
    days: dict[str, yaml.Node] = {}
    for item in nodes.sequence(node, what) if node is not None else ():
        for day in _date_range(nodes, item, what):
            if day in days:
                nodes.fail(item, f"{day} is listed twice in {what} (first on line {line(days[day])})")
            days[day] = item
    return days


def _date_range(nodes: PolicyNodes, node: yaml.Node, what: str) -> list[str]:
    value = nodes.scalar(node, f"an entry of {what}").strip()
    first_text, _, last_text = value.partition("/")
    first = _iso_date(nodes, node, first_text)
    last = _iso_date(nodes, node, last_text) if last_text else first
    if not first <= last <= first + timedelta(days=_MAX_RANGE_DAYS):
        nodes.fail(node, f"date range {value!r} must run forwards and span at most {_MAX_RANGE_DAYS} days")
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _iso_date(nodes: PolicyNodes, node: yaml.Node, text: str) -> date:
    try:
        if _DATE.fullmatch(text) is None:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        nodes.fail(node, f"{text!r} is not a date (expected YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD)")
