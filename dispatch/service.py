"""The one seam between the app and the closed loop: commands, queries, the beat and the change subscription.

`ClosedLoop` is what controllers and panels may use; `LocalLoop` is today's implementation: the store in
this process, one database thread. A drill store, a replay or several seats sharing one log are other
implementations of the same interface, and the panels do not change.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from core.clock import Clock
from dispatch.beat import BeatParts, JobHealth, job_health, retry_failed, run_jobs
from dispatch.casework.model import Actor, Applied, Command
from dispatch.casework.policy import Policy
from dispatch.casework.records.changes import ChangeTracker
from dispatch.casework.records.checkpoints import Checkpointer
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery, Locate, district_from_grid
from dispatch.casework.records.handover import acknowledge, write_handover
from dispatch.casework.routing import Router
from dispatch.casework.shifts import Handover, Shift
from dispatch.casework.timers import Timers
from dispatch.changes import CasesChanged, Origin
from dispatch.store.database import open_store

T = TypeVar("T")
log = logging.getLogger(__name__)
Listener = Callable[[CasesChanged], None]


class LoopUnavailable(ConnectionError):
    """The loop cannot take a command now and nothing was changed: a seat cut off from its centre's hub,
    read-only until it is back (dispatch/seats). A local loop never raises it."""


@dataclass(frozen=True, slots=True)
class LoopContext:
    """What a job running on the loop's thread may use. Never hand these objects to another thread."""

    desk: CaseDesk
    discovery: Discovery
    router: Router
    policy: Policy
    timers: Timers
    clock: Clock
    changes: ChangeTracker
    # Signs the audit chain's head every few minutes and at each handover; None when there is no key.
    audit_checkpoints: Checkpointer | None = None


@dataclass(frozen=True, slots=True)
class Beat:
    """One beat of the loop: what changed in it (here and elsewhere) and how its jobs fare."""

    changes: CasesChanged
    health: JobHealth


class ClosedLoop(Protocol):
    """The closed loop as the app sees it.

    - `act` carries out a case command (the only way a case changes from the app);
    - `query` runs a read on the loop's connection; `write` a local record that is not a case command
      (a handover note, a sign-in, a job's failed item);
    - `hand_over` and `receive_handover`: the shift handover (交接班) and its receipt;
    - `beat` runs the periodic jobs once; `retry_failed` asks them to try again every item they set aside
      (on every seat of a centre: through its log);
    - `subscribe` hears every `CasesChanged` (a command's at once, the beat's once a beat), on the loop's
      thread: hop to your own thread before touching widgets (app/shell/change_bus.py does).
    """

    db_path: Path
    policy: Policy
    clock: Clock

    def act(self, command: Command) -> concurrent.futures.Future[Applied]: ...
    def query(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]: ...
    def write(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]: ...
    def beat(self) -> concurrent.futures.Future[Beat]: ...
    def retry_failed(self, actor: str) -> concurrent.futures.Future[int]: ...
    def hand_over(
        self, shift: Shift, author: Actor, note: str, *, exercise: bool = False
    ) -> concurrent.futures.Future[Handover]: ...
    def receive_handover(self, handover_id: int, receiver: Actor) -> concurrent.futures.Future[Handover]: ...
    def subscribe(self, listener: Listener) -> Callable[[], None]: ...
    def close(self) -> None: ...


class LocalLoop:
    """The closed loop on a store in this process: one thread with its own SQLite connection, jobs run
    in submission order (STYLE: SQLite work never runs on the GUI thread)."""

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
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._local = threading.local()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="tianshu-loop", initializer=self._open
        )

    def _open(self) -> None:
        db = open_store(self.db_path, check_same_thread=True)
        # Checkpoints stay off the officer's commit path (one commit in ~100 paid for one, p99 ×15);
        # the beat folds the WAL back when the loop is idle, and the feed writer's connection does too.
        db.execute("PRAGMA wal_autocheckpoint = 0")
        timers = Timers(self.policy)
        desk = CaseDesk(db.conn, timers, self.clock)
        router = Router(self.policy.routing)
        discovery = Discovery(
            desk, self.policy, router.route, self._locate, exercise_store=self._exercise_store
        )
        self._local.db = db
        self._local.context = LoopContext(
            desk, discovery, router, self.policy, timers, self.clock, ChangeTracker(db.conn),
            self._audit_checkpoints,
        )  # fmt: skip

    def _run(self, job: Callable[[LoopContext], T]) -> T:
        context: LoopContext = self._local.context
        return job(context)

    def _submit(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]:
        return self._executor.submit(self._run, job)

    # -- the seam ------------------------------------------------------------------------------------

    def act(self, command: Command) -> concurrent.futures.Future[Applied]:
        return self._submit(lambda ctx: self._act(command, ctx))

    def query(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]:
        return self._submit(job)

    def write(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]:
        return self._submit(job)

    def beat(self) -> concurrent.futures.Future[Beat]:
        return self._submit(self._beat)

    def retry_failed(self, actor: str) -> concurrent.futures.Future[int]:
        """Mark every set-aside item for another try at the next beat; how many were marked."""
        return self._submit(lambda ctx: retry_failed(ctx.desk))

    def hand_over(
        self, shift: Shift, author: Actor, note: str, *, exercise: bool = False
    ) -> concurrent.futures.Future[Handover]:
        """Write the shift's handover (with an audit checkpoint when the cockpit signs them); HandoverError
        as the handover rules refuse it."""

        def write(ctx: LoopContext) -> Handover:
            return write_handover(
                ctx.desk.conn, shift=shift, author=author, note=note, now=ctx.clock.now(), exercise=exercise,
                checkpoints=ctx.audit_checkpoints,
            )  # fmt: skip

        return self._submit(write)

    def receive_handover(self, handover_id: int, receiver: Actor) -> concurrent.futures.Future[Handover]:
        return self._submit(lambda ctx: acknowledge(ctx.desk.conn, handover_id, receiver, ctx.clock.now()))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # -- in-process conveniences (tests, window-less commands) ----------------------------------------

    def call_blocking(self, job: Callable[[LoopContext], T], timeout: float | None = 30) -> T:
        return self._submit(job).result(timeout)

    def close(self) -> None:
        """Finish queued jobs, then close the connection on its own thread."""
        self._executor.submit(self._close_connection)
        self._executor.shutdown(wait=True)

    # -- on the loop's thread ------------------------------------------------------------------------

    def _act(self, command: Command, ctx: LoopContext) -> Applied:
        before = ctx.changes.collect_elsewhere()
        try:
            return ctx.desk.act(command)
        finally:
            # A refused command changed nothing of its own, but what others changed is news either way.
            self._publish(before.merged(ctx.changes.collect(Origin.CONSOLE)))

    def _beat(self, ctx: LoopContext) -> Beat:
        before = ctx.changes.collect_elsewhere()
        errors = run_jobs(BeatParts(ctx.desk, ctx.discovery, ctx.clock, ctx.audit_checkpoints))
        changes = before.merged(ctx.changes.collect(Origin.LOOP))
        self._publish(changes)
        return Beat(changes, job_health(ctx.desk.conn, errors))

    def _publish(self, changes: CasesChanged) -> None:
        if not changes:
            return
        with self._listeners_lock:
            listeners = tuple(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception as error:  # one broken subscriber must not stop the loop or the others
                log.error("a change subscriber failed: %s", error, exc_info=error)

    def _close_connection(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
