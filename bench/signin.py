"""`python main.py bench signin`: the first sign-in after start, for a known and an unknown login."""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

KNOWN = "bench.lead"
UNKNOWN = "nobody.here"
# Each attempt is made a day and more after the one before, so the failures of one never throttle the next.
_DAY_AND_MORE = 100_000.0
_T0 = 1_767_225_600.0


def _runs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def add_bench_signin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=_runs, default=5, help="fresh processes per kind of login")


def first_attempt_ms(path: str, login: str, prepare: bool, at: float) -> float:
    """In a process that has just started (as the cockpit has): one wrong password for `login`, timed."""
    from dispatch.casework.records.accounts import SignInThrottled, authenticate, prepare_sign_in
    from dispatch.store.database import open_store

    db = open_store(Path(path))
    try:
        if prepare:
            prepare_sign_in()
        start = time.perf_counter()
        try:
            authenticate(db.conn, login, "not-the-password", now=at)
        except SignInThrottled:
            return float("nan")
        return (time.perf_counter() - start) * 1000
    finally:
        db.close()


def _first_attempts(path: Path, prepare: bool, runs: int, first_run: int) -> tuple[float, float]:
    """Median first-attempt times (known, unknown), each in a process of its own. The two kinds take
    turns, in alternating order, so that load from elsewhere on the machine falls on both alike."""
    context = multiprocessing.get_context("spawn")
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    for n in range(runs):
        order = (KNOWN, UNKNOWN) if n % 2 == 0 else (UNKNOWN, KNOWN)
        for turn, login in enumerate(order):
            at = _T0 + (first_run + 2 * n + turn) * _DAY_AND_MORE
            # A new process for every attempt: only the first attempt after start shows a lazily made hash.
            with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                times[login].append(pool.submit(first_attempt_ms, str(path), login, prepare, at).result())
    return statistics.median(times[KNOWN]), statistics.median(times[UNKNOWN])


def run_bench_signin(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from dispatch.casework.model import Role
    from dispatch.casework.records.accounts import create_operator
    from dispatch.store.database import open_store

    runs: int = args.runs
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-signin-") as folder:
        path = Path(folder) / "store.sqlite3"
        db = open_store(path)
        create_operator(db.conn, KNOWN, "值班长", Role.SHIFT_LEAD, "bench-password-1", now=_T0)
        db.close()
        print(f"signin: production Argon2id, median of {runs} fresh processes each", file=out)
        for n, (prepare, label) in enumerate(
            ((False, "hash made at the first attempt"), (True, "hash made at start"))
        ):
            known, unknown = _first_attempts(path, prepare, runs, n * 2 * runs)
            print(
                f"signin ({label}): first attempt after start, known login {known:.0f} ms, "
                f"unknown login {unknown:.0f} ms (unknown/known {unknown / known:.2f})",
                file=out,
            )
    return 0
