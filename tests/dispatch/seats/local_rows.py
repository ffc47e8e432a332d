"""Records only one seat holds (written through SeatLoop.write or its own feed), for the snapshot tests."""

from __future__ import annotations

import sqlite3

from dispatch.casework.records import account_log

SECRET = "argon2id$v=19$m=65536,t=3,p=4$only-this-seat-knows-it"


def write_local_records(conn: sqlite3.Connection, now: float) -> None:
    """A sign-in account and its log, a unit's report in the inbox, a failed report,
    a gap of the feed, the store's checkpoint id, and an order marked as sent from this seat."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO operators (login, name, role, password_hash, active, created_at) "
        "VALUES (?, ?, ?, ?, 1, ?)",
        ("zhang.wei", "张伟", "dispatcher", SECRET, now),
    )
    account_log.record(
        conn, "zhang.wei", account_log.AccountAction.UNLOCK, by="li.na", by_role="shift_lead", at=now
    )
    conn.execute(
        "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('units', 1, '{}', ?)", (now,)
    )
    conn.execute(
        "INSERT INTO failed_items (job, item, error, failed_at, first_failed_at) "
        "VALUES ('reports', '1', 'x', ?, ?)",
        (now, now),
    )
    conn.execute(  # the feed's own bookkeeping (its readings go through the log: every replica has them)
        "INSERT INTO gaps (feed, after_seq, head, reason, at) VALUES ('city', 1, 5, 'reset', ?)", (now,)
    )
    conn.execute("INSERT OR REPLACE INTO loop_state (key, value) VALUES ('audit_store_id', 'this-seat-only')")
    conn.execute("UPDATE outbox SET sent_at = ?, attempts = 1", (now,))
    conn.execute("COMMIT")
