"""The drill's own record in the drill store: the run, every inject sent (and by whom), the verdicts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping

from dispatch.drill.evaluation import create_tables
from dispatch.drill.expectations import Verdict
from dispatch.drill.observed import EventKey
from dispatch.drill.scenario import ExpectedAction, Scenario

_DDL = """
CREATE TABLE IF NOT EXISTS drill_runs (
    id INTEGER PRIMARY KEY,
    tag TEXT NOT NULL UNIQUE,
    scenario_file TEXT NOT NULL,
    title TEXT NOT NULL,
    form TEXT NOT NULL,
    scope TEXT NOT NULL,
    speed REAL NOT NULL,
    origin REAL NOT NULL,
    headless INTEGER NOT NULL,
    ended_at REAL,
    duration_s REAL NOT NULL,
    objectives TEXT NOT NULL,
    expected TEXT NOT NULL,
    unit_kinds TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drill_events (
    run INTEGER NOT NULL REFERENCES drill_runs(id),
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    inject TEXT NOT NULL,
    PRIMARY KEY (run, source, event_id)
);
CREATE TABLE IF NOT EXISTS drill_log (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES drill_runs(id),
    scenario_s REAL NOT NULL,
    at REAL NOT NULL,
    inject TEXT NOT NULL,
    kind TEXT NOT NULL,
    how TEXT NOT NULL,
    by TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS drill_verdicts (
    run INTEGER NOT NULL REFERENCES drill_runs(id),
    expected TEXT NOT NULL,
    inject TEXT NOT NULL,
    action TEXT NOT NULL,
    objective TEXT NOT NULL,
    outcome TEXT NOT NULL,
    deadline_s REAL,
    done_at_s REAL,
    PRIMARY KEY (run, expected)
);
"""
# Who sends an inject when nobody directs by hand: the runner, on the exercise clock.
CONTROLLER = "导调程序"


class DrillRecord:
    """Writes to the drill store's drill tables on the desk's connection; each write is its own commit."""

    def __init__(self, conn: sqlite3.Connection, scenario: Scenario, tag: str, speed: float, origin: float,
                 *, headless: bool, unit_kinds: Mapping[str, str]) -> None:  # fmt: skip
        self.conn = conn
        conn.executescript(_DDL)
        create_tables(conn)  # the evaluator's notes, ratings and plan live beside the run
        objectives = json.dumps([[o.id, o.text] for o in scenario.objectives], ensure_ascii=False)
        # The expectations travel with the run, so the review judges them again from the audit alone.
        expected = json.dumps([expected_row(e) for e in scenario.expected], ensure_ascii=False)
        with conn:
            cursor = conn.execute(
                "INSERT INTO drill_runs (tag, scenario_file, title, form, scope, speed, origin, headless, "
                "duration_s, objectives, expected, unit_kinds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tag, scenario.file, scenario.title, scenario.form.value, scenario.scope.value, speed, origin,
                 int(headless), scenario.duration_s, objectives, expected, json.dumps(dict(unit_kinds))),
            )  # fmt: skip
        self.run = int(cursor.lastrowid or 0)

    def log(self, scenario_s: float, at: float, inject: str, kind: str, how: str, detail: str = "",
            by: str = CONTROLLER) -> None:  # fmt: skip
        with self.conn:
            self.conn.execute(
                "INSERT INTO drill_log (run, scenario_s, at, inject, kind, how, by, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.run, scenario_s, at, inject, kind, how, by, detail),
            )

    def event(self, key: EventKey, inject: str) -> None:
        """The drill sent (or will send) this event for this inject: the review finds its case by it."""
        with self.conn:
            self.conn.execute(
                "INSERT OR IGNORE INTO drill_events VALUES (?, ?, ?, ?)",
                (self.run, key.source, key.event_id, inject),
            )

    def finish(self, ended_at: float, verdicts: Iterable[Verdict]) -> None:
        with self.conn:
            self.conn.execute("UPDATE drill_runs SET ended_at = ? WHERE id = ?", (ended_at, self.run))
            self.conn.executemany(
                "INSERT OR REPLACE INTO drill_verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (self.run, v.expected.id, v.expected.inject, v.expected.action.value,
                     v.expected.objective, v.outcome.value, v.deadline_s, v.done_at_s)
                    for v in verdicts
                ],
            )  # fmt: skip


def expected_row(expected: ExpectedAction) -> dict[str, object]:
    return {
        "id": expected.id, "inject": expected.inject, "action": expected.action.value,
        "within_s": expected.within_s, "objective": expected.objective, "unit": expected.unit,
        "unit_kind": expected.unit_kind, "text": expected.text,
    }  # fmt: skip
