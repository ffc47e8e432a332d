"""The shared YAML node checks: any text either reads or is refused as `<file>:<line>: …`, never a crash."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from core.yaml_nodes import YamlNodes

REFUSAL = re.compile(r"^f\.yaml:\d+: .+")


def compose(text: str) -> yaml.Node:
    node = yaml.compose(text)
    assert node is not None
    return node


def test_unknown_duplicate_and_missing_keys_name_their_lines() -> None:
    nodes = YamlNodes("f.yaml")
    with pytest.raises(
        ValueError, match=r"^f\.yaml:2: unknown key 'colour' in the page \(expected: name, dwell\)$"
    ):
        nodes.fields(compose("name: a\ncolour: red\n"), "the page", ("name",), ("dwell",))
    with pytest.raises(
        ValueError, match=r"^f\.yaml:2: 'name' appears twice in the page \(first on line 1\)$"
    ):
        nodes.fields(compose("name: a\nname: b\n"), "the page", ("name",))
    with pytest.raises(ValueError, match=r"^f\.yaml:1: the page is missing 'name'$"):
        nodes.fields(compose("dwell: 5\n"), "the page", ("name",), ("dwell",))
    with pytest.raises(ValueError, match=r"^f\.yaml:1: the flag must be true or false, not 'maybe'$"):
        nodes.flag(compose("maybe"), "the flag")


@given(st.text(max_size=200))
def test_any_text_reads_or_is_refused_with_its_line(text: str) -> None:
    nodes = YamlNodes("f.yaml")
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return  # the YAML parser's own error, which each file's loader reports with its mark
    if node is None:
        return
    refusals: list[str] = []
    try:
        spec = nodes.fields(node, "the file", (), ("a", "b"))
        for value in spec.values():
            nodes.flag(value, "a value")
    except ValueError as refusal:
        refusals.append(str(refusal))
    assert all(REFUSAL.match(r) for r in refusals), refusals
