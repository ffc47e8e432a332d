"""Checking the audit chain against every signed checkpoint of its store: a re-hashed chain, a removed tail
or a row slipped in behind a checkpoint is found at the first checkpoint it contradicts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.clock import iso_utc
from dispatch.casework.checkpoint_stamp import Checkpoint
from dispatch.casework.records.audit import GENESIS
from dispatch.casework.records.checkpoints import LogLine, head, store_id

# How far the clocks of two processes writing one store may disagree. A row is never legitimately dated
# before a checkpoint that does not count it: checkpoints are made under the write lock (sign_checkpoint).
SKEW_S = 5.0


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    """Checkpoints of this store checked, the latest, rows after it (not yet signed), the first problem."""

    checkpoints: int
    latest: Checkpoint | None
    unsigned_rows: int
    line: int | None = None  # the log line of the first checkpoint that fails
    row: int | None = None  # the first row that cannot be what was signed, when it can be named
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_checkpoints(
    conn: sqlite3.Connection, lines: list[LogLine], key: Ed25519PublicKey, *, skew_s: float = SKEW_S
) -> CheckpointReport:
    """Check every line's signature and every checkpoint of this store against the chain as stored (verify
    the chain itself first: this compares stored hashes)."""
    ident = store_id(conn)
    total, _ = head(conn)
    mine: list[tuple[int, Checkpoint]] = []
    for line in lines:
        if line.checkpoint is None:
            return CheckpointReport(0, None, total, line.number, None, f"log line {line.number} cannot be "
                                    f"read: {line.error}")  # fmt: skip
        if not line.checkpoint.signed_by(key):
            return CheckpointReport(
                0, None, total, line.number, None,
                f"log line {line.number} has a signature this key did not make (forged, or another key)",
            )  # fmt: skip
        if line.checkpoint.store == ident:
            mine.append((line.number, line.checkpoint))
    if not mine:
        others = f" ({len(lines)} of other stores)" if lines else ""
        problem = f"the log holds no checkpoint of this store{others}" if total else ""
        return CheckpointReport(0, None, total, None, None, problem)
    previous: Checkpoint | None = None
    for index, (number, checkpoint) in enumerate(mine):
        problem, row = _against_chain(conn, number, checkpoint, previous, total)
        if not problem:
            following = mine[index + 1][1].rows if index + 1 < len(mine) else total
            problem, row = _dated_behind(conn, number, checkpoint, following, skew_s)
        if problem:
            return CheckpointReport(index, previous, total - (previous.rows if previous else 0), number, row,
                                    problem)  # fmt: skip
        previous = checkpoint
    latest = mine[-1][1]
    return CheckpointReport(len(mine), latest, total - latest.rows)


def describe(number: int, checkpoint: Checkpoint) -> str:
    return f"checkpoint of {iso_utc(checkpoint.at)} (log line {number}, {checkpoint.reason})"


def _against_chain(
    conn: sqlite3.Connection, number: int, checkpoint: Checkpoint, previous: Checkpoint | None, total: int
) -> tuple[str, int | None]:
    what = describe(number, checkpoint)
    if checkpoint.prev != (previous.digest() if previous is not None else ""):
        return f"the {what} does not follow the checkpoint before it: one was taken out of the log", None
    if checkpoint.rows > total:
        return (f"the {what} signed {checkpoint.rows} rows but the chain has {total}: rows {total + 1}–"
                f"{checkpoint.rows} were removed", total + 1)  # fmt: skip
    found = conn.execute("SELECT hash FROM audit WHERE id = ?", (checkpoint.rows,)).fetchone()
    stored = GENESIS if checkpoint.rows == 0 else (found[0] if found else None)
    if stored != checkpoint.head:
        since = previous.rows if previous is not None else 0
        return (f"row {checkpoint.rows} is not the row the {what} signed: a row in {since + 1}–"
                f"{checkpoint.rows} was changed and the chain re-hashed", since + 1)  # fmt: skip
    return "", None


def _dated_behind(
    conn: sqlite3.Connection, number: int, checkpoint: Checkpoint, following: int, skew_s: float
) -> tuple[str, int | None]:
    """A row after the checkpoint's count but dated before it was appended later and backdated."""
    late = conn.execute(
        "SELECT id, at FROM audit WHERE id > ? AND id <= ? AND at < ? ORDER BY id LIMIT 1",
        (checkpoint.rows, following, checkpoint.at - skew_s),
    ).fetchone()
    if late is None:
        return "", None
    return (f"row {late[0]} is dated {iso_utc(late[1])}, before the {describe(number, checkpoint)}, which "
            f"counted only {checkpoint.rows} rows: it was appended afterwards", int(late[0]))  # fmt: skip
