"""Policy file: the shipped policy fits the demo city; every mistake in a file is reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.casework.policy import (
    AreaType,
    Budget,
    BudgetRule,
    DuplicateRule,
    Policy,
    PolicyError,
    RoutingRule,
    Stage,
    SupervisionLimits,
    TimeUnit,
    Urgency,
)
from dispatch.casework.policy_file import default_policy_path, load_policy, parse_policy
from dispatch.casework.routing import Router
from sim.catalog import CATEGORIES
from sim.city import demo_city

MINIMAL = """\
calendar:
  timezone: Asia/Shanghai
  workdays: [mon, tue, wed, thu, fri]
  hours: ["08:30-12:00", "13:30-17:30"]
  holidays: [2026-10-01/2026-10-07, 2026-09-25]
  makeup_workdays: [2026-10-10]
urgent_max_severity: 2
rural_districts: ["339905"]
verify_sources: [hotline, video_ai]
supervision: {yellow_light: 0.7, yellow_card: 1.0, red_card: 1.5}
duplicates:
  radius_m: 150
  window_s: 3600
  categories:
    fire_alarm: {radius_m: 300}
budgets:
  register:
    "*": {urgent: 10 minutes, normal: 30 minutes}
  sign:
    "*": 1 working_hour
  handle:
    "*": {urgent: 4 working_hours, normal: 2 working_days}
    fire_alarm: {urgent: 30 minutes}
    garbage_overflow:
      normal: {rural: 6 working_hours}
  check:
    "*": {urban: 1 working_hours, rural: 2 working_hours}
routing:
  garbage_overflow:
    auto: true
    units: {339901: U-339901-HW, "*": U-CITY-YJ}
  "*":
    units: {"*": U-CITY-YJ}
