"""Scenario files: a good one reads whole; a bad one gets `file:line: message`, whatever it holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dispatch.atlas import load_atlas
from dispatch.casework.model import Action
from dispatch.drill import ScenarioError, load_scenario, parse_scenario
from dispatch.drill.scenario import (
    CameraScene,
    CapWarning,
    DrillForm,
    EventBody,
    MetricCurve,
    PhoneCall,
    UnitReport,
)
from dispatch.drill.scenario_atlas import atlas_directory, check_against_atlas
from dispatch.drill.scenario_checks import planned_times
from dispatch.drill.scenario_file import parse_scenario_bytes
from tests.dispatch.drill.samples import SMALL


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.yaml")
    return caught.value


def test_a_scenario_reads_with_its_metadata_injects_and_expectations() -> None:
    scenario = parse_scenario(SMALL, "s.yaml")
    assert scenario.form is DrillForm.TABLETOP
    assert scenario.areas == ("339901",)
    assert [o.id for o in scenario.objectives] == ["O1", "O2"]
    kinds = [type(i.body) for i in scenario.injects]
    assert kinds == [CapWarning, MetricCurve, EventBody, CameraScene, UnitReport, PhoneCall]
    assert [i.id for i in scenario.scheduled] == ["I1", "I2", "I3", "I5", "I4"]
    dispatch = scenario.expectation("E2")
    assert (dispatch.action, dispatch.within_s, dispatch.unit) == (Action.DISPATCH, 600, "U-CITY-PS")
    # The contingency falls due a minute after E1's deadline: I3 at 5 min + 5 min + 1 min.
    assert planned_times(scenario, "s.yaml")["C1"] == 11 * 60


def test_a_metric_curve_rises_along_its_points() -> None:
    curve = parse_scenario(SMALL, "s.yaml").inject("I2").body
    assert isinstance(curve, MetricCurve)
    samples = curve.samples()
    assert len(samples) == 11
    assert (samples[0], samples[-1]) == ((0.0, 0.1), (600.0, 0.6))
    assert samples[5][1] == pytest.approx(0.35)


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("form: tabletop", "form: sandbox", 2, "form 'sandbox' is not one of field, tabletop"),
        ("    at: 5m\n", "    at: 5\n", 32, "at 5 needs a unit"),
        ("duration: 40m", "duration: 10m", 23, "inject I2: the curve runs past the drill's end"),
        ("  - {id: E1, inject: I3,", "  - {id: E1, inject: I9,", 62, "no inject 'I9'"),
        ("action: register", "action: card", 62, "'card' is not one players do"),
        ("  - id: I4\n", "  - id: I3\n", 40, "inject id 'I3' is used twice"),
        ("      severity: 2\n      device", "      severity: 7\n      device", 37, "between 1 and 4"),
        ("    if_missing: E1", "    if_missing: E7", 51, "names no expected action 'E7'"),
        ("  - id: O2\n", "  - id: O2\n    colour: red\n", 13, "unknown key 'colour'"),
        ("      title: 隧道口车辆涉水\n", "", 43, "camera is missing 'title'"),
        ("unit_report: {to: I3", "unit_report: {to: I2", 48, "names no case-opening inject 'I2'"),
        ("    delay: 1m\n", "    delay: 1m\n    at: 3m\n", 51, "either 'at' (a time) or 'if_missing'"),
    ],
)
def test_a_mistake_is_named_with_its_line(old: str, new: str, line: int, words: str) -> None:
    assert old in SMALL
    error = _error(SMALL.replace(old, new, 1))
    assert (error.file, error.line) == ("s.yaml", line), str(error)
    assert words in error.message
    assert str(error).startswith(f"s.yaml:{line}: ")


def test_syntax_aliases_and_bytes_are_refused_with_a_line(tmp_path: Path) -> None:
    assert _error("drill: [unclosed\nform: x\n").message.startswith("YAML syntax")
    alias = SMALL.replace("  - id: O1\n", "  - &first\n    id: O1\n", 1)
    assert "anchors and aliases" in _error(alias).message
    with pytest.raises(ScenarioError, match=r"^s.yaml:3: not UTF-8"):
        parse_scenario_bytes(b"drill: x\nform: tabletop\n\xff\n", "s.yaml")
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        load_scenario(tmp_path / "absent.yaml")
    assert "nested more than 16 levels" in _error("drill: " + "[" * 5000 + "]" * 5000).message


def _tree() -> object:
    return yaml.safe_load(SMALL)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["5m", "0s", "99:99", "1h30m", "O1", "I3", "E1", "register", ""]),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def _paths(tree: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            out.extend(_paths(value, (*prefix, index)))
    return out


def _refusal(parse: Callable[[], object]) -> ScenarioError | None:
    """The loader's refusal, or None when it read a scenario; any other exception fails the test."""
    try:
        parse()
    except ScenarioError as error:
        return error
    return None


def _assert_precise(text: str) -> None:
    error = _refusal(lambda: parse_scenario(text, "s.yaml"))
    if error is not None:
        assert 1 <= error.line <= len(text.splitlines()) + 1, str(error)
        assert str(error).startswith(f"s.yaml:{error.line}: ")
        assert error.message.strip()


@given(st.data())
def test_any_value_swapped_anywhere_gives_a_scenario_or_a_precise_error(data: st.DataObject) -> None:
    tree = _tree()
    path = data.draw(st.sampled_from(_paths(tree)[1:]))
    parent = tree
    for step in path[:-1]:
        parent = parent[step]  # type: ignore[index]
    parent[path[-1]] = data.draw(_values)  # type: ignore[index]
    _assert_precise(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False))


@given(st.data())
def test_lines_dropped_or_rewritten_give_a_scenario_or_a_precise_error(data: st.DataObject) -> None:
    lines = SMALL.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    replacement = data.draw(st.one_of(st.just(None), st.text(max_size=40)))
    if replacement is None:
        del lines[index]
    else:
        lines[index] = replacement
    _assert_precise("\n".join(lines))


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_bytes_give_a_precise_error(raw: bytes | str) -> None:
    data = raw.encode() if isinstance(raw, str) else raw
    error = _refusal(lambda: parse_scenario_bytes(data, "s.yaml"))
    if error is not None:
        # YAML, like an editor, also breaks lines at \r, NEL and the Unicode separators.
        assert 1 <= error.line <= len(data.decode("utf-8", "replace").splitlines()) + 1


def test_names_the_atlas_does_not_know_are_refused_with_their_line() -> None:
    atlas = load_atlas(atlas_directory(parse_scenario(SMALL, "s.yaml")))
    check_against_atlas(parse_scenario(SMALL, "s.yaml"), atlas)
    for old, new, line, words in [
        ('area: "339901"', 'area: "339999"', 7, "area '339999' is no district"),
        ("where: 解放路下穿延安路隧道\n  - id: I4", "where: 无名隧道\n  - id: I4", 31, "place '无名隧道'"),
        ("U-CITY-PS", "U-NOWHERE", 63, "unit 'U-NOWHERE' is not in the atlas"),
        ('camera: "33990100001320000001"', 'camera: "42"', 40, "camera '42' is not in the atlas"),
    ]:
        with pytest.raises(ScenarioError) as caught:
            check_against_atlas(parse_scenario(SMALL.replace(old, new, 1), "s.yaml"), atlas)
        assert (caught.value.line, words in caught.value.message) == (line, True), str(caught.value)
