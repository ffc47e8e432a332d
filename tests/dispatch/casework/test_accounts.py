"""Operator accounts: Argon2id hashes, refusals that do not say which part was wrong, rehash, demo seeding."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from dispatch.casework.accounts import (
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
    seed_demo_operators,
    set_password,
)
from dispatch.casework.model import Actor, Role
from dispatch.store import open_store

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