"""

DEMO = load_policy(default_policy_path())


def test_a_minimal_policy_reads_into_the_values_it_says() -> None:
    policy = parse_policy(MINIMAL, "minimal.yaml")
    assert policy.calendar.workdays == frozenset({1, 2, 3, 4, 5})
    assert [(h.start_min, h.end_min) for h in policy.calendar.hours] == [(510, 720), (810, 1050)]
    assert policy.calendar.holidays == frozenset({f"2026-10-0{d}" for d in range(1, 8)} | {"2026-09-25"})
    assert policy.calendar.makeup_workdays == frozenset({"2026-10-10"})
    assert policy.supervision == SupervisionLimits(0.7, 1.0, 1.5)
    assert policy.duplicate_rule("fire_alarm") == DuplicateRule(300, 3600)
    assert policy.duplicate_rule("illegal_parking") == DuplicateRule(150, 3600)
    assert policy.routing == (
        RoutingRule("garbage_overflow", "339901", "U-339901-HW", auto=True),
        RoutingRule("garbage_overflow", "*", "U-CITY-YJ", auto=True),
        RoutingRule("*", "*", "U-CITY-YJ"),
    )
    handle = Stage.HANDLE
    assert policy.budget(handle, "fire_alarm", Urgency.URGENT, AreaType.RURAL) == Budget(30, TimeUnit.MINUTES)
    assert policy.budget(handle, "fire_alarm", Urgency.NORMAL, AreaType.URBAN) == Budget(
        2, TimeUnit.WORKING_DAYS
    )
    assert policy.budget(handle, "garbage_overflow", Urgency.NORMAL, AreaType.RURAL) == Budget(
        6, TimeUnit.WORKING_HOURS
    )
    assert policy.budget(handle, "garbage_overflow", Urgency.NORMAL, AreaType.URBAN) == Budget(
        2, TimeUnit.WORKING_DAYS
    )
    assert policy.budget(Stage.SIGN, "x", Urgency.URGENT, AreaType.URBAN) == Budget(1, TimeUnit.WORKING_HOURS)


def test_policy_lookups_for_urgency_area_and_verification() -> None:
    policy = parse_policy(MINIMAL, "minimal.yaml")
    assert [policy.urgency(s) for s in (1, 2, 3, 4)] == [Urgency.URGENT] * 2 + [Urgency.NORMAL] * 2
    assert policy.area("339905") is AreaType.RURAL
    assert policy.area("339901") is AreaType.URBAN
    assert policy.needs_verification("hotline")
    assert not policy.needs_verification("iot")


def test_a_budget_nothing_matches_is_a_clear_policy_error() -> None:
    rule = BudgetRule(
        Stage.HANDLE, "fire_alarm", Urgency.URGENT, AreaType.URBAN, Budget(30, TimeUnit.MINUTES)
    )
    policy = Policy(
        DEMO.calendar, (rule,), SupervisionLimits(), (), DuplicateRule(), (), 2, frozenset(), frozenset()
    )
    assert policy.budget(Stage.HANDLE, "fire_alarm", Urgency.URGENT, AreaType.URBAN) == rule.budget
    with pytest.raises(PolicyError, match="no handle budget for category 'crowding'"):
        policy.budget(Stage.HANDLE, "crowding", Urgency.URGENT, AreaType.URBAN)


# -- the shipped policy ---------------------------------------------------------------------------


def test_every_demo_category_in_every_district_routes_to_a_unit_of_the_demo_city() -> None:
    city = demo_city()
    units = {u.id: u for u in city.units}
    router = Router(DEMO.routing)
    assert {rule.unit for rule in DEMO.routing} <= units.keys()
    for category in CATEGORIES:
        for district in city.districts:
            found = router.route(category.code, district.code)
            assert found is not None, (category.code, district.code)
            assert found.category == category.code, found
            assert units[found.unit].district_code in (None, district.code), found


def test_only_the_low_risk_categories_are_dispatched_unattended() -> None:
    assert {rule.category for rule in DEMO.routing if rule.auto} == {"garbage_overflow", "illegal_parking"}


def test_round_the_clock_emergencies_never_wait_for_working_hours() -> None:
    for category in ("fire_alarm", "hazardous_chemicals", "traffic_accident"):
        for stage in Stage:
            for urgency in Urgency:
                for area in AreaType:
                    budget = DEMO.budget(stage, category, urgency, area)
                    assert budget.unit is TimeUnit.MINUTES, (category, stage, urgency, area)


def test_the_shipped_policy_has_the_documented_defaults() -> None:
    register = [DEMO.budget(Stage.REGISTER, "crowding", u, AreaType.URBAN) for u in Urgency]
    assert register == [Budget(10, TimeUnit.MINUTES), Budget(30, TimeUnit.MINUTES)]
    assert DEMO.budget(Stage.SIGN, "garbage_overflow", Urgency.NORMAL, AreaType.URBAN) == Budget(
        1, TimeUnit.WORKING_HOURS
    )
    assert DEMO.budget(Stage.HANDLE, "illegal_parking", Urgency.NORMAL, AreaType.URBAN) == Budget(
        2, TimeUnit.WORKING_HOURS
    )
    check = [DEMO.budget(Stage.CHECK, "garbage_overflow", Urgency.NORMAL, a) for a in AreaType]
    assert check == [Budget(1, TimeUnit.WORKING_HOURS), Budget(2, TimeUnit.WORKING_HOURS)]
    assert DEMO.calendar.timezone == "Asia/Shanghai"
    assert {"2026-10-01", "2026-02-17"} <= DEMO.calendar.holidays
    assert DEMO.rural_districts <= {d.code for d in demo_city().districts}
    assert DEMO.verify_sources == frozenset({"hotline", "video_ai"})


# -- mistakes -------------------------------------------------------------------------------------

# (what to replace in MINIMAL, what to put instead, a fragment of the line the error must point at,
# a fragment of the message)
MISTAKES = [
    ("budgets:\n", "budgest:\n", "budgest:", "unknown key 'budgest' in the policy"),
    ("  timezone: Asia", "  timezon: Asia", "timezon:", "unknown key 'timezon' in calendar"),
    ("timezone: Asia/Shanghai", "timezone: Asia/Shanghia", "Shanghia", "unknown time zone 'Asia/Shanghia'"),
    ("urgent_max_severity: 2", "urgent_max_severity: two", "urgent_max_severity", "must be a plain number"),
    ("urgent_max_severity: 2", "urgent_max_severity: 7", "urgent_max_severity", "whole number 0..4"),
    ('"*": 1 working_hour', '"*": -1 working_hour', "-1 working_hour", "greater than 0"),
    ('"*": 1 working_hour', '"*": 1 hours', "1 hours", "unknown unit 'hours'"),
    ('"*": 1 working_hour', '"*": soon', "soon", "must be '<amount> <unit>'"),
    ("  sign:\n", "  sing:\n", "sing:", "unknown stage 'sing'"),
    ('"08:30-12:00", "13:30-17:30"', '"08:30-12:00", "11:30-17:30"', "11:30", "overlaps another period"),
    ('"08:30-12:00", "13:30-17:30"', '"08:30-12:00", "13:30-25:00"', "25:00", "not a time of day"),
    ('"08:30-12:00", "13:30-17:30"', '"12:00-08:30"', "12:00-08:30", "ends before it starts"),
    ("2026-09-25]", "2026-09-31]", "2026-09-31", "'2026-09-31' is not a date"),
    ("2026-10-01/2026-10-07", "2026-10-07/2026-10-01", "2026-10-07/2026-10-01", "must run forwards"),
    ("[2026-10-10]", "[2026-10-09]", "makeup_workdays", "is a normal workday anyway"),
    ("[2026-10-10]", "[2026-10-10, 2026-10-03]", "makeup_workdays", "both a holiday"),
    ("yellow_light: 0.7", "yellow_light: 1.0", "supervision", "yellow_light (1.0) must be below yellow_card"),
    ("red_card: 1.5", "red_card: 0.9", "supervision", "red_card (0.9) must be above yellow_card"),
    ("workdays: [mon, tue, wed, thu, fri]", "workdays: []", "  workdays:", "no working time at all"),
    (
        "workdays: [mon, tue, wed, thu, fri]",
        "workdays: [mon, tue, fry]",
        "  workdays:",
        "unknown workday 'fry'",
    ),
    (
        "workdays: [mon, tue, wed, thu, fri]",
        "workdays: [mon, tue, mon]",
        "  workdays:",
        "'mon' is listed twice in calendar.workdays (first on line 3)",
    ),
    ('hours: ["08:30-12:00", "13:30-17:30"]', "hours: []", "hours: []", "no working time at all"),
    (
        "    fire_alarm: {urgent: 30 minutes}\n",
        "    fire_alarm: {urgnet: 30 minutes}\n",
        "urgnet",
        "unknown key",
    ),
    (
        "    fire_alarm: {urgent: 30 minutes}\n",
        "    fire_alarm: {urgent: 30 minutes}\n    fire_alarm: {normal: 1 working_days}\n",
        "normal: 1 working_days",
        "'fire_alarm' appears twice in budgets.handle",
    ),
    (
        "    fire_alarm: {urgent: 30 minutes}\n",
        "    fire_alarm: {urgent: 30 minutes, urban: 20 minutes}\n",
        "urban: 20 minutes",
        "gives urgent/urban cases a second budget",
    ),
    (
        '    "*": {urban: 1 working_hours, rural: 2 working_hours}',
        '    "*": {urban: 1 working_hours}',
        "  check:",
        "rural areas",
    ),
    ("  check:\n", "  kontrol:\n", "kontrol", "unknown stage 'kontrol'"),
    ("    auto: true", "    auto: maybe", "auto: maybe", "must be true or false"),
    ('units: {339901: U-339901-HW, "*": U-CITY-YJ}', "units: {}", "units: {}", "lists no unit"),
    ("units: {339901: U-339901-HW", "units: {339901: [U-339901-HW]", "339901", "must be a single value"),
    ('rural_districts: ["339905"]', 'rural_districts: ["339905", 339905]', "rural_districts", "listed twice"),
    (
        "rural_districts: [",
        "verify_sources: []\nrural_districts: [",
        "verify_sources: [hotline",
        "appears twice",
    ),
    (
        "    fire_alarm: {radius_m: 300}",
        "    fire_alarm: {radius: 300}",
        "radius: 300",
        "unknown key 'radius'",
    ),
    ("  window_s: 3600", "  window_s: -5", "window_s", "greater than 0"),
    ("supervision: {", "supervision: [", "supervision: [", "YAML syntax"),
]


@pytest.mark.parametrize(("old", "new", "marker", "message"), MISTAKES)
def test_each_mistake_is_reported_at_its_line(old: str, new: str, marker: str, message: str) -> None:
    assert MINIMAL.count(old) == 1, old
    text = MINIMAL.replace(old, new)
    # The marker's last occurrence: a repeated key is reported where it repeats.
    expected_line = next(n for n, line in reversed(list(enumerate(text.splitlines(), 1))) if marker in line)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "city.yaml")
    assert str(caught.value).startswith(f"city.yaml:{expected_line}: "), str(caught.value)
    assert message in str(caught.value)


def test_a_missing_section_is_reported_at_the_mapping_that_lacks_it() -> None:
    text = MINIMAL.replace("urgent_max_severity: 2\n", "")
    with pytest.raises(PolicyError, match=r"^p.yaml:1: the policy is missing 'urgent_max_severity'$"):
        parse_policy(text, "p.yaml")


def test_empty_and_multi_document_files_are_refused() -> None:
    with pytest.raises(PolicyError, match=r"^p.yaml:1: the policy file is empty$"):
        parse_policy("# nothing here\n", "p.yaml")
    with pytest.raises(PolicyError, match=r"^p.yaml:4: YAML syntax: .*single document"):
        parse_policy("a: 1\nb: 2\n\n---\nc: 3\n", "p.yaml")
    with pytest.raises(PolicyError, match=r"^p.yaml:1: the policy must be a mapping"):
        parse_policy("- a\n- b\n", "p.yaml")


def test_control_characters_and_bad_encoding_are_reported_with_their_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"^p.yaml:3: YAML syntax: special characters"):
        parse_policy("a: 1\nb: 2\nc: \x07\n", "p.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("hotline", "h\xf6tline").encode("latin-1"))
    with pytest.raises(PolicyError, match=rf"^{path}:9: the policy file is not UTF-8 text$"):
        load_policy(path)


def test_a_missing_file_is_a_policy_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(PolicyError, match=r"nowhere\.yaml: cannot read the policy file"):
        load_policy(path)


def test_python_tags_are_never_constructed() -> None:
    for value in ("!!python/object/apply:os.system [echo]", "!!python/name:os.system 2"):
        text = MINIMAL.replace("urgent_max_severity: 2", f"urgent_max_severity: {value}")
        with pytest.raises(PolicyError, match=r"^p.yaml:7: urgent_max_severity must be"):
            parse_policy(text, "p.yaml")


def test_the_file_on_disk_loads_like_the_text(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_policy(path) == parse_policy(MINIMAL, "other name")
