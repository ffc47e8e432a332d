"""Whatever an atlas's files hold, loading gives an atlas or an AtlasError, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.atlas import Atlas, AtlasError, load_atlas
from tests.dispatch.atlas import small_city

FILES = sorted(small_city.files())
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(node: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], rest, value)}
    assert isinstance(node, list)
    assert isinstance(head, int)
    return [_replaced(item, rest, value) if i == head else item for i, item in enumerate(node)]


@st.composite
def hostile(draw: st.DrawFn) -> tuple[str, bytes]:
    """One file of a valid atlas spoiled: a value swapped deep inside, a line rewritten, cut, or noise."""
    name = draw(st.sampled_from(FILES))
    text = small_city.files()[name]
    how = draw(st.sampled_from(("value", "line", "cut", "bytes")))
    if how == "value" and not name.endswith(".csv"):
        is_json = name.endswith(".geojson")
        data = json.loads(text) if is_json else yaml.safe_load(text)
        path = draw(st.sampled_from(_paths(data)))
        spoiled = _replaced(data, path, draw(values))
        return name, (
            json.dumps(spoiled) if is_json else yaml.safe_dump(spoiled, allow_unicode=True)
        ).encode()
    if how in ("value", "line"):
        lines = text.splitlines(keepends=True)
        index = draw(st.integers(0, len(lines) - 1))
        lines[index] = draw(st.text(max_size=60)) + "\n"
        return name, "".join(lines).encode("utf-8", "surrogatepass")
    if how == "cut":
        return name, text.encode()[: draw(st.integers(0, len(text.encode())))]
    return name, draw(st.binary(max_size=200))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile())
def test_loading_spoiled_files_gives_an_atlas_or_an_atlas_error(spoiled: tuple[str, bytes]) -> None:
    name, content = spoiled
    with tempfile.TemporaryDirectory() as folder:
        directory = small_city.write(Path(folder), small_city.files())
        (directory / name).write_bytes(content)
        outcome: Atlas | AtlasError
        try:
            outcome = load_atlas(directory)
        except AtlasError as error:
            outcome = error
    if isinstance(outcome, AtlasError):
        # The error names a file of the atlas, or one a spoiled manifest names, never an internal place.
        assert outcome.file in FILES or name == "atlas.yaml"
        assert str(outcome).startswith(f"{outcome.file}: ")
    else:
        assert isinstance(outcome, Atlas)
