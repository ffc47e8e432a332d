"""Local operator accounts: who may sign in at the console, with Argon2id password hashes."""

from __future__ import annotations

import enum
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dispatch.casework.model import Actor, Role
from dispatch.casework.records import account_log
from dispatch.casework.records.account_log import AccountAction
from dispatch.store.write_gate import gate_for

# People at the console. Units answer through reports and the system acts by itself: neither signs in.
CONSOLE_ROLES = frozenset(
    {Role.INTAKE, Role.SHIFT_LEAD, Role.DISPATCHER, Role.SUPERVISOR, Role.SUPERVISION, Role.VIEWER}
)
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")

# argon2-cffi's defaults are RFC 9106's second recommended profile (Argon2id, t=3, 64 MiB, p=4).
HASHER = PasswordHasher()

DEMO_PASSWORD = "tianshu-demo"
_DEMO_KEY = "demo_operators"
# The demo city's duty room: one account per console role, all with DEMO_PASSWORD.
DEMO_OPERATORS: tuple[tuple[str, str, Role], ...] = (
    ("lead", "李明", Role.SHIFT_LEAD),
    ("dispatch", "王芳", Role.DISPATCHER),
    ("intake", "张伟", Role.INTAKE),
    ("field", "刘洋", Role.SUPERVISOR),
    ("super", "陈静", Role.SUPERVISION),
    ("watch", "大屏", Role.VIEWER),
)


class AccountProblem(enum.StrEnum):
    """Why an account operation was refused; the CLI and widgets turn these into words."""

    BAD_LOGIN = "bad_login"
    LOGIN_TAKEN = "login_taken"
    UNKNOWN_LOGIN = "unknown_login"
    BAD_NAME = "bad_name"
    BAD_ROLE = "bad_role"
    PASSWORD_TOO_SHORT = "password_too_short"
    NOT_A_SHIFT_LEAD = "not_a_shift_lead"


# Guessing passwords at the console: after this many failures in a row a login waits, 30 s at first,
# doubling with every further failure up to 15 minutes. Unknown logins are throttled the same way, so the
# wait does not tell which logins exist; rows a day old are forgotten.
THROTTLE_AFTER = 5
THROTTLE_FIRST_S = 30.0
THROTTLE_CAP_S = 900.0
THROTTLE_FORGET_S = 86_400.0


class SignInThrottled(Exception):
    """Too many failed sign-ins for this login: no password is checked until `until` (epoch seconds)."""

    def __init__(self, login: str, until: float) -> None:
        super().__init__(f"too many failed sign-ins for {login!r}; try again after {until:.0f}")
        self.login = login
        self.until = until


class AccountError(Exception):
    """An account operation that was refused, with its code and a detail for logs and the CLI."""

    def __init__(self, code: AccountProblem, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Operator:
    """An account as listed (never with its hash)."""

    login: str
    name: str
    role: Role
    active: bool
    created_at: float
    demo: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.login, self.role, self.name)


def normalise_login(login: str) -> str:
    return login.strip().lower()


def check_login(login: str) -> str:
    """The login as stored, or AccountError: 2–32 of a–z, 0–9, dot, dash, underscore."""
    value = normalise_login(login)
    if not _LOGIN.fullmatch(value):
        raise AccountError(
            AccountProblem.BAD_LOGIN,
            f"login {login!r} must be 2–32 characters: letters a–z, digits, '.', '-' or '_'",
        )
    return value


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            AccountProblem.PASSWORD_TOO_SHORT,
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
        )


def check_role(role: Role) -> None:
    if role not in CONSOLE_ROLES:
        allowed = ", ".join(sorted(r.value for r in CONSOLE_ROLES))
        raise AccountError(
            AccountProblem.BAD_ROLE, f"role {role.value} does not sign in at the console (use: {allowed})"
        )


