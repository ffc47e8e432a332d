"""Full-text search: Chinese words, address fragments and case codes find their case in the FTS table."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.casework.search import match_expression, terms
from tests.dispatch.casework.policies import Loop, new_case, open_loop


def search(loop_path: Path, query: str) -> set[int]:
    loop = open_loop(loop_path)
    expression = match_expression(query)
    assert expression is not None
    rows = loop.conn.execute("SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?", (expression,)).fetchall()
    loop.close()
    return {r[0] for r in rows}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[int, str]]:
    path = Path(tmp_path_factory.mktemp("search")) / "store.sqlite3"
    loop: Loop = open_loop(path)
    ids = {
        "manhole": new_case(loop, "e1", title="人民路井盖缺失", address="江汉区人民路18号").id,
        "flood": new_case(loop, "e2", title="解放大道积水", address="硚口区解放大道1号", lon=114.4).id,
        "noise": new_case(loop, "e3", title="Noise at KTV-88", description="夜间施工噪音扰民",
                          address="武昌区中山路", category="noise", lon=114.5).id,
    }  # fmt: skip
    codes = dict(loop.conn.execute("SELECT id, code FROM cases").fetchall())
    loop.close()
    return path, ids, codes


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("井盖", {"manhole"}),  # a two-character word
        ("积水", {"flood"}),
        ("人民路18号", {"manhole"}),  # an address fragment, digits and all
        ("解放大道", {"flood"}),
        ("中山", {"noise"}),
        ("噪音", {"noise"}),
        ("ktv", {"noise"}),  # ASCII words ignore case
        ("KTV-88", {"noise"}),
        ("路", {"manhole", "noise"}),  # one ideograph while typing: a prefix
        ("水", {"flood"}),  # the last ideograph of a run, too
        ("失", {"manhole"}),
        ("区", {"manhole", "flood", "noise"}),
        ("大道 积水", {"flood"}),  # every fragment must appear
        ("井盖丢失", set()),  # a phrase, not any of its characters
        ("人民 积水", set()),
    ],
)
def test_a_case_is_found_by_what_an_operator_types(
    store: tuple[Path, dict[str, int], dict[int, str]], query: str, names: set[str]
) -> None:
    path, ids, _ = store
    assert search(path, query) == {ids[n] for n in names}


def test_a_case_is_found_by_its_code(store: tuple[Path, dict[str, int], dict[int, str]]) -> None:
    path, ids, codes = store
    for name, case_id in ids.items():
        assert search(path, codes[case_id]) == {case_id}, name


def test_nothing_searchable_gives_no_expression() -> None:
    assert match_expression("") is None
    assert match_expression("  ，。！？ ") is None
    # FTS syntax typed by an operator is only ever text.
    assert match_expression('" OR * NEAR(') == '"or"* AND "near"*'


def test_terms_are_bigrams_with_the_last_ideograph_alone() -> None:
    assert terms("井盖缺失") == ["井盖", "盖缺", "缺失", "失"]
    assert terms("桥") == ["桥"]
    assert terms("人民路18号") == ["人民", "民路", "路", "18", "号"]
