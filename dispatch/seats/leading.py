"""What the seat holding the lease does for its centre: runs of the periodic jobs, snapshots, and the relay
of what the centre owes other centres (levels). Every seat has one; it acts only while its seat leads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
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
from dispatch.service import LocalLoop

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
        children: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.seat, self.db_path, self.clock = seat, db_path, clock
        self._local, self._hub, self._publish, self._on_hub = local, hub, publish, on_hub
        self._term, self._applied = term, applied
        self._lock = threading.Lock()
        self._jobs_run = 0  # runs of the jobs published under the current term
        self._jobs_at = float("-inf")  # the seat's time of the last run published
        self._relaying = False  # a relay of transfers to other centres is under way
        self.children = children  # the districts below this centre: its CAP warnings go down to them
        self._warned: int | None = None  # the last warning sent down (None: a new leader resends a day's)
        self._schedule = Schedule(applied(), clock.now()) if snapshots else None
        # The last run of the periodic jobs and the last snapshot this seat published (answered once
        # applied / kept).
        self.last_run: concurrent.futures.Future[Outcome] | None = None
        self.last_snapshot: concurrent.futures.Future[SnapshotInfo] | None = None

    def new_term(self) -> None:
        """A new term starts its runs afresh (the lease was taken or lost)."""
        self._jobs_run, self._jobs_at = 0, float("-inf")

    def beat(self) -> None:
        """The leader's share of a beat: a run of the jobs when one is due, the relay, a snapshot."""
        if self.clock.now() - self._jobs_at >= JOBS_EVERY_S:
            self.run_jobs()
        self.relay_transfers()
        self.snapshot_if_due()

    def run_jobs(self) -> concurrent.futures.Future[Outcome] | None:
        term = self._term()
        if term is None:
            return None
        self._jobs_at = self.clock.now()
        self._jobs_run += 1
        self.last_run = self.publish_jobs(term, self._jobs_run)
        return self.last_run

    def publish_jobs(self, term: int, run: int) -> concurrent.futures.Future[Outcome]:
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        entry = jobs_entry(term, run, ("discovery", "supervision"), self.seat, self.clock.now())
        self._publish(self._hub.centre.lead_subject, entry.id, encode(entry), done.set_result, done)
        return done

    def take_snapshot(self) -> concurrent.futures.Future[SnapshotInfo]:
        copy = scratch_path(self.db_path, "copy")
        copied = self._local.write(lambda ctx: copy_replica(ctx.desk.conn, copy))
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
