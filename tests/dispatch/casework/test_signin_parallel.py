"""Guessing passwords from many processes at once: the back-off counts every attempt before its password is
checked, so no more than THROTTLE_AFTER passwords are ever tried, however many guesses run in parallel."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from dispatch.casework.model import Role
from dispatch.casework.records.accounts import THROTTLE_AFTER, SignInThrottled, authenticate, create_operator
from dispatch.store.database import open_store

pytestmark = pytest.mark.slow

# Slow enough (a few ms) that every guess is still being checked while the others arrive, as with the
# production hasher; cheap enough for sixteen processes on a small machine.
HASHER = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1)
GUESSERS = 16
NOW = 1_767_225_600.0


def guess(path: str, n: int, start: Barrier, answers: multiprocessing.SimpleQueue[str]) -> None:
    """One process, one wrong password for the shift lead, sent the moment every guesser is ready."""
    db = open_store(Path(path))
    try:
        start.wait(timeout=60)
        try:
            actor = authenticate(db.conn, "lead", f"guess-{n:02d}", hasher=HASHER, now=NOW)
        except SignInThrottled:
            answers.put("throttled")
        else:
            answers.put("checked" if actor is None else "signed in")
    finally:
        db.close()


def test_sixteen_parallel_guesses_check_at_most_the_limit_of_passwords(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    db = open_store(path)
    create_operator(db.conn, "lead", "李明", Role.SHIFT_LEAD, "the-right-one", now=NOW, hasher=HASHER)
    db.close()

    context = multiprocessing.get_context("spawn")
    start = context.Barrier(GUESSERS)
    answers: multiprocessing.SimpleQueue[str] = context.SimpleQueue()
    guessers = [context.Process(target=guess, args=(str(path), n, start, answers)) for n in range(GUESSERS)]
    for process in guessers:
        process.start()
    for process in guessers:
        process.join(90)
    assert [p.exitcode for p in guessers] == [0] * GUESSERS
    outcomes = sorted(answers.get() for _ in range(GUESSERS))

    assert outcomes.count("checked") == THROTTLE_AFTER
    assert outcomes.count("throttled") == GUESSERS - THROTTLE_AFTER
    db = open_store(path)
    try:
        failures, locked_until = db.conn.execute(
            "SELECT failures, locked_until FROM sign_in_failures WHERE login = 'lead'"
        ).fetchone()
        assert failures == THROTTLE_AFTER
        assert locked_until > NOW
        # The lead still waits, even with the right password: the guesses used up the attempts.
        with pytest.raises(SignInThrottled):
            authenticate(db.conn, "lead", "the-right-one", hasher=HASHER, now=NOW + 1)
    finally:
        db.close()