def create_operator(
    conn: sqlite3.Connection,
    login: str,
    name: str,
    role: Role,
    password: str,
    *,
    now: float,
    hasher: PasswordHasher = HASHER,
) -> Operator:
    """Add an active account; AccountError when the login, name, role or password is not acceptable."""
    value = check_login(login)
    clean_name = name.strip()
    if not clean_name or len(clean_name) > MAX_NAME_LENGTH:
        raise AccountError(AccountProblem.BAD_NAME, f"the name must have 1–{MAX_NAME_LENGTH} characters")
    check_role(role)
    check_password(password)
    digest = hasher.hash(password)
    try:
        conn.execute(
            "INSERT INTO operators (login, name, role, password_hash, active, created_at) "
            "VALUES (?, ?, ?, ?, 1, ?)",
            (value, clean_name, role.value, digest, now),
        )
    except sqlite3.IntegrityError:
        raise AccountError(AccountProblem.LOGIN_TAKEN, f"login {value!r} is already taken") from None
    return Operator(value, clean_name, role, True, now)


_dummy_hashes: dict[tuple[object, ...], str] = {}


def _hasher_key(hasher: PasswordHasher) -> tuple[object, ...]:
    return (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.type)


def prepare_sign_in(hasher: PasswordHasher = HASHER) -> None:
    """Make the hash an unknown login is checked against, before the first attempt (one Argon2 run).

    Made lazily, the first unknown login of a process would pay for it and take twice as long as a known
    one, which tells an observer that the login does not exist. The console calls this at start.
    """
    key = _hasher_key(hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(secrets.token_urlsafe(16))


def sign_in_prepared(hasher: PasswordHasher = HASHER) -> bool:
    """Whether an unknown login already costs exactly one verification with these parameters."""
    return _hasher_key(hasher) in _dummy_hashes


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with the hasher's parameters, so an unknown login costs as much time as a known one."""
    prepare_sign_in(hasher)
    return _dummy_hashes[_hasher_key(hasher)]


def authenticate(
    conn: sqlite3.Connection,
    login: str,
    password: str,
    *,
    hasher: PasswordHasher = HASHER,
    allow_demo: bool = False,
    now: float | None = None,
) -> Actor | None:
    """The actor for these credentials, or None, saying nothing about which part was wrong; raises
    SignInThrottled while the login is waiting out its failures (see THROTTLE_AFTER).

    The attempt is counted as a failure before its password is checked, in one write transaction with the
    check of the count, so attempts running in parallel (other processes included) never check more
    passwords than the limit allows; a success clears the count again. Every attempt runs one full
    Argon2 verification, also for unknown and disabled logins, so the time taken does not tell them
    apart (call prepare_sign_in at start). Demo accounts sign in only when `allow_demo` (the demo city).
    A hash made with older parameters is replaced after a successful check.
    """
    value = _attempt_key(login)
    now = time.time() if now is None else now
    _claim_attempt(conn, value, now)
    actor = _verify(conn, value, password, hasher, allow_demo)
    if actor is not None:
        with _write(conn):
            conn.execute("DELETE FROM sign_in_failures WHERE login = ?", (value,))
    return actor


_MAX_ATTEMPT_KEY = 64


def _attempt_key(login: str) -> str:
    """The login as the failure count knows it. Made-up logins (too long, not valid Unicode) are still
    throttled, under a storable stand-in that no real login equals."""
    value = normalise_login(login)[:_MAX_ATTEMPT_KEY]
    return value.encode("utf-8", "replace").decode("utf-8")


@contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT (or join the caller's transaction): the write lock is taken before the
    read, so another process cannot read the same count in between."""
    if conn.in_transaction:
        yield
        return
    with gate_for(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _claim_attempt(conn: sqlite3.Connection, login: str, now: float) -> None:
    """Count one more failure for `login` now, or raise SignInThrottled without counting anything.

    The count reaching THROTTLE_AFTER starts the wait at once, so attempts still being checked in other
    processes are the only ones that get through: at most THROTTLE_AFTER in a row.
    """
    with _write(conn):
        conn.execute("DELETE FROM sign_in_failures WHERE last_at < ?", (now - THROTTLE_FORGET_S,))
        row = conn.execute(
            "SELECT failures, locked_until FROM sign_in_failures WHERE login = ?", (login,)
        ).fetchone()
        if row is not None and float(row[1]) > now:
            raise SignInThrottled(login, float(row[1]))
        failures = (int(row[0]) if row else 0) + 1
        locked_until = now
        if failures >= THROTTLE_AFTER:
            locked_until = now + min(
                THROTTLE_CAP_S, THROTTLE_FIRST_S * 2 ** min(failures - THROTTLE_AFTER, 30)
            )
        conn.execute(
            "INSERT INTO sign_in_failures (login, failures, last_at, locked_until) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (login) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, "
            "locked_until = excluded.locked_until",
            (login, failures, now, locked_until),
        )


def _verify(
    conn: sqlite3.Connection, value: str, password: str, hasher: PasswordHasher, allow_demo: bool
) -> Actor | None:
    row = conn.execute(
        "SELECT name, role, password_hash, active FROM operators WHERE login = ?", (value,)
    ).fetchone()
    stored = str(row[2]) if row is not None else _dummy_hash(hasher)
    try:
        # As bytes: a password that is not valid UTF-8 (a lone surrogate) is wrong, not an error.
        hasher.verify(stored, password.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row[3] or row[1] not in {r.value for r in CONSOLE_ROLES}:
        return None
    if not allow_demo and value in demo_logins(conn):
        return None
    if hasher.check_needs_rehash(stored):
        conn.execute(
            "UPDATE operators SET password_hash = ? WHERE login = ? AND password_hash = ?",
            (hasher.hash(password), value, stored),
        )
    return Actor(value, Role(row[1]), str(row[0]))


# The wall screen (大屏) signs in with this role: it may look at everything and change nothing.
WALL_ROLE = Role.VIEWER


class WallTokenRefused(enum.StrEnum):
    """Why a wall token was not accepted."""

    WRONG = "wrong"  # no such active account, or not its secret (which of the two is not said)
    NOT_A_WALL = "not_a_wall"  # the secret is right, but the account's role can act on cases


def check_wall_token(
    conn: sqlite3.Connection, login: str, secret: str, *, hasher: PasswordHasher = HASHER
) -> Actor | WallTokenRefused:
    """The wall's actor for a wall token (an account of WALL_ROLE and its password), read-only.

    The wall reads the store through a connection that cannot write: nothing is counted or rehashed
    here. A token is a file on the wall's machine, not a password typed at a keyboard, so there is no
    guessing to throttle; demo accounts are accepted (the demo's 大屏 is one), as on the demo city.
    """
    value = normalise_login(login)
    row = conn.execute(
        "SELECT name, role, password_hash, active FROM operators WHERE login = ?", (value,)
    ).fetchone()
    stored = str(row[2]) if row is not None else _dummy_hash(hasher)
    try:
        hasher.verify(stored, secret.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return WallTokenRefused.WRONG
    if row is None or not row[3]:
        return WallTokenRefused.WRONG
    if row[1] != WALL_ROLE.value:
        return WallTokenRefused.NOT_A_WALL
    return Actor(value, WALL_ROLE, str(row[0]))


def set_password(
    conn: sqlite3.Connection, login: str, password: str, *, hasher: PasswordHasher = HASHER
) -> None:
    check_password(password)
    value = normalise_login(login)
    cursor = conn.execute(
        "UPDATE operators SET password_hash = ? WHERE login = ?", (hasher.hash(password), value)
    )
    if cursor.rowcount == 0:
        raise AccountError(AccountProblem.UNKNOWN_LOGIN, f"there is no operator {value!r}")


def deactivate(conn: sqlite3.Connection, login: str) -> None:
    """Stop an account from signing in; it stays listed because the audit names it."""
    value = normalise_login(login)
    cursor = conn.execute("UPDATE operators SET active = 0 WHERE login = ?", (value,))
    if cursor.rowcount == 0:
        raise AccountError(AccountProblem.UNKNOWN_LOGIN, f"there is no operator {value!r}")


def unlock(conn: sqlite3.Connection, login: str, *, by: str, now: float, note: str = "") -> float | None:
    """Let `login` sign in again at once, for the shift lead `by` (an active shift-lead account); the
    account log records who did it. Returns until when the login was waiting (None: it was not).

    Five wrong guesses by anyone make a login wait up to 15 minutes, the shift lead's included: another
    lead, or the lead at a terminal, ends the wait instead of the whole room waiting it out.
    """
    value = normalise_login(login)
    lead = normalise_login(by)
    with _write(conn):
        row = conn.execute("SELECT role, active FROM operators WHERE login = ?", (lead,)).fetchone()
        if row is None or not row[1] or row[0] != Role.SHIFT_LEAD.value:
            raise AccountError(
                AccountProblem.NOT_A_SHIFT_LEAD, f"{lead!r} is not an active shift lead account"
            )
        if conn.execute("SELECT 1 FROM operators WHERE login = ?", (value,)).fetchone() is None:
            raise AccountError(AccountProblem.UNKNOWN_LOGIN, f"there is no operator {value!r}")
        waiting = conn.execute(
            "SELECT locked_until FROM sign_in_failures WHERE login = ? AND locked_until > ?", (value, now)
        ).fetchone()
        conn.execute("DELETE FROM sign_in_failures WHERE login = ?", (value,))
        until = None if waiting is None else float(waiting[0])
        state = "was not waiting" if until is None else f"was waiting until {until:.0f}"
        detail = f"{state}; {note}" if note else state
        account_log.record(
            conn, value, AccountAction.UNLOCK, by=lead, by_role=Role.SHIFT_LEAD.value, at=now, detail=detail
        )
    return until


def waiting_logins(conn: sqlite3.Connection, now: float) -> dict[str, float]:
    """Logins that may not sign in before the time given (failed sign-ins), by login."""
    rows = conn.execute(
        "SELECT login, locked_until FROM sign_in_failures WHERE locked_until > ?", (now,)
    ).fetchall()
    return {str(login): float(until) for login, until in rows}


def list_operators(conn: sqlite3.Connection) -> list[Operator]:
    demo = demo_logins(conn)
    rows = conn.execute(
        "SELECT login, name, role, active, created_at FROM operators ORDER BY login"
    ).fetchall()
    return [
        Operator(str(login), str(name), Role(role), bool(active), float(created), str(login) in demo)
        for login, name, role, active, created in rows
    ]


def demo_logins(conn: sqlite3.Connection) -> frozenset[str]:
    """The logins seed_demo_operators created in this store."""
    row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (_DEMO_KEY,)).fetchone()
    return frozenset(json.loads(row[0])) if row is not None else frozenset()


def seed_demo_operators(
    conn: sqlite3.Connection, *, now: float, hasher: PasswordHasher = HASHER
) -> list[Operator]:
    """The demo accounts of this store, creating them when it has no account at all yet.

    Only the demo city calls this. The logins are recorded so that `authenticate` refuses them on a
    real feed, even if the same store file is later opened there.
    """
    if conn.execute("SELECT 1 FROM operators LIMIT 1").fetchone() is None:
        # Hash before taking the write lock: six Argon2 runs would otherwise hold up intake.
        digests = [hasher.hash(DEMO_PASSWORD) for _ in DEMO_OPERATORS]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM operators LIMIT 1").fetchone() is None:
                conn.executemany(
                    "INSERT INTO operators (login, name, role, password_hash, active, created_at) "
                    "VALUES (?, ?, ?, ?, 1, ?)",
                    [
                        (login, name, role.value, digest, now)
                        for (login, name, role), digest in zip(DEMO_OPERATORS, digests, strict=True)
                    ],
                )
                conn.execute(
                    "INSERT OR REPLACE INTO loop_state (key, value) VALUES (?, ?)",
                    (_DEMO_KEY, json.dumps([login for login, _, _ in DEMO_OPERATORS])),
                )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    order = [login for login, _, _ in DEMO_OPERATORS]
    demo = [op for op in list_operators(conn) if op.demo and op.active]
    return sorted(demo, key=lambda op: order.index(op.login) if op.login in order else len(order))
