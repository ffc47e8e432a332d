"""Schema migration 2: cases, their events, the hash-chained audit, the order outbox, operators, handovers."""

from __future__ import annotations

import sqlite3

import sqlite_utils

_DDL = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    is_open INTEGER NOT NULL,
    version INTEGER NOT NULL,
    exercise INTEGER NOT NULL DEFAULT 0,
    category TEXT NOT NULL,
    severity INTEGER NOT NULL,
    urgency TEXT NOT NULL,
    area TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    lon REAL,
    lat REAL,
    district TEXT NOT NULL DEFAULT '',
    grid TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    camera_id TEXT NOT NULL DEFAULT '',
    discovered_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    updated_by TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    master_id INTEGER REFERENCES cases(id),
    register_due REAL,
    sign_due REAL,
    handle_due REAL,
    check_due REAL,
    handle_unit TEXT NOT NULL DEFAULT '',
    handle_budget_s REAL,
    light_at REAL,
    yellow_at REAL,
    red_at REAL,
    card INTEGER NOT NULL DEFAULT 0,
    manual_card INTEGER NOT NULL DEFAULT 0,
    parked_since REAL,
    handle_remaining_s REAL,
    extension_pending REAL NOT NULL DEFAULT 0,
    resume_state TEXT,
    rework_count INTEGER NOT NULL DEFAULT 0,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    return_count INTEGER NOT NULL DEFAULT 0,
    events_count INTEGER NOT NULL DEFAULT 1,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    verified INTEGER NOT NULL DEFAULT 0
);
-- The queue's default page: open cases, most severe first, newest first.
CREATE INDEX cases_queue ON cases (is_open, exercise, severity, discovered_at DESC);
CREATE INDEX cases_due ON cases (is_open, exercise, handle_due);
CREATE INDEX cases_discovered ON cases (exercise, discovered_at);
CREATE INDEX cases_duplicates ON cases (category, discovered_at) WHERE is_open = 1;
CREATE INDEX cases_timers ON cases (exercise, light_at) WHERE is_open = 1 AND light_at IS NOT NULL;

CREATE TABLE case_events (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_row INTEGER NOT NULL,
    linked_at REAL NOT NULL,
    via_case INTEGER,
    PRIMARY KEY (case_id, source, event_id)
) WITHOUT ROWID;
CREATE INDEX case_events_event ON case_events (source, event_id);

-- Full-text search over title, description, address and code, tokenised by dispatch.casework.search
-- (CJK bigrams and whole ASCII words), kept in step by the desk. Contentless: the text lives in cases.
CREATE VIRTUAL TABLE cases_fts USING fts5 (terms, content = '', tokenize = 'unicode61');

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    at REAL NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    exercise INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_id, id);
CREATE INDEX audit_at ON audit (exercise, at);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;

CREATE TABLE outbox (
    order_id TEXT PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    unit TEXT NOT NULL,
    body TEXT NOT NULL,
    exercise INTEGER NOT NULL,
    created_at REAL NOT NULL,
    sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    acked_at REAL
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE acked_at IS NULL;
-- Numbering a case's orders and finding its current one must not scan a million orders.
CREATE INDEX outbox_case ON outbox (case_id, created_at);

CREATE TABLE unit_reports (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    seq INTEGER,
    order_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    action TEXT NOT NULL,
    at REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    photos TEXT NOT NULL DEFAULT '[]',
    received_at REAL NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    -- The unit is part of a report's identity: a stray report from another unit must not shadow it.
    UNIQUE (order_id, unit, action, at)
);

-- Unit reports as they arrived on the feed, committed with the feed cursor; the desk applies them in order.
CREATE TABLE report_inbox (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    received_at REAL NOT NULL
);

CREATE TABLE merge_proposals (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    candidate_id INTEGER NOT NULL REFERENCES cases(id),
    distance_m REAL NOT NULL,
    gap_s REAL NOT NULL,
    created_at REAL NOT NULL,
    dismissed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, candidate_id)
) WITHOUT ROWID;
CREATE INDEX merge_proposals_candidate ON merge_proposals (candidate_id);

CREATE TABLE operators (
    login TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);

CREATE TABLE handovers (
    id INTEGER PRIMARY KEY,
    shift_start REAL NOT NULL,
    shift_end REAL NOT NULL,
    author TEXT NOT NULL,
    note TEXT NOT NULL,
    open_cases TEXT NOT NULL,
    created_at REAL NOT NULL,
    received_by TEXT,
    received_at REAL
);

-- Small durable cursors and counters of the loop (e.g. the last event row turned into cases).
CREATE TABLE loop_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def migrate_closed_loop(db: sqlite_utils.Database) -> None:
    """Create the closed-loop tables (runs inside the migration transaction)."""
    for statement in _statements(_DDL):
        db.execute(statement)


def migrate_sign_in_throttle(db: sqlite_utils.Database) -> None:
    """Schema migration 3: failed sign-ins per attempted login, for the back-off (accounts.authenticate)."""
    db.execute(
        "CREATE TABLE sign_in_failures (login TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
        "last_at REAL NOT NULL, locked_until REAL NOT NULL)"
    )


def migrate_audit_changes(db: sqlite_utils.Database) -> None:
    """Schema migration: each audit row records the case columns and the order it changed (rows from
    before keep NULL and are hashed without it), and a handover keeps the signed checkpoint made with it."""
    db.execute("ALTER TABLE audit ADD COLUMN changes TEXT")
    db.execute("ALTER TABLE handovers ADD COLUMN checkpoint TEXT")


def _statements(ddl: str) -> list[str]:
    """Split the DDL into statements (sqlite3 knows where a trigger body ends; executescript would commit)."""
    out: list[str] = []
    current = ""
    for line in ddl.splitlines(keepends=True):
        if line.startswith("--"):
            continue
        current += line
        if current.strip() and sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out
