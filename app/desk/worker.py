"""The closed loop's one database thread: owns the store connection and the CaseDesk; the GUI awaits jobs."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from core.clock import Clock
from dispatch.casework.policy import Policy
from dispatch.casework.records.checkpoints import Checkpointer
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery, Locate, district_from_grid
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DeskContext:
    """What a job running on the desk thread may use. Never hand these objects to another thread."""

    desk: CaseDesk
    discovery: Discovery
    router: Router
    policy: Policy
    timers: Timers
    clock: Clock
    # Signs the audit chain's head every few minutes and at each handover; None when there is no key.
    audit_checkpoints: Checkpointer | None = None


class DeskWorker:
    """One worker thread with its own SQLite connection; jobs run in submission order.

    SQLite work never runs on the GUI thread (STYLE: one dedicated executor). Jobs are functions of a
    DeskContext; `call` awaits one from asyncio (qasync on the GUI thread), `call_blocking` waits for it.
    """

    def __init__(
        self, db_path: Path, policy: Policy, clock: Clock, *, locate: Locate = district_from_grid,
        exercise_store: bool = False, audit_checkpoints: Checkpointer | None = None,
    ) -> None:  # fmt: skip
        self.db_path = db_path
        self.policy = policy
        self.clock = clock
        self._locate = locate
        self._exercise_store = exercise_store
        self._audit_checkpoints = audit_checkpoints
        self._local = threading.local()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="tianshu-desk", initializer=self._open
        )

    def _open(self) -> None:
        db = open_store(self.db_path, check_same_thread=True)
        # Checkpoints stay off the officer's commit path (one commit in ~100 paid for one, p99 ×15);
        # `checkpoint` runs them when the desk is idle, and the feed writer's connection checkpoints too.
        db.execute("PRAGMA wal_autocheckpoint = 0")
        timers = Timers(self.policy)
        desk = CaseDesk(db.conn, timers, self.clock)
        router = Router(self.policy.routing)
        discovery = Discovery(
            desk, self.policy, router.route, self._locate, exercise_store=self._exercise_store
        )
        self._local.db = db
        self._local.context = DeskContext(
            desk, discovery, router, self.policy, timers, self.clock, self._audit_checkpoints
        )

    def _run(self, job: Callable[[DeskContext], T]) -> T:
        context: DeskContext = self._local.context
        return job(context)

    def submit(self, job: Callable[[DeskContext], T]) -> concurrent.futures.Future[T]:
        return self._executor.submit(self._run, job)

    async def call(self, job: Callable[[DeskContext], T]) -> T:
        """Run `job` on the desk thread and await its result (exceptions, e.g. Refused, propagate)."""
        return await asyncio.wrap_future(self.submit(job))

    def call_blocking(self, job: Callable[[DeskContext], T], timeout: float | None = 30) -> T:
        return self.submit(job).result(timeout)

    def checkpoint(self) -> concurrent.futures.Future[None]:
        """Fold the write-ahead log back into the store file, without blocking readers or writers."""
        return self.submit(_checkpoint)

    def close(self) -> None:
        """Finish queued jobs, then close the connection on its own thread."""
        self._executor.submit(self._close_connection)
        self._executor.shutdown(wait=True)

    def _close_connection(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()


def _checkpoint(context: DeskContext) -> None:
    context.desk.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
