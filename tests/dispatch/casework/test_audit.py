"""The audit table: append-only by trigger, hash-chained, and every kind of tampering found at its row."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, Command, Role
from dispatch.casework.records import audit
from tests.dispatch.casework.policies import DISPATCHER, LEAD, Loop, act, new_case, open_loop

UNIT = Actor("U-CITY", Role.UNIT)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with a real history: 3 cases, 14 audit rows."""
    path = tmp_path_factory.mktemp("audit") / "store.sqlite3"
    loop = open_loop(path)
    for i in range(3):
        case = new_case(loop, f"e{i}", lon=114.3 + i * 0.01)
        act(loop, case.id, Action.REGISTER, LEAD)
        loop.clock.advance(60)
        act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
        act(loop, case.id, Action.SIGN, UNIT, note="收到")
    act(loop, 1, Action.PARK, LEAD, "等待配件")
    act(loop, 2, Action.HANDLE, UNIT)
    assert loop.conn.execute("SELECT count(*) FROM audit").fetchone() == (14,)
    loop.close()
    return path


@pytest.fixture
def copy(history: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A private copy of the history, with the append-only triggers dropped as an attacker would."""
    source = sqlite3.connect(history)
    conn = sqlite3.connect(tmp_path / "copy.sqlite3", isolation_level=None)
    source.backup(conn)
    source.close()
    conn.execute("DROP TRIGGER audit_append_only_update")
    conn.execute("DROP TRIGGER audit_append_only_delete")
    yield conn
    conn.close()


def test_a_real_history_verifies(history: Path) -> None:
    loop = open_loop(history)
    report = audit.verify(loop.conn)
    assert (report.ok, report.rows, report.broken_at, report.case_id) == (True, 14, None, None)
    loop.close()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit SET reason = 'nothing happened' WHERE id = 3", "DELETE FROM audit WHERE id = 14"],
)
def test_the_table_refuses_updates_and_deletes(history: Path, statement: str) -> None:
    loop = open_loop(history)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        loop.conn.execute(statement)
    assert audit.verify(loop.conn).ok
    loop.close()


def rehash(conn: sqlite3.Connection, row_id: int, prev: str) -> sqlite3.Cursor:
    """Give row `row_id` a hash that matches its (edited) content, linked to `prev`."""
    row = conn.execute(f"SELECT {audit.CHAINED_COLUMNS} FROM audit WHERE id = ?", (row_id,)).fetchone()
    digest = audit.row_hash(prev, audit.chained_fields(row))
    return conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id))


def hash_of(conn: sqlite3.Connection, row_id: int) -> str:
    return str(conn.execute("SELECT hash FROM audit WHERE id = ?", (row_id,)).fetchone()[0])


Tamper = Callable[[sqlite3.Connection], object]

TAMPERING: list[tuple[str, Tamper, int | None, str]] = [
    (
        "an edited reason",
        lambda c: c.execute("UPDATE audit SET reason = '按规定挂账' WHERE id = 13"),
        13, "content",
    ),
    (
        "an edited actor",
        lambda c: c.execute("UPDATE audit SET actor = 'nobody' WHERE id = 5"),
        5, "content",
    ),
    (
        "an edited payload",
        lambda c: c.execute("UPDATE audit SET payload = '{\"unit\":\"U-X\"}' WHERE id = 3"),
        3, "content",
    ),
    ("a deleted row", lambda c: c.execute("DELETE FROM audit WHERE id = 7"), 7, "missing"),
    ("a deleted first row", lambda c: c.execute("DELETE FROM audit WHERE id = 1"), 1, "missing"),
    (
        "an edited row re-hashed onto the chain",
        lambda c: (c.execute("UPDATE audit SET reason = '' WHERE id = 13"), rehash(c, 13, hash_of(c, 12))),
        14, "link",
    ),
    (
        "an edited row re-hashed with a made-up link",
        lambda c: (c.execute("UPDATE audit SET at = at - 3600 WHERE id = 9"), rehash(c, 9, "f" * 64)),
        9, "link",
    ),
    (
        "two rows swapped",
        lambda c: (
            c.execute("UPDATE audit SET id = -1 WHERE id = 4"),
            c.execute("UPDATE audit SET id = 4 WHERE id = 5"),
            c.execute("UPDATE audit SET id = 5 WHERE id = -1"),
        ),
        4, "link",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("what", "tamper", "row", "problem"), TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampering_is_found_at_its_row(
    copy: sqlite3.Connection, what: str, tamper: Tamper, row: int, problem: str
) -> None:
    tamper(copy)
    report = audit.verify(copy, cases=False)
    assert not report.ok
    assert report.broken_at == row
    assert problem in report.problem


def test_rows_cut_off_the_end_leave_a_valid_chain_but_not_a_matching_case(copy: sqlite3.Connection) -> None:
    copy.execute("DELETE FROM audit WHERE id = 14")
    assert audit.verify(copy, cases=False).ok
    report = audit.verify(copy)
    assert (report.ok, report.broken_at, report.case_id) == (False, None, 2)
    assert "version 5" in report.problem


def test_a_case_edited_behind_the_desks_back_is_found(copy: sqlite3.Connection) -> None:
    copy.execute("UPDATE cases SET state = 'closed' WHERE id = 3")
    report = audit.verify(copy)
    assert (report.ok, report.case_id) == (False, 3)
    assert "signed" in report.problem


def test_a_deleted_case_leaves_its_rows_orphaned(copy: sqlite3.Connection) -> None:
    copy.execute("PRAGMA foreign_keys = OFF")
    for table in ("outbox", "case_events", "merge_proposals"):
        copy.execute(f"DELETE FROM {table} WHERE case_id = 3")
    copy.execute("DELETE FROM cases WHERE id = 3")
    report = audit.verify(copy)
    assert (report.ok, report.case_id) == (False, 3)
    assert "gone" in report.problem


def test_an_empty_store_verifies(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    assert audit.verify(loop.conn) == audit.ChainReport(0)
    loop.close()


def test_a_clock_giving_whole_seconds_still_verifies(tmp_path: Path) -> None:
    # SQLite hands a REAL column back as 1767603600.0 however it was written; the hash must agree.
    loop = open_loop(tmp_path / "store.sqlite3", ManualClock(1_767_603_600))
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    assert audit.verify(loop.conn).ok
    loop.close()


def test_the_row_the_desk_returns_is_the_row_the_timeline_reads(tmp_path: Path) -> None:
    loop: Loop = open_loop(tmp_path / "store.sqlite3")
    case = new_case(loop)
    applied = loop.desk.act(Command(case.id, 1, Action.REGISTER, LEAD, payload={"note": ("a", "b")}))
    rows = audit.timeline(loop.conn, [case.id])
    assert [r.action for r in rows] == [Action.DISCOVER, Action.REGISTER]
    assert rows[-1] == applied.audit == audit.last_change(loop.conn, case.id)
    assert applied.audit.payload == {"note": ["a", "b"]}
    assert audit.last_change(loop.conn, 999) is None
    loop.close()
