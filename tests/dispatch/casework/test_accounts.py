"""Operator accounts: Argon2id hashes, refusals that do not say which part was wrong, rehash, demo seeding."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from dispatch.casework.model import Actor, Role
from dispatch.casework.records import account_log
from dispatch.casework.records.account_log import AccountAction
from dispatch.casework.records.accounts import (
    DEMO_OPERATORS,
    DEMO_PASSWORD,
    THROTTLE_AFTER,
    AccountError,
    AccountProblem,
    SignInThrottled,
    authenticate,
    create_operator,
    deactivate,
    demo_logins,
    list_operators,
    prepare_sign_in,
    seed_demo_operators,
    set_password,
    sign_in_prepared,
    unlock,
    waiting_logins,
)
from dispatch.store.database import open_store

# Cheap parameters keep the file fast; the production hasher is checked once below.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
STRONGER = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
NOW = 1_767_225_600.0


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = open_store(tmp_path / "store.sqlite3")
    yield db.conn
    db.close()


def test_a_created_operator_signs_in_with_the_right_password_only(conn: sqlite3.Connection) -> None:
    create_operator(conn, "Li.Ming", " 李明 ", Role.SHIFT_LEAD, "correct horse", now=NOW, hasher=FAST)
    stored = conn.execute("SELECT login, name, password_hash FROM operators").fetchone()
    assert stored[0] == "li.ming"
    assert stored[1] == "李明"
    assert stored[2].startswith("$argon2id$")
    assert "correct horse" not in stored[2]

    assert authenticate(conn, "li.ming", "correct horse", hasher=FAST) == Actor(
        "li.ming", Role.SHIFT_LEAD, "李明"
    )
    assert authenticate(conn, " LI.MING ", "correct horse", hasher=FAST) is not None
    assert authenticate(conn, "li.ming", "correct horsE", hasher=FAST) is None
    assert authenticate(conn, "li.ming", "", hasher=FAST) is None


def test_an_unknown_login_runs_a_full_verification_and_is_refused(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    original = PasswordHasher.verify

    def spy(self: PasswordHasher, digest: str, password: str) -> bool:
        verified.append(digest)
        return original(self, digest, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    assert authenticate(conn, "nobody", "whatever-it-is", hasher=FAST) is None
    assert len(verified) == 1
    assert verified[0].startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_a_deactivated_operator_cannot_sign_in_but_stays_listed(conn: sqlite3.Connection) -> None:
    create_operator(conn, "wang", "王芳", Role.DISPATCHER, "dispatch-1", now=NOW, hasher=FAST)
    deactivate(conn, "wang")
    assert authenticate(conn, "wang", "dispatch-1", hasher=FAST) is None
    [listed] = list_operators(conn)
    assert (listed.login, listed.active, listed.role) == ("wang", False, Role.DISPATCHER)
    with pytest.raises(AccountError) as error:
        deactivate(conn, "ghost")
    assert error.value.code is AccountProblem.UNKNOWN_LOGIN


def test_a_hash_with_old_parameters_is_replaced_on_sign_in(conn: sqlite3.Connection) -> None:
    create_operator(conn, "zhang", "张伟", Role.INTAKE, "intake-pass", now=NOW, hasher=FAST)
    before = conn.execute("SELECT password_hash FROM operators").fetchone()[0]
    assert authenticate(conn, "zhang", "intake-pass", hasher=STRONGER) is not None
    after = conn.execute("SELECT password_hash FROM operators").fetchone()[0]
    assert after != before
    assert "m=16,t=2,p=1" in after
    assert authenticate(conn, "zhang", "intake-pass", hasher=STRONGER) is not None
    assert conn.execute("SELECT password_hash FROM operators").fetchone()[0] == after
    # A wrong password never rewrites the hash.
    assert authenticate(conn, "zhang", "wrong-pass", hasher=FAST) is None
    assert conn.execute("SELECT password_hash FROM operators").fetchone()[0] == after


def test_the_production_hasher_is_argon2id(conn: sqlite3.Connection) -> None:
    create_operator(conn, "chen", "陈静", Role.SUPERVISION, "supervise!", now=NOW)
    digest = conn.execute("SELECT password_hash FROM operators").fetchone()[0]
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert authenticate(conn, "chen", "supervise!") == Actor("chen", Role.SUPERVISION, "陈静")


@pytest.mark.parametrize(
    ("login", "name", "role", "password", "problem"),
    [
        ("a", "名", Role.INTAKE, "long-enough", AccountProblem.BAD_LOGIN),
        ("has space", "名", Role.INTAKE, "long-enough", AccountProblem.BAD_LOGIN),
        ("ok", "  ", Role.INTAKE, "long-enough", AccountProblem.BAD_NAME),
        ("ok", "名", Role.UNIT, "long-enough", AccountProblem.BAD_ROLE),
        ("ok", "名", Role.SYSTEM, "long-enough", AccountProblem.BAD_ROLE),
        ("ok", "名", Role.INTAKE, "7chars!", AccountProblem.PASSWORD_TOO_SHORT),
    ],
)
def test_bad_accounts_are_refused_with_a_code(
    conn: sqlite3.Connection, login: str, name: str, role: Role, password: str, problem: AccountProblem
) -> None:
    with pytest.raises(AccountError) as error:
        create_operator(conn, login, name, role, password, now=NOW, hasher=FAST)
    assert error.value.code is problem
    assert conn.execute("SELECT count(*) FROM operators").fetchone()[0] == 0


def test_a_login_is_taken_once(conn: sqlite3.Connection) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "password-1", now=NOW, hasher=FAST)
    with pytest.raises(AccountError) as error:
        create_operator(conn, "LI", "另一个", Role.VIEWER, "password-2", now=NOW, hasher=FAST)
    assert error.value.code is AccountProblem.LOGIN_TAKEN


def test_set_password_replaces_the_old_one(conn: sqlite3.Connection) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "password-1", now=NOW, hasher=FAST)
    with pytest.raises(AccountError) as short:
        set_password(conn, "li", "short", hasher=FAST)
    assert short.value.code is AccountProblem.PASSWORD_TOO_SHORT
    set_password(conn, "li", "password-2", hasher=FAST)
    assert authenticate(conn, "li", "password-1", hasher=FAST) is None
    assert authenticate(conn, "li", "password-2", hasher=FAST) is not None
    with pytest.raises(AccountError) as unknown:
        set_password(conn, "ghost", "password-3", hasher=FAST)
    assert unknown.value.code is AccountProblem.UNKNOWN_LOGIN


def test_demo_accounts_are_seeded_into_an_empty_store_and_sign_in_only_in_the_demo(
    conn: sqlite3.Connection,
) -> None:
    seeded = seed_demo_operators(conn, now=NOW, hasher=FAST)
    assert [(op.login, op.role) for op in seeded] == [(login, role) for login, _, role in DEMO_OPERATORS]
    assert all(op.demo for op in seeded)
    assert demo_logins(conn) == {login for login, _, _ in DEMO_OPERATORS}
    lead = authenticate(conn, "lead", DEMO_PASSWORD, hasher=FAST, allow_demo=True)
    assert lead is not None
    assert lead.role is Role.SHIFT_LEAD
    # The same store opened on a real feed: the well-known demo password opens nothing.
    assert authenticate(conn, "lead", DEMO_PASSWORD, hasher=FAST) is None
    # Seeding again changes nothing.
    assert seed_demo_operators(conn, now=NOW + 60, hasher=FAST) == seeded


def test_a_store_with_real_accounts_gets_no_demo_accounts(conn: sqlite3.Connection) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "password-1", now=NOW, hasher=FAST)
    assert seed_demo_operators(conn, now=NOW, hasher=FAST) == []
    assert [op.login for op in list_operators(conn)] == ["li"]
    assert authenticate(conn, "lead", DEMO_PASSWORD, hasher=FAST, allow_demo=True) is None
    assert authenticate(conn, "li", "password-1", hasher=FAST) is not None


def test_repeated_failures_make_a_login_wait_longer_each_time_and_success_resets(
    conn: sqlite3.Connection,
) -> None:
    create_operator(conn, "wang", "王芳", Role.DISPATCHER, "right-pass-1", now=NOW, hasher=FAST)
    for n in range(THROTTLE_AFTER):
        assert authenticate(conn, "wang", f"guess-{n}", hasher=FAST, now=NOW + n) is None
    last = NOW + THROTTLE_AFTER - 1
    # Even the right password is not checked while the login waits.
    with pytest.raises(SignInThrottled) as waiting:
        authenticate(conn, "wang", "right-pass-1", hasher=FAST, now=last + 10)
    assert waiting.value.until == last + 30
    assert authenticate(conn, "wang", "guess-again", hasher=FAST, now=last + 30) is None
    with pytest.raises(SignInThrottled) as longer:
        authenticate(conn, "wang", "right-pass-1", hasher=FAST, now=last + 31)
    assert longer.value.until == last + 30 + 60
    assert authenticate(conn, "wang", "right-pass-1", hasher=FAST, now=last + 90) is not None
    # A success clears the count: the next mistake does not lock at once.
    assert authenticate(conn, "wang", "typo", hasher=FAST, now=last + 91) is None
    assert authenticate(conn, "wang", "right-pass-1", hasher=FAST, now=last + 92) is not None


def test_unknown_logins_are_throttled_like_real_ones_and_other_logins_are_not(
    conn: sqlite3.Connection,
) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "lead-pass-1", now=NOW, hasher=FAST)
    for n in range(THROTTLE_AFTER):
        assert authenticate(conn, "ghost", "x" * 8, hasher=FAST, now=NOW + n) is None
    with pytest.raises(SignInThrottled):
        authenticate(conn, "ghost", "x" * 8, hasher=FAST, now=NOW + THROTTLE_AFTER)
    assert authenticate(conn, "li", "lead-pass-1", hasher=FAST, now=NOW + THROTTLE_AFTER) is not None


def test_the_dummy_hash_is_made_before_the_first_attempt_so_unknown_and_known_logins_cost_the_same(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parameters no other test uses, so nothing has prepared them in this process yet.
    fresh = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=21)
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "lead-pass-1", now=NOW, hasher=fresh)
    assert not sign_in_prepared(fresh)
    prepare_sign_in(fresh)
    assert sign_in_prepared(fresh)

    work: list[str] = []
    original_hash, original_verify = PasswordHasher.hash, PasswordHasher.verify

    def spy_hash(self: PasswordHasher, password: str | bytes, *, salt: bytes | None = None) -> str:
        work.append("hash")
        return original_hash(self, password, salt=salt)

    def spy_verify(self: PasswordHasher, digest: str | bytes, password: str | bytes) -> bool:
        work.append("verify")
        return original_verify(self, digest, password)

    monkeypatch.setattr(PasswordHasher, "hash", spy_hash)
    monkeypatch.setattr(PasswordHasher, "verify", spy_verify)
    # The first unknown login after start does what a known login does: one verification, no hashing.
    assert authenticate(conn, "ghost", "lead-pass-1", hasher=fresh, now=NOW) is None
    assert work == ["verify"]
    assert authenticate(conn, "li", "not-the-pass", hasher=fresh, now=NOW) is None
    assert work == ["verify", "verify"]


def test_a_password_that_is_not_valid_unicode_is_a_wrong_password(conn: sqlite3.Connection) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "lead-pass-1", now=NOW, hasher=FAST)
    assert authenticate(conn, "li", "lead-pass-1\ud800", hasher=FAST, now=NOW) is None
    assert authenticate(conn, "ghost\udfff", "\ud800" * 8, hasher=FAST, now=NOW) is None
    assert authenticate(conn, "li", "lead-pass-1", hasher=FAST, now=NOW) is not None


def test_a_long_made_up_login_is_throttled_without_storing_all_of_it(conn: sqlite3.Connection) -> None:
    login = "x" * 100_000
    for n in range(THROTTLE_AFTER):
        assert authenticate(conn, login, "password", hasher=FAST, now=NOW + n) is None
    with pytest.raises(SignInThrottled):
        authenticate(conn, login + "y", "password", hasher=FAST, now=NOW + THROTTLE_AFTER)
    assert conn.execute("SELECT max(length(login)) FROM sign_in_failures").fetchone()[0] <= 64


def lock_out(conn: sqlite3.Connection, login: str) -> float:
    """Five wrong guesses at `login`; returns until when it waits."""
    for n in range(THROTTLE_AFTER):
        assert authenticate(conn, login, f"guess-{n}", hasher=FAST, now=NOW + n) is None
    with pytest.raises(SignInThrottled) as waiting:
        authenticate(conn, login, "guess", hasher=FAST, now=NOW + THROTTLE_AFTER)
    return waiting.value.until


def test_a_shift_lead_unlocks_a_locked_out_login_and_the_account_log_says_who(
    conn: sqlite3.Connection,
) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "lead-pass-1", now=NOW, hasher=FAST)
    create_operator(conn, "zhou", "周强", Role.SHIFT_LEAD, "night-pass", now=NOW, hasher=FAST)
    until = lock_out(conn, "li")
    assert waiting_logins(conn, NOW + 10) == {"li": until}

    assert unlock(conn, "LI", by="zhou", now=NOW + 10, note="called from the duty room") == until
    assert waiting_logins(conn, NOW + 10) == {}
    assert authenticate(conn, "li", "lead-pass-1", hasher=FAST, now=NOW + 11) is not None
    [entry] = account_log.entries(conn, "li")
    assert (entry.action, entry.by, entry.by_role, entry.at) == (
        AccountAction.UNLOCK,
        "zhou",
        "shift_lead",
        NOW + 10,
    )
    assert entry.detail == f"was waiting until {until:.0f}; called from the duty room"
    # Unlocking a login that was not waiting changes nothing but is on the record too.
    assert unlock(conn, "li", by="zhou", now=NOW + 20) is None
    assert [e.detail for e in account_log.entries(conn)][-1] == "was not waiting"
    # The log is append-only.
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE account_log SET by_login = 'li'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM account_log")


@pytest.mark.parametrize("by", ["wang", "ghost", "old.lead"])
def test_only_an_active_shift_lead_unlocks(conn: sqlite3.Connection, by: str) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "lead-pass-1", now=NOW, hasher=FAST)
    create_operator(conn, "wang", "王芳", Role.DISPATCHER, "dispatch-1", now=NOW, hasher=FAST)
    create_operator(conn, "old.lead", "老周", Role.SHIFT_LEAD, "old-pass-1", now=NOW, hasher=FAST)
    deactivate(conn, "old.lead")
    until = lock_out(conn, "li")
    with pytest.raises(AccountError) as refused:
        unlock(conn, "li", by=by, now=NOW + 10)
    assert refused.value.code is AccountProblem.NOT_A_SHIFT_LEAD
    assert waiting_logins(conn, NOW + 10) == {"li": until}
    assert account_log.entries(conn) == []


def test_unlocking_a_login_nobody_has_is_refused(conn: sqlite3.Connection) -> None:
    create_operator(conn, "li", "李明", Role.SHIFT_LEAD, "lead-pass-1", now=NOW, hasher=FAST)
    with pytest.raises(AccountError) as refused:
        unlock(conn, "ghost", by="li", now=NOW)
    assert refused.value.code is AccountProblem.UNKNOWN_LOGIN
    assert account_log.entries(conn) == []
