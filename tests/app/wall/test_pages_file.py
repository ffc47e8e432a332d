"""The wall pages file: the demo loads, every mistake is refused with its line, and no input crashes it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.wall.pages import PanelKind
from app.wall.pages_file import WallPagesError, demo_pages_path, load_pages, parse_pages

DEMO = demo_pages_path().read_text(encoding="utf-8")
DEMO_LINES = DEMO.splitlines()
# Lines of the demo that hold a key with a value on the same line ("  dwell: 45 seconds", "- kind: map").
VALUE_LINES = [
    n
    for n, line in enumerate(DEMO_LINES)
    if re.match(r"^\s*(- )?[a-z_]+: \S", line) and not line.lstrip().startswith("#")
]
MESSAGE = re.compile(r"^demo\.yaml:(\d+): \S")

SMALL = """\
pages:
  - name: one
    grid: 2x1
    panels:
      - kind: map
        at: [0, 0]
      - kind: cases
        at: [1, 0]
"""


def line_of(error: pytest.ExceptionInfo[WallPagesError]) -> int:
    match = MESSAGE.match(str(error.value))
    assert match is not None, str(error.value)
    return int(match.group(1))


def assert_valid_or_placed(text: str, last_line: int) -> None:
    """The text is a wall, or refused with "demo.yaml:<line>: …" naming a line of it; nothing else."""
    message = None
    try:
        parse_pages(text, "demo.yaml")
    except WallPagesError as error:
        message = str(error)
    if message is not None:
        match = MESSAGE.match(message)
        assert match is not None, message
        assert 1 <= int(match.group(1)) <= last_line


def with_value(line_no: int, value: str) -> str:
    """The demo with the value on line `line_no` (0-based) replaced."""
    lines = list(DEMO_LINES)
    key, _, _ = lines[line_no].partition(": ")
    lines[line_no] = f"{key}: {value}"
    return "\n".join(lines) + "\n"


def test_the_demo_pages_place_every_kind_of_panel() -> None:
    wall = load_pages(demo_pages_path())
    assert [page.name for page in wall.pages] == ["overview", "vital-signs", "cases-and-video", "duty"]
    assert {panel.kind for page in wall.pages for panel in page.panels} == set(PanelKind)
    overview = wall.pages[0]
    assert (overview.columns, overview.rows, overview.dwell_s) == (4, 2, 45.0)
    assert overview.panels[0].cells() == {(0, 0), (1, 0), (0, 1), (1, 1)}
    assert wall.viewing.distance_m == 5.0
    assert wall.burn_in_s == 240.0
    assert wall.takeover_expires_s == 1800.0


def test_a_small_file_takes_the_defaults() -> None:
    wall = parse_pages(SMALL, "small.yaml")
    assert wall.pages[0].title == "one"
    assert wall.pages[0].dwell_s == 60.0
    assert wall.canvas.size is None
    assert wall.viewing.panel_px == (1920, 1080)


@pytest.mark.parametrize(
    ("replace", "by", "line", "says"),
    [
        ("kind: cases", "kind: casse", 7, "unknown panel kind 'casse'"),
        ("at: [1, 0]", "at: [0, 0]", 7, "overlaps the map panel of line 5 at cell 0,0"),
        ("at: [1, 0]", "at: [2, 0]", 8, "reaches past the 2x1 grid"),
        ("grid: 2x1", "grid: 2 by 1", 3, "WIDTHxHEIGHT"),
        ("    grid: 2x1\n", "    grid: 2x1\n    dwell: 3 seconds\n", 4, "between 5 seconds and 7 days"),
        ("    grid: 2x1\n", "    grid: 2x1\n    dwel: 30 seconds\n", 4, "unknown key 'dwel'"),
        ("    grid: 2x1\n", "    grid: 2x1\n    grid: 3x1\n", 4, "'grid' appears twice"),
        ("    grid: 2x1\n", "", 2, "a page is missing 'grid'"),
        ("at: [0, 0]", "at: [0]", 6, "list of two whole numbers"),
        ("at: [0, 0]", "at: [0.5, 0]", 6, "whole number"),
        ("at: [0, 0]", "at: [-1, 0]", 6, "between 0 and 12"),
        ("at: [0, 0]", "at: [0, 0\n", 8, "flow sequence (from line 6)"),
        ("- kind: map\n", "- kind: map\n        metrics: [aqi]\n", 6, "unknown key 'metrics'"),
        ("pages:\n", "viewing: {distance_m: .inf}\npages:\n", 1, "between 0.3 and 200"),
        ("pages:\n", "viewing: {arc_minutes: 12}\npages:\n", 1, "between 16 and 60"),
        ("pages:\n", "canvas: {size: 99999x2160}\npages:\n", 1, "between 1 and 32768"),
        ("pages:\n", "burn_in: {every: soon}\npages:\n", 1, "span such as"),
        ("pages:\n", "takeover: {expires: 10 seconds}\npages:\n", 1, "between 60 seconds and 7 days"),
        ("pages:\n", "takeover: {expire: 10 minutes}\npages:\n", 1, "unknown key 'expire'"),
    ],
)
def test_a_mistake_is_named_with_its_line(replace: str, by: str, line: int, says: str) -> None:
    assert replace in SMALL
    with pytest.raises(WallPagesError) as error:
        parse_pages(SMALL.replace(replace, by, 1), "demo.yaml")
    assert line_of(error) == line
    assert says in str(error.value)


def test_a_second_page_of_the_same_name_points_at_the_first() -> None:
    text = SMALL + SMALL.removeprefix("pages:\n")
    with pytest.raises(WallPagesError) as error:
        parse_pages(text, "demo.yaml")
    assert line_of(error) == 9
    assert "page 'one' appears twice (first on line 2)" in str(error.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is empty"),
        ("# only a comment\n", "is empty"),
        ("- a\n- b\n", "must be a mapping"),
        ("{}", "missing"),
    ],
)
def test_a_file_that_is_no_pages_file_says_so(text: str, says: str) -> None:
    with pytest.raises(WallPagesError, match=says) as error:
        parse_pages(text, "demo.yaml")
    assert line_of(error) == 1


def test_unreadable_and_non_utf8_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(WallPagesError, match=r"missing\.yaml:1: cannot read"):
        load_pages(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(SMALL.replace("one", "caf\xe9").encode("latin-1"))
    with pytest.raises(WallPagesError, match=r"latin\.yaml:2: .*not UTF-8"):
        load_pages(latin)


@given(st.text(max_size=300))
def test_any_text_is_pages_or_a_message_with_a_line(text: str) -> None:
    assert_valid_or_placed(text, text.count("\n") + 2)


@given(
    st.sampled_from(VALUE_LINES),
    st.one_of(
        st.dictionaries(st.sampled_from("abc"), st.integers(), min_size=1, max_size=2),
        st.just({}),
    ),
)
def test_a_mapping_where_a_value_belongs_is_refused_at_its_line(line_no: int, value: dict[str, int]) -> None:
    # No value written on a key's own line may be a mapping, so the error must point at that very line.
    with pytest.raises(WallPagesError) as error:
        parse_pages(with_value(line_no, json.dumps(value)), "demo.yaml")
    assert line_of(error) == line_no + 1


@given(
    st.sampled_from(VALUE_LINES),
    st.one_of(
        st.text(max_size=40).map(json.dumps),
        st.integers(-(10**30), 10**30).map(str),
        st.floats().map(lambda f: json.dumps(f) if f == f and abs(f) != float("inf") else ".nan"),
        st.lists(st.integers(-3, 20), max_size=3).map(json.dumps),
    ),
)
def test_any_value_anywhere_is_taken_or_refused_with_a_line(line_no: int, value: str) -> None:
    assert_valid_or_placed(with_value(line_no, value), len(DEMO_LINES))


SPLICE = "canvas: {size: 5760x2160, seams: 2x1, bezel_px: 12}\n"


def test_on_a_spliced_canvas_a_grid_must_fit_the_seams_and_only_a_map_may_span_one() -> None:
    wall = parse_pages(SPLICE + SMALL, "demo.yaml")
    assert (wall.canvas.size, wall.canvas.seams, wall.canvas.bezel_px) == ((5760, 2160), (2, 1), 12)
    with pytest.raises(WallPagesError) as error:
        parse_pages(SPLICE + SMALL.replace("grid: 2x1", "grid: 3x1"), "demo.yaml")
    assert line_of(error) == 4
    assert "a 3x1 grid puts panels across the 2x1 panel seams" in str(error.value)
    spanning = SMALL.replace("      - kind: cases\n        at: [1, 0]\n", "").replace(
        "at: [0, 0]", "at: [0, 0]\n        span: [2, 1]"
    )
    assert parse_pages(SPLICE + spanning, "demo.yaml").pages[0].panels[0].columns == 2
    with pytest.raises(WallPagesError) as error:
        parse_pages(SPLICE + spanning.replace("kind: map", "kind: cases"), "demo.yaml")
    assert line_of(error) == 6
    assert "the cases panel spans a seam of the 2x1 splice" in str(error.value)
