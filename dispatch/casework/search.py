"""Full-text search terms: Chinese text as overlapping character bigrams, other text as whole words."""

from __future__ import annotations

import re

# A run of CJK ideographs (and full-width digits/letters, which addresses use), or an ASCII-ish word.
_RUNS = re.compile(r"([\u3400-\u9fff\uf900-\ufaff\uff10-\uff19\uff21-\uff5a]+)|([0-9A-Za-z_\-]+)")


def terms(text: str) -> list[str]:
    """The index terms of `text`: every CJK bigram and every word.

    A CJK run also ends with its last ideograph alone, so that every ideograph starts some term and a
    one-character search (a prefix query) finds "水" in "积水" too; a lone ideograph is just that term.
    """
    out: list[str] = []
    for cjk, word in _RUNS.findall(text):
        if cjk:
            out.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
            out.append(cjk[-1])
        else:
            out.append(word.lower())
    return out


def index_text(*fields: str) -> str:
    """What goes into the FTS column for a case with these text fields."""
    return " ".join(t for f in fields for t in terms(f))


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for what an operator typed, or None when it has nothing searchable.

    Every typed fragment must appear: a CJK fragment becomes the phrase of its bigrams (so "井盖缺失" only
    matches that sequence); a single ideograph or the last word matches as a prefix, so results appear
    while the operator is still typing.
    """
    parts: list[str] = []
    for cjk, word in _RUNS.findall(query):
        if cjk:
            if len(cjk) == 1:
                parts.append(f'"{cjk}"*')
            else:
                grams = [cjk[i : i + 2] for i in range(len(cjk) - 1)]
                parts.append('"' + " ".join(grams) + '"')
        else:
            parts.append(f'"{word.lower()}"*')
    return " AND ".join(parts) if parts else None
