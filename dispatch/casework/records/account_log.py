"""The append-only record of what people did to operator accounts (a shift lead unlocking a login)."""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass

import sqlite_utils


class AccountAction(enum.StrEnum):
    """What was done to an account, as the log records it."""

    UNLOCK = "unlock"


@dataclass(frozen=True, slots=True)
class AccountEntry:
    """One row of the account log: who did what to which login, when, with a note for the reviewer."""

    id: int
    login: str
    action: AccountAction
    by: str
    by_role: str
    at: float
    detail: str


_COLUMNS = "id, login, action, by_login, by_role, at, detail"


def migrate_account_log(db: sqlite_utils.Database) -> None:
    """Schema migration: the account log, append-only like the case audit."""
    db.execute(
        "CREATE TABLE account_log (id INTEGER PRIMARY KEY, login TEXT NOT NULL, action TEXT NOT NULL, "
        "by_login TEXT NOT NULL, by_role TEXT NOT NULL, at REAL NOT NULL, detail TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX account_log_login ON account_log (login, id)")
    db.execute(
        "CREATE TRIGGER account_log_append_only_update BEFORE UPDATE ON account_log "
        "BEGIN SELECT RAISE(ABORT, 'the account log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER account_log_append_only_delete BEFORE DELETE ON account_log "
        "BEGIN SELECT RAISE(ABORT, 'the account log is append-only'); END"
    )


def record(
    conn: sqlite3.Connection,
    login: str,
    action: AccountAction,
    *,
    by: str,
    by_role: str,
    at: float,
    detail: str = "",
) -> AccountEntry:
    """Append one entry (inside the transaction that makes the change)."""
    cursor = conn.execute(
        "INSERT INTO account_log (login, action, by_login, by_role, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (login, action.value, by, by_role, at, detail),
    )
    assert cursor.lastrowid is not None
    return AccountEntry(cursor.lastrowid, login, action, by, by_role, at, detail)


def entries(conn: sqlite3.Connection, login: str | None = None) -> list[AccountEntry]:
    """The log, oldest first; only the entries about `login` when given."""
    where, args = ("WHERE login = ?", (login,)) if login is not None else ("", ())
    rows = conn.execute(f"SELECT {_COLUMNS} FROM account_log {where} ORDER BY id", args).fetchall()
    return [
        AccountEntry(int(i), str(who), AccountAction(action), str(by), str(role), float(at), str(detail))
        for i, who, action, by, role, at, detail in rows
    ]
