"""Tampering with a store that went round the whole loop, as someone with the file but not the key would:
every case column, every order, a re-hashed chain, a forged row, a cut-off tail — each found by `audit
verify` with the key and the checkpoint log, at the first bad row, case or checkpoint."""

from __future__ import annotations

import io
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from cli.audit import Signatures
from cli.report import run_audit_verify
from dispatch.casework.records import audit
from dispatch.casework.records.audit_changes import ORDER_FIELDS
from dispatch.casework.records.cases import CASE_FIELDS
from tests.dispatch.casework.audit_history import History, attacker_copy, build_history, rehash_from

# Tables and columns the audit vouches for; the outbox's delivery bookkeeping (sent_at, attempts, acked_at)
# is the feed connection's, not the case file's (docs/closed-loop.md).
AUDITED_CASE_COLUMNS = (*CASE_FIELDS, "is_open")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("history"))


@pytest.fixture
def copy(history: History, tmp_path: Path) -> tuple[sqlite3.Connection, Path]:
    target = tmp_path / "tampered.sqlite3"
    conn = attacker_copy(history.store, target)
    return conn, target


def verify(history: History, store: Path, log: Path | None = None) -> tuple[int, str]:
    out = io.StringIO()
    signatures = Signatures(history.key.with_name(history.key.name + ".pub"), log or history.log, True)
    code = run_audit_verify(db_path=store, out=out, signatures=signatures)
    return code, out.getvalue()


def test_the_whole_loop_verifies_clean(history: History) -> None:
    code, out = verify(history, history.store)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("audit: OK, 48 rows checked, head ")
    assert lines[1] == "cases: 7 replayed against every column and order"
    assert lines[2].startswith("checkpoints: 3 checked, latest checkpoint of 2026-01-05T11:46:00.000Z")
    assert lines[2].endswith("at row 48; 0 rows since, not yet signed")


def test_every_case_column_is_covered(history: History) -> None:
    """A column added to the cases table must be added to Case (and so to the audit's replay)."""
    conn = sqlite3.connect(history.store)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(cases)")]
    conn.close()
    assert sorted(columns) == sorted(AUDITED_CASE_COLUMNS)


def _changed(column: str) -> str:
    """SQL for a different value of any column: text grows a character, a number moves, NULL gets one."""
    if column == "id":
        return "id + 100"  # the next id is taken
    return (
        f"CASE WHEN {column} IS NULL THEN 1767600000.5 WHEN typeof({column}) = 'text' THEN {column} || '改' "
        f"WHEN {column} = 0 THEN 1 ELSE {column} + 1 END"
    )


@pytest.mark.parametrize("column", AUDITED_CASE_COLUMNS)
def test_an_edited_case_column_is_found_at_its_case(
    history: History, copy: tuple[sqlite3.Connection, Path], column: str
) -> None:
    conn, store = copy
    conn.execute(f"UPDATE cases SET {column} = {_changed(column)} WHERE id = ?", (history.worked,))
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert out.startswith(f"audit: BROKEN at case {history.worked}: "), out
    if column not in ("id", "version", "state", "is_open"):
        assert f"{column} is " in out


