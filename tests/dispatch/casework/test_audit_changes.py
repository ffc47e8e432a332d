"""What an audit row records as changed: exactly the columns whose recorded cells differ."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from dispatch.casework.model import Card, CaseState
from dispatch.casework.records.audit_changes import case_changes, cell
from dispatch.casework.records.cases import CASE_FIELDS
from tests.widgets.duty_values import case

# Values that are equal but of different types, or unequal to themselves, are where a shortcut could slip.
VALUES = st.sampled_from(
    [None, 0, 1, 1.0, True, False, -1, 2**62, 1e300, math.nan, math.inf, -math.inf, "", "x", "1",
     CaseState.CLOSED, "closed", Card.RED_CARD, 3, 3.0]
)  # fmt: skip
FIELDS = st.sampled_from([name for name in CASE_FIELDS if name != "id"])


def by_definition(before: Any, after: Any) -> dict[str, list[Any]]:
    """The specification: every column whose recorded cell differs."""
    changes = {}
    for name in CASE_FIELDS:
        old, new = cell(name, getattr(before, name)), cell(name, getattr(after, name))
        if old != new:
            changes[name] = [old, new]
    return changes


@given(st.dictionaries(FIELDS, VALUES, max_size=8), st.dictionaries(FIELDS, VALUES, max_size=8))
def test_the_recorded_changes_are_the_columns_whose_cells_differ(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    base = case()
    # Frozen dataclasses take any value here: the audit must judge what it is handed, not its type hints.
    before = dataclasses.replace(base, **first)
    after = dataclasses.replace(base, **{**first, **second})
    assert case_changes(before, after) == by_definition(before, after)


def test_a_new_case_records_every_column() -> None:
    opened = case()
    assert case_changes(None, opened) == {
        name: [None, cell(name, getattr(opened, name))] for name in CASE_FIELDS
    }
