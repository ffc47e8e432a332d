"""Any single cell of a case or an order, changed to any value SQLite will take, is found by the audit; and
an audit that recorded nothing wrong never reports a store that went through random legitimate commands
(that half is tests/dispatch/casework/test_stateful.py, whose invariant replays every case)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dispatch.casework import audit
from dispatch.casework.audit_changes import ORDER_FIELDS
from dispatch.casework.cases import CASE_FIELDS
from tests.dispatch.casework.audit_history import History, build_history

COLUMNS = {"cases": (*CASE_FIELDS, "is_open"), "outbox": (*ORDER_FIELDS, "case_id")}
VALUES = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["closed", "void", "U-SAN", "", "0", "1"]),
    st.integers(0, 12),
)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def pristine(history: History) -> sqlite3.Connection:
    conn = sqlite3.connect(history.store)
    yield conn  # type: ignore[misc]
    conn.close()


def same(old: Any, new: Any) -> bool:
    """Equal as SQLite compares them: 5 and 5.0 are one number; '5' and 5 are not one value."""
    numbers = (int, float)
    if isinstance(old, numbers) and isinstance(new, numbers):
        return bool(old == new)
    return type(old) is type(new) and old == new


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_single_cell_edit_of_a_case_or_an_order_is_found(
    history: History, pristine: sqlite3.Connection, data: st.DataObject
) -> None:
    table = data.draw(st.sampled_from(sorted(COLUMNS)), label="table")
    column = data.draw(st.sampled_from(COLUMNS[table]), label="column")
    rowids = [r[0] for r in pristine.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]
    rowid = data.draw(st.sampled_from(rowids), label="row")
    value = data.draw(VALUES, label="value")
    conn = sqlite3.connect(":memory:", isolation_level=None)
    pristine.backup(conn)
    try:
        (old,) = conn.execute(f"SELECT {column} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
        try:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (value, rowid))
        except (sqlite3.IntegrityError, sqlite3.OperationalError, OverflowError):
            assume(False)  # SQLite refuses it (NOT NULL, a taken key, a non-integer row id)
        if (table, column) == ("cases", "id"):
            # The id is the row id: the case is simply somewhere else now, unless it stayed where it was.
            assume(conn.execute("SELECT 1 FROM cases WHERE id = ?", (old,)).fetchone() is None)
        else:
            (new,) = conn.execute(f"SELECT {column} FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
            assume(not same(old, new))
            value = new
        report = audit.verify(conn)
        assert not report.ok, (table, column, old, value)
        assert report.problem
    finally:
        conn.close()


def test_the_untouched_history_verifies(pristine: sqlite3.Connection) -> None:
    assert audit.verify(pristine).ok
