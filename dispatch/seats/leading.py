"""What the seat holding the lease does for its centre: runs of the periodic jobs, snapshots, and the relay
of what the centre owes other centres (levels). Every seat has one; it acts only while its seat leads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from core.clock import Clock
from dispatch.casework.records import levels
from dispatch.seats.apply import Outcome
from dispatch.seats.entries import encode, jobs_entry
from dispatch.seats.hub import Hub
from dispatch.seats.relay import relay, send_warnings
from dispatch.seats.restore import Schedule, keep, report, scratch_path
from dispatch.seats.snapshot import SnapshotInfo, copy_replica
from dispatch.service import LocalLoop, LoopContext

T = TypeVar("T")
# The leader publishes a run of the periodic jobs at most this often (by the seat's clock): every run is
# a log entry every seat applies, so a run per beat would fill the log.
JOBS_EVERY_S = 5.0
# seat._publish: (subject, message id, bytes, how to answer, the caller's future)
Publish = Callable[[str, str, bytes, Callable[[Outcome], None], concurrent.futures.Future[Any]], None]
OnHub = Callable[[Coroutine[Any, Any, Any]], concurrent.futures.Future[Any]]


class Leading:
    """The leader's duties of one seat (dispatch.seats.seat.SeatLoop gives it its parts)."""

    def __init__(
        self, *, seat: str, db_path: Path, clock: Clock, local: LocalLoop, hub: Hub, publish: Publish,
        on_hub: OnHub, term: Callable[[], int | None], applied: Callable[[], int], snapshots: bool,
        children: tuple[str, ...] = (), undiscovered: Callable[[], bool] = lambda: False,
        cut: Callable[[], None] = lambda: None,
    ) -> None:  # fmt: skip
        self.seat, self.db_path, self.clock = seat, db_path, clock
        self._local, self._hub, self._publish, self._on_hub = local, hub, publish, on_hub
        self._term, self._applied, self._undiscovered = term, applied, undiscovered
        self._cut = cut  # on the store's thread: cut a row delta at this entry (a snapshot's)
        self._lock = threading.Lock()
        self._jobs_run = 0  # runs of the jobs published under the current term
        self._jobs_at = float("-inf")  # the seat's time of the last run published
        self._relaying = False  # a relay of transfers to other centres is under way
        self.children = children  # the districts below this centre: its CAP warnings go down to them
        self._warned: int | None = None  # the last warning sent down (None: a new leader resends a day's)
        self._schedule = Schedule(applied(), clock.now()) if snapshots else None
        # The last run of the periodic jobs and the last snapshot this seat published (answered once
        # applied / kept); the run of discovery alone under way.
        self.last_run: concurrent.futures.Future[Outcome] | None = None
        self._discovering: concurrent.futures.Future[Outcome] | None = None
        self.last_snapshot: concurrent.futures.Future[SnapshotInfo] | None = None

    def new_term(self) -> None:
        """A new term starts its runs afresh (the lease was taken or lost)."""
        with self._lock:
            self._jobs_run, self._jobs_at = 0, float("-inf")
            self._discovering = None

    def beat(self) -> None:
        """The leader's share of a beat: a run of the jobs when one is due (else a run of discovery when
        the feed stored events it has not taken), the relay, a snapshot."""
        if self.clock.now() - self._jobs_at >= JOBS_EVERY_S:
            self.run_jobs()
        else:
            self.discover()
        self.relay_transfers()
        self.snapshot_if_due()

    def run_jobs(self) -> concurrent.futures.Future[Outcome] | None:
        term = self._term()
        if term is None:
            return None
        with self._lock:
            self._jobs_at = self.clock.now()
            self._jobs_run += 1
            run = self._jobs_run
        self.last_run = self.publish_jobs(term, run)
        return self.last_run

    def discover(self) -> concurrent.futures.Future[Outcome] | None:
        """If this seat leads and its replica holds events discovery has not taken: publish a run of
        discovery alone, and the next one as soon as it is applied here while rows are left (a burst of
        the feed is worked off run after run, an officer's commands in between). Answered with what the
        run did here, once the next run (if any) is on its way; None: nothing to do, or a run is under
        way (`discovering`)."""
        term = self._term()
        if term is None or not self._undiscovered():
            return None
        with self._lock:
            if self._discovering is not None and not self._discovering.done():
                return None
            self._jobs_run += 1
            run = self._jobs_run
            self._discovering = running = self._publish_run(term, run, ("discovery",))
        answer: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        running.add_done_callback(functools.partial(self._discovered, answer))
        return answer

    @property
    def discovering(self) -> concurrent.futures.Future[Outcome] | None:
        """The run of discovery published last (done once applied here)."""
        with self._lock:
            return self._discovering

    def _discovered(
        self, answer: concurrent.futures.Future[Outcome], done: concurrent.futures.Future[Outcome]
    ) -> None:
        # More left: at once (on the store's thread; publishing does not wait). Not after a refused run
        # (a stale term): the next beat looks again, rather than the hub hearing a run a moment.
        error = done.exception()
        if error is not None:
            answer.set_exception(error)
            return
        try:
            if done.result().refused is None:
                self.discover()
        finally:  # whatever publishing the next did, the caller hears of this run
            answer.set_result(done.result())

    def work_off(self, timeout: float) -> int:
        """Runs of discovery until this replica holds no event discovery has not taken (a bench's, a
        test's or a drill's wait); how many it waited for. TimeoutError past `timeout`; Refused, or
        HubUnavailable, as a run's publish was answered; RuntimeError when this seat does not lead."""
        deadline, runs = time.monotonic() + timeout, 0
        while self._undiscovered():
            self.discover()
            with self._lock:
                running = self._discovering
            if running is None:
                raise RuntimeError(f"seat {self.seat} does not lead: it publishes no run of discovery")
            outcome = running.result(max(0.0, deadline - time.monotonic()))
            runs += 1
            if outcome.refused is not None:
                raise outcome.refused
        return runs

    def publish_jobs(self, term: int, run: int) -> concurrent.futures.Future[Outcome]:
        return self._publish_run(term, run, ("discovery", "supervision"))

    def _publish_run(self, term: int, run: int, jobs: tuple[str, ...]) -> concurrent.futures.Future[Outcome]:
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        entry = jobs_entry(term, run, jobs, self.seat, self.clock.now())
        self._publish(self._hub.centre.lead_subject, entry.id, encode(entry), done.set_result, done)
        return done

    def take_snapshot(self) -> concurrent.futures.Future[SnapshotInfo]:
        copy = scratch_path(self.db_path, "copy")

        def copied_at(ctx: LoopContext) -> int:
            self._cut()  # a seat restoring this snapshot goes on from its entry by deltas
            return copy_replica(ctx.desk.conn, copy)

        copied = self._local.write(copied_at)
        self.last_snapshot = self._on_hub(keep(self._hub, copied, copy, self._hub.centre.name))
        return self.last_snapshot

    def snapshot_if_due(self) -> None:
        now, busy = self.clock.now(), self.last_snapshot is not None and not self.last_snapshot.done()
        schedule, applied = self._schedule, self._applied()
        if schedule and self._term() is not None and not busy and schedule.due(applied, now):
            schedule.tried(applied, now)
            self.take_snapshot().add_done_callback(report)

    def relay_transfers(self) -> concurrent.futures.Future[int] | None:
        term = self._term()
        with self._lock:
            if term is None or self._relaying:
                return None
            self._relaying = True

        async def send() -> int:
            try:
                owed = await asyncio.wrap_future(self._local.query(lambda ctx: levels.pending(ctx.desk.conn)))
                sent = await relay(self._hub, self.seat, term, owed, self.clock.now()) if owed else 0
                if self.children:
                    await self._warn()
                return sent
            finally:
                with self._lock:
                    self._relaying = False

        result: concurrent.futures.Future[int] = self._on_hub(send())
        return result

    async def _warn(self) -> None:
        """Send the districts the CAP warnings stored since the last sent (on the hub's thread)."""
        after, since = self._warned or 0, self.clock.now() - levels.WARNINGS_AGAIN_S
        found = await asyncio.wrap_future(
            self._local.query(lambda ctx: levels.warnings_after(ctx.desk.conn, after, since))
        )
        if found:
            done = await send_warnings(self._hub, self.seat, found, self.children, self.clock.now())
            self._warned = max(after, done)
        elif self._warned is None:
            self._warned = 0
