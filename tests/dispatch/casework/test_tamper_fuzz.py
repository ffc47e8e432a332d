"""Any single cell of a case or an order, changed to any value SQLite will take, is found by the audit; and
an audit that recorded nothing wrong never reports a store that went through random legitimate commands
(that half is tests/dispatch/casework/test_stateful.py, whose invariant replays every case)."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cli.audit import Signatures
from cli.report import run_audit_verify
from dispatch.casework.machine import allowed_actions
from dispatch.casework.model import Action, Actor, Command, Refused, Role
from dispatch.casework.records import audit
from dispatch.casework.records.audit_changes import ORDER_FIELDS
from dispatch.casework.records.cases import CASE_FIELDS
from dispatch.casework.records.checkpoints import Checkpointer, generate_key
from tests.dispatch.casework.audit_history import History, build_history
from tests.dispatch.casework.policies import LON, Loop, open_loop, put_event

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


ACTORS = {role: Actor(role.value, role) for role in Role}
PAYLOADS: dict[Action, dict[str, Any]] = {
    Action.DISPATCH: {"unit": "U-X"},
    Action.REQUEST_EXTENSION: {"amount": 1},
    Action.EVALUATE: {"satisfied": True},
    Action.SUPERVISE: {"card": 2},
    Action.CARD: {"card": 1},
    Action.ATTACH: {"path": "photo.jpg"},
    Action.SOURCE_UPDATE: {"severity": 1},
}
STEP = st.one_of(
    st.tuples(st.just("case"), st.integers(0, 3)),
    st.tuples(st.just("act"), st.integers(0, 10**6)),
    st.tuples(st.just("wait"), st.sampled_from([1, 30, 600, 3600])),
    st.tuples(st.just("checkpoint"), st.just(0)),
)


@settings(max_examples=25, deadline=None)
@given(steps=st.lists(STEP, min_size=1, max_size=40))
def test_legitimate_work_with_checkpoints_in_between_always_verifies(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int]]
) -> None:
    """Whatever the desk does and whenever the cockpit signs, `audit verify` with the key finds nothing."""
    directory = tmp_path_factory.mktemp("legit")
    generate_key(directory / "k")
    checkpoints = Checkpointer(directory / "k", directory / "log", every_s=0)
    loop = open_loop(directory / "store.sqlite3")
    try:
        for index, (kind, n) in enumerate(steps):
            if kind == "case":
                put_event(loop.conn, f"e{index}", at=loop.clock.now(), lon=LON + n * 0.01)
                loop.discovery.run_once()
            elif kind == "act":
                _some_legal_action(loop, n)
            elif kind == "wait":
                loop.clock.advance(n)
            else:
                with loop.desk.transaction() as conn:
                    checkpoints.sign(conn, loop.clock.now(), "periodic")
        with loop.desk.transaction() as conn:
            checkpoints.sign(conn, loop.clock.now(), "handover")
        out = io.StringIO()
        signatures = Signatures(directory / "k", directory / "log", True)
        assert run_audit_verify(db_path=loop.path, out=out, signatures=signatures) == 0, out.getvalue()
    finally:
        loop.close()


def _some_legal_action(loop: Loop, pick: int) -> None:
    ids = [r[0] for r in loop.conn.execute("SELECT id FROM cases ORDER BY id")]
    if not ids:
        return
    case = loop.desk.get(ids[pick % len(ids)])
    legal = [(a, r) for r in Role for a in allowed_actions(case, r) if r is not Role.UNIT or case.unit]
    if not legal:
        return
    # One action uniformly among those open to someone, so that annotations many roles may make
    # (acknowledge) do not crowd out the moves along the loop.
    actions = sorted({a for a, _ in legal})
    action = actions[pick % len(actions)]
    roles = [r for a, r in legal if a is action]
    role = roles[pick // len(actions) % len(roles)]
    actor = Actor(case.unit, role) if role is Role.UNIT else ACTORS[role]
    payload = dict(PAYLOADS.get(action, {}))
    if action is Action.MERGE:
        payload["master_id"] = ids[(pick + 1) % len(ids)]
    if action is Action.SPLIT:
        payload["master_id"] = case.master_id
    # A payload or clock condition the rules check may still refuse it (a merge into a closed case, …).
    with contextlib.suppress(Refused):
        loop.desk.act(Command(case.id, case.version, action, actor, "理由", payload))