def test_a_real_case_marked_as_an_exercise_is_found(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    # The flag that hides a real case from the duty queue.
    conn, store = copy
    conn.execute("UPDATE cases SET exercise = 1 WHERE id = ?", (history.reopened,))
    conn.close()
    code, out = verify(history, store)
    assert (code, out.split(":")[1]) == (1, f" BROKEN at case {history.reopened}")
    assert "exercise is 1 but its history" in out


@pytest.mark.parametrize("column", ORDER_FIELDS)
def test_an_edited_order_is_found(
    history: History, copy: tuple[sqlite3.Connection, Path], column: str
) -> None:
    conn, store = copy
    conn.execute(
        f"UPDATE outbox SET {column} = {_changed(column)} WHERE rowid = "
        "(SELECT min(rowid) FROM outbox WHERE case_id = ?)",
        (history.reopened,),
    )
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert out.startswith(f"audit: BROKEN at case {history.reopened}: order "), out


def test_a_deleted_order_is_found(history: History, copy: tuple[sqlite3.Connection, Path]) -> None:
    conn, store = copy
    conn.execute("DELETE FROM outbox WHERE case_id = ?", (history.worked,))
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert "missing from the outbox" in out


def test_an_order_slipped_into_the_outbox_is_found(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    conn, store = copy
    conn.execute(
        "INSERT INTO outbox (order_id, case_id, unit, body, exercise, created_at) "
        "SELECT order_id || '-x', case_id, unit, body, exercise, created_at FROM outbox WHERE case_id = ?",
        (history.reopened,),
    )
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert "is in the outbox but in no audit row" in out


def test_an_order_moved_to_another_case_is_found(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    conn, store = copy
    conn.execute("UPDATE outbox SET case_id = ? WHERE case_id = ?", (history.reopened, history.worked))
    conn.close()
    assert verify(history, store)[0] == 1


def test_an_edit_covered_by_re_hashing_the_whole_chain_is_found_at_the_checkpoint(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    conn, store = copy
    # Move the worked case's dispatch to another unit in every place that records it, then re-hash.
    row_id, changes = conn.execute(
        "SELECT id, changes FROM audit WHERE case_id = ? AND action = 'dispatch'", (history.worked,)
    ).fetchone()
    conn.execute("UPDATE audit SET changes = ? WHERE id = ?", (changes.replace("U-CITY", "U-SAN"), row_id))
    conn.execute(
        "UPDATE audit SET payload = replace(payload, 'U-CITY', 'U-SAN') WHERE case_id = ?", (history.worked,)
    )
    conn.execute(
        "UPDATE audit SET changes = replace(changes, 'U-CITY', 'U-SAN') WHERE case_id = ?", (history.worked,)
    )
    conn.execute("UPDATE audit SET actor = 'U-SAN' WHERE actor = 'U-CITY' AND case_id = ?", (history.worked,))
    conn.execute("UPDATE cases SET unit = 'U-SAN' WHERE id = ?", (history.worked,))
    conn.execute(
        "UPDATE outbox SET unit = 'U-SAN', body = replace(body, 'U-CITY', 'U-SAN') WHERE case_id = ?",
        (history.worked,),
    )
    # The outbox rows are recorded in the audit too: copy them over as stored.
    for order_id, body in conn.execute(
        "SELECT order_id, body FROM outbox WHERE case_id = ?", (history.worked,)
    ):
        row = conn.execute(
            "SELECT id, changes FROM audit WHERE changes LIKE ?", (f'%"{order_id}"%',)
        ).fetchone()
        record = msgspec.json.decode(row[1])
        record["order"]["body"] = body
        conn.execute(
            "UPDATE audit SET changes = ? WHERE id = ?", (msgspec.json.encode(record).decode(), row[0])
        )
    rehash_from(conn, 1)
    assert audit.verify(conn).ok  # the chain and the case file agree with each other again
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert out.startswith("audit: BROKEN at row 1: row 18 is not the row the checkpoint of "), out
    assert "a row in 1–18 was changed and the chain re-hashed" in out


def _forge_void(conn: sqlite3.Connection, case_id: int, at: float) -> None:
    """Append a properly chained `void` of the case, dated `at`, and void the case row to match."""
    case = conn.execute(
        "SELECT state, version, updated_at, updated_by FROM cases WHERE id = ?", (case_id,)
    ).fetchone()
    state, version, updated_at, updated_by = case
    last_id, prev = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    changes = {"case": {"state": [state, "void"], "version": [version, version + 1],
                        "updated_at": [updated_at, at], "updated_by": [updated_by, "li"]}}  # fmt: skip
    fields = (last_id + 1, case_id, state, "void", "void", "li", "shift_lead", at, "重复", "{}", 0,
              msgspec.json.encode(changes).decode())  # fmt: skip
    conn.execute(
        "INSERT INTO audit (id, case_id, from_state, to_state, action, actor, role, at, reason, payload, "
        "exercise, changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*fields, prev, audit.row_hash(prev, fields)),
    )
    conn.execute(
        "UPDATE cases SET state = 'void', is_open = 0, version = ?, updated_at = ?, updated_by = 'li' "
        "WHERE id = ?",
        (version + 1, at, case_id),
    )


def test_a_forged_row_dated_before_the_latest_checkpoint_is_found(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    conn, store = copy
    last_at = conn.execute("SELECT max(at) FROM audit").fetchone()[0]
    _forge_void(conn, history.reopened, last_at)
    assert audit.verify(conn).ok  # consistent in itself: only the checkpoint can tell
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert out.startswith("audit: BROKEN at row 49: row 49 is dated "), out
    assert "which counted only 48 rows: it was appended afterwards" in out


def test_a_row_after_the_latest_checkpoint_is_shown_as_not_yet_signed(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    # Dated after the last checkpoint, a row is what the next checkpoint will sign; verify says how many wait.
    conn, store = copy
    last = msgspec.json.decode(history.log.read_bytes().splitlines()[-1])
    _forge_void(conn, history.reopened, last["at"] + 60)
    conn.close()
    code, out = verify(history, store)
    assert code == 0
    assert out.splitlines()[2].endswith("at row 48; 1 rows since, not yet signed")


def test_a_cut_off_tail_with_the_cases_rolled_back_is_found(
    history: History, copy: tuple[sqlite3.Connection, Path]
) -> None:
    conn, store = copy
    # Everything after the second checkpoint goes, and every table is put back as it was then.
    kept = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    conn.execute("ATTACH DATABASE ? AS old", (str(history.at_second),))
    conn.execute("PRAGMA foreign_keys = OFF")
    for table in ("outbox", "case_events", "merge_proposals", "cases"):
        conn.execute(f"DELETE FROM main.{table}")
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table}")
    conn.execute("DELETE FROM audit WHERE id > (SELECT max(id) FROM old.audit)")
    assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 34 < kept
    conn.execute("DETACH DATABASE old")
    assert audit.verify(conn).ok
    conn.close()
    code, out = verify(history, store)
    assert code == 1
    assert out.startswith("audit: BROKEN at row 35: the checkpoint of "), out
    assert "signed 48 rows but the chain has 34: rows 35–48 were removed" in out


Edit = Callable[[list[bytes]], list[bytes]]


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda lines: [lines[0], lines[2]], "does not follow the checkpoint before it"),
        (lambda lines: [lines[0], lines[1].replace(b'"rows":34', b'"rows":33'), lines[2]], "did not make"),
        (lambda lines: [lines[0], lines[1], b"{not json"], "cannot be read"),
        (lambda lines: [], "holds no checkpoint of this store"),
    ],
    ids=["a checkpoint taken out", "an edited checkpoint", "a garbled line", "an emptied log"],
)
def test_an_edited_checkpoint_log_is_found(history: History, tmp_path: Path, edit: Edit, needle: str) -> None:
    log = tmp_path / "edited.checkpoints"
    log.write_bytes(b"\n".join(edit(history.log.read_bytes().splitlines())) + b"\n")
    code, out = verify(history, history.store, log)
    assert code == 1
    assert needle in out


def test_another_key_cannot_vouch_for_the_store(history: History, tmp_path: Path) -> None:
    from dispatch.casework.records.checkpoints import generate_key

    other = tmp_path / "other.key"
    generate_key(other)
    out = io.StringIO()
    signatures = Signatures(other, history.log, True)
    assert run_audit_verify(db_path=history.store, out=out, signatures=signatures) == 1
    assert "a signature this key did not make" in out.getvalue()


def test_a_store_from_before_recorded_changes_still_verifies(history: History, tmp_path: Path) -> None:
    """Rows written before the audit recorded changes (NULL, hashed without) are checked by state and
    version, as before; rows after them must record changes."""
    store = tmp_path / "old.sqlite3"
    shutil.copy(history.store, store)
    conn = attacker_copy(history.store, store)
    conn.execute("UPDATE audit SET changes = NULL WHERE id <= 18")
    rehash_from(conn, 1)
    report = audit.verify(conn)
    assert (report.ok, report.legacy_cases) == (True, 1)
    conn.execute("UPDATE audit SET changes = NULL WHERE id = 30")
    rehash_from(conn, 30)
    report = audit.verify(conn)
    assert (report.broken_at, report.problem) == (30, "it records no changes, though the rows before it do")
    conn.close()
