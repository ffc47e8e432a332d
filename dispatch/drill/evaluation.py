"""The evaluator's record of a drill in its store: notes on injects and cases, objective ratings, the plan."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence

from dispatch.drill.evaluation_model import (
    MAX_CELL,
    MAX_NOTE,
    RATINGS,
    Evaluation,
    EvaluationError,
    Note,
    ObjectiveRating,
    PlanRow,
)
from dispatch.drill.review_model import Rating

_DDL = """
CREATE TABLE IF NOT EXISTS drill_notes (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    scenario_s REAL NOT NULL,
    at REAL NOT NULL,
    inject TEXT NOT NULL DEFAULT '',
    case_code TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drill_ratings (
    run INTEGER NOT NULL,
    objective TEXT NOT NULL,
    rating TEXT NOT NULL,
    by TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (run, objective)
);
CREATE TABLE IF NOT EXISTS drill_plan (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    position INTEGER NOT NULL,
    action TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    due TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    at REAL NOT NULL
);
"""


def create_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(_DDL)


def add_note(conn: sqlite3.Connection, run: int, note: Note) -> Note:
    """Keep one note (its text trimmed); EvaluationError for an empty or overlong one."""
    text = note.text.strip()
    if not text:
        raise EvaluationError("a note needs some text")
    if len(text) > MAX_NOTE:
        raise EvaluationError(f"a note is at most {MAX_NOTE} characters")
    create_tables(conn)
    with conn:
        conn.execute(
            "INSERT INTO drill_notes (run, scenario_s, at, inject, case_code, by, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run, note.scenario_s, note.at, note.inject, note.case_code, note.by, text),
        )
    return Note(note.scenario_s, note.at, note.by, text, note.inject, note.case_code)


def rate(conn: sqlite3.Connection, run: int, rating: ObjectiveRating) -> None:
    """The evaluator's rating of one objective; a later one replaces it."""
    if rating.rating not in RATINGS:
        raise EvaluationError(f"{rating.rating.value!r} is not a rating (P, S, M or U)")
    create_tables(conn)
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO drill_ratings (run, objective, rating, by, at) VALUES (?, ?, ?, ?, ?)",
            (run, rating.objective, rating.rating.value, rating.by, rating.at),
        )


def save_plan(
    conn: sqlite3.Connection, run: int, rows: Sequence[PlanRow], by: str, at: float
) -> tuple[PlanRow, ...]:
    """The improvement plan as the evaluator left it, whole (rows without an action are dropped)."""
    kept = tuple(
        PlanRow(row.action.strip(), row.owner.strip(), row.due.strip()) for row in rows if row.action.strip()
    )
    for row in kept:
        if max(len(row.action), len(row.owner), len(row.due)) > MAX_CELL:
            raise EvaluationError(f"a plan cell is at most {MAX_CELL} characters")
    create_tables(conn)
    with _transaction(conn):
        conn.execute("DELETE FROM drill_plan WHERE run = ?", (run,))
        conn.executemany(
            "INSERT INTO drill_plan (run, position, action, owner, due, by, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run, n, row.action, row.owner, row.due, by, at) for n, row in enumerate(kept)],
        )
    return kept


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction, also on autocommit connections: the plan is replaced whole or not at all."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read_evaluation(conn: sqlite3.Connection, run: int) -> Evaluation:
    """What the evaluator recorded for `run` (nothing, in a store from before evaluations were kept)."""
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"drill_notes", "drill_ratings", "drill_plan"} <= tables:
        return Evaluation()
    notes = tuple(
        Note(float(s), float(at), str(by), str(text), str(inject), str(case))
        for s, at, inject, case, by, text in conn.execute(
            "SELECT scenario_s, at, inject, case_code, by, text FROM drill_notes WHERE run = ? ORDER BY id",
            (run,),
        )
    )
    ratings: list[ObjectiveRating] = []
    for objective, value, by, at in conn.execute(
        "SELECT objective, rating, by, at FROM drill_ratings WHERE run = ? ORDER BY objective", (run,)
    ):
        try:
            ratings.append(ObjectiveRating(str(objective), Rating(str(value)), str(by), float(at)))
        except ValueError:
            continue  # a hand-edited store: an unknown rating is not shown as one
    plan = tuple(
        PlanRow(str(action), str(owner), str(due))
        for action, owner, due in conn.execute(
            "SELECT action, owner, due FROM drill_plan WHERE run = ? ORDER BY position", (run,)
        )
    )
    return Evaluation(notes, tuple(ratings), plan)
