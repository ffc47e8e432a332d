"""The closed loop's beat: new events become cases, units' reports move theirs, timers raise cards, the
WAL is folded back and the audit head is signed — each job on its own, so one that fails stops no other."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.clock import Clock
from dispatch.casework.jobs import FailedItem
from dispatch.casework.records.checkpoints import Checkpointer
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.records.failures import count_failed, describe, failed_items, request_retry
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.supervision import sweep_cards

log = logging.getLogger(__name__)
# New events become cases in short transactions, for at most this long per beat. A flood (a storm, a
# blast benchmark) then waits a few beats instead of holding the interpreter and the store's write lock
# for seconds while the feed and the screens wait: at 5,000 events/s an unbounded pass took the live
# event view from 35 ms to 470 ms behind the feed; 100 ms per beat still left p99 at 80–210 ms, 50 ms
# brings it to 76–94 ms (alone: 57–176 ms, the noise of this machine). 50 ms still turns a few hundred
# events a second into cases, far above a city's rate even in a storm.
DISCOVERY_SLICE = 20
DISCOVERY_BUDGET_S = 0.05
# Between slices the loop steps aside so the feed writer, queued on the store's write gate
# (dispatch/store/write_gate.py), gets in at once.
DISCOVERY_YIELD_S = 0.002


@dataclass(frozen=True, slots=True)
class BeatParts:
    """What the beat's jobs work with, all on the loop's thread."""

    desk: CaseDesk
    discovery: Discovery
    clock: Clock
    audit_checkpoints: Checkpointer | None = None


@dataclass(frozen=True, slots=True)
class JobHealth:
    """How the periodic jobs fare: the items they set aside (latest first), and the jobs that could not
    run at all in the last beat, with the store's or the machine's error (a full disk, a lock)."""

    failed: tuple[FailedItem, ...] = ()
    errors: tuple[str, ...] = ()
    total: int = 0  # how many items are set aside in all (`failed` lists the latest 50)


def discover(parts: BeatParts) -> None:
    """Turn new events into cases, a slice at a time, until none are left or the beat's budget is spent."""
    deadline = time.perf_counter() + DISCOVERY_BUDGET_S
    while time.perf_counter() < deadline:
        done = parts.discovery.run_once(DISCOVERY_SLICE)
        if not done.read:
            return
        time.sleep(DISCOVERY_YIELD_S)


def reports(parts: BeatParts) -> None:
    apply_inbox(parts.desk)


def cards(parts: BeatParts) -> None:
    sweep_cards(parts.desk)


def fold_wal(parts: BeatParts) -> None:
    parts.desk.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def audit_checkpoint(parts: BeatParts) -> None:
    """Sign the audit chain's head when its period is up (under the write lock: see sign_checkpoint)."""
    checkpoints = parts.audit_checkpoints
    if checkpoints is None or not checkpoints.due(parts.clock.now()):
        return
    with parts.desk.transaction() as conn:
        checkpoints.sign(conn, parts.clock.now(), "periodic")


# The beat's jobs in order. Each sets a failing item aside by itself and goes on; a job that cannot run
# at all (the store is full or locked) does not keep the others from running.
BEAT_JOBS: tuple[tuple[str, Callable[[BeatParts], None]], ...] = (
    ("discovery", discover),
    ("reports", reports),
    ("supervision", cards),
    ("wal", fold_wal),
    ("audit checkpoint", audit_checkpoint),
)


def run_jobs(parts: BeatParts) -> tuple[str, ...]:
    """Run every job of the beat; the errors of jobs that failed as a whole, as `job: error`."""
    errors: list[str] = []
    for name, job in BEAT_JOBS:
        try:
            job(parts)
        except Exception as error:
            log.error("the %s job failed this beat: %s", name, error, exc_info=error)
            errors.append(f"{name}: {describe(error)}")
    return tuple(errors)


def job_health(conn: sqlite3.Connection, errors: tuple[str, ...]) -> JobHealth:
    """The items set aside (read every beat: a handful of rows at most) and this beat's failed jobs."""
    failed = failed_items(conn)
    return JobHealth(failed, errors, count_failed(conn) if failed else 0)


def retry_failed(desk: CaseDesk) -> int:
    """Mark every failed item for another try by its job's next beat; how many were marked."""
    with desk.transaction() as conn:
        return request_retry(conn)
