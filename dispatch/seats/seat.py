"""A seat: one machine's closed loop on its own replica of the centre's log (dispatch.service.ClosedLoop)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from core.clock import Clock
from dispatch.beat import BeatParts, audit_checkpoint, job_health
from dispatch.casework.model import Action, Actor, Applied, Command, Refusal, Refused
from dispatch.casework.payloads import check_command
from dispatch.casework.policy import Policy
from dispatch.casework.records.checkpoints import Checkpointer
from dispatch.casework.records.discovery import Locate, district_from_grid
from dispatch.casework.records.failures import describe
from dispatch.casework.shifts import Handover, Shift
from dispatch.changes import CasesChanged
from dispatch.seats.apply import Outcome
from dispatch.seats.catch_up import Caught, Cutter, catch_up, keep_delta
from dispatch.seats.credentials import HubCredentials
from dispatch.seats.deltas import Delta
from dispatch.seats.entries import (
    BadEntry,
    EventsEntry,
    HandoverEntry,
    ReadingsEntry,
    command_entry,
    encode,
    event_entry,
    handover_entry,
    lease_entry,
    report_entry,
    retry_entry,
)
from dispatch.seats.follower import Follower
from dispatch.seats.follower import SeatStalled as SeatStalled  # a seat's word for a store it cannot write
from dispatch.seats.hub import LEAVE_S, Hub, HubUnavailable, Retention, leave
from dispatch.seats.leading import JOBS_EVERY_S as JOBS_EVERY_S  # how often the leader runs the jobs
from dispatch.seats.leading import Leading
from dispatch.seats.lease import Lease
from dispatch.seats.restore import restore
from dispatch.seats.snapshot import SnapshotInfo
from dispatch.seats.status import SeatStatus, StatusBoard, StatusListener
from dispatch.seats.subjects import Centre, check_token
from dispatch.seats.waiting import Answers
from dispatch.service import Beat, Listener, LocalLoop, LoopContext

T = TypeVar("T")
log = logging.getLogger(__name__)


class LogTrimmed(RuntimeError):
    """The centre's log no longer holds the entries this seat still needs (its retention, docs/seats.md)."""


class SeatOffline(HubUnavailable):
    """This seat is cut off from the hub: it shows its replica read-only and takes no commands until the
    hub is back (another seat may be changing the cases meanwhile)."""


class SeatLoop:
    """The closed loop of one seat of a centre.

    `act` publishes the command to the centre's log and answers once this seat has applied it — with
    the same Applied or Refused every other seat got. `query`, `write`, `beat` and `subscribe` work on
    the local replica, which only the log changes; the panels cannot tell it from a LocalLoop.
    Threads: one for the store (the LocalLoop's), one asyncio loop for the hub.
    """

    def __init__(
        self, db_path: Path, policy: Policy, clock: Clock, *, hub: Sequence[str], centre: str, seat: str,
        locate: Locate = district_from_grid, timeout: float = 10.0, lead: bool = False,
        snapshots: bool = True,
        deltas: bool = True,
        credentials: HubCredentials | None = None,
        retention: Retention | None = None,
        audit_checkpoints: Checkpointer | None = None,
        parent: str | None = None,
        children: Sequence[str] = (),
    ) -> None:  # fmt: skip
        self.db_path = db_path
        self.policy = policy
        self.clock = clock
        self.centre = Centre(centre)
        self.seat = check_token("seat", seat)
        # The centre above this one (levels): 上报 sends a case there. None: nothing to escalate to.
        self.parent = check_token("centre", parent) if parent is not None else None
        self._timeout = timeout
        # Its own witness of the centre's audit chain: the replica's head signed with this console's key
        # into a log beside its store (the chain is the same on every seat at the same entry).
        self._local = LocalLoop(db_path, policy, clock, locate=locate, audit_checkpoints=audit_checkpoints)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._answers = Answers(self.seat)
        self._follower = Follower(
            self.seat,
            self._local,
            self._answers,
            self._tell,
            lambda: self._on_hub(self._follow_again()),
            stopped=lambda why: self._status.set(stopped=why),
        )
        self._closed = False
        self._status = StatusBoard()
        self._lease: Lease | None = None
        # The snapshot this seat started from (None: it replays the log), the last it took, when the next.
        self.restored: SnapshotInfo | None = None
        # What the row deltas covered before this seat followed the log (dispatch.seats.catch_up).
        self.caught = Caught()
        self.last_delta: concurrent.futures.Future[None] | None = None  # the last this seat cut, kept
        if lead:  # a seat that may lead cuts its replica's row deltas into the hub while it leads
            self._follower.cutter = Cutter(
                self.centre.name, clock, lambda: self._status.now.term is not None, self._keep_delta
            )
        self._leading: Leading | None = None  # the leader's duties, once the store is open
        self._aio = asyncio.new_event_loop()
        self._aio_thread = threading.Thread(target=self._aio.run_forever, name=f"seat-{seat}", daemon=True)
        self._aio_thread.start()
        try:
            self._hub = self._on_hub(
                Hub.connect(
                    hub,
                    self.centre,
                    name=f"tianshu-{centre}-{seat}",
                    timeout=timeout,
                    online=lambda up: self._status.set(online=up),
                    credentials=credentials,
                    retention=retention,
                )
            ).result(timeout + 5)  # Hub.connect keeps to `timeout` itself and says why it failed
            if snapshots:  # before the store opens: a new seat starts from the newest snapshot
                self.restored = self._on_hub(restore(self._hub, db_path)).result()  # its download is bounded
            if deltas:  # then the rows the log wrote since, as far as the leader's deltas reach
                self.caught = catch_up(self._hub, self._local, self._on_hub, timeout)
            self._answers.applied = self._local.write(
                lambda ctx: self._follower.open(ctx, policy, locate)
            ).result(timeout)
            self._leading = Leading(
                seat=self.seat, db_path=db_path, clock=clock, local=self._local, hub=self._hub,
                publish=self._publish, on_hub=self._on_hub, term=lambda: self._status.now.term,
                applied=lambda: self.applied, snapshots=snapshots,
                undiscovered=lambda: self._follower.undiscovered,
                cut=self._cut,
                children=tuple(check_token("centre", child) for child in children),
            )  # fmt: skip
            self._on_hub(self._hub.follow(lambda: self._answers.applied, self._follower.deliver)).result(
                timeout
            )
            if lead:
                self._on_hub(self._start_lease()).result(timeout)
        except BaseException:
            self._stop()
            raise

    # -- the seam ------------------------------------------------------------------------------------

    def act(self, command: Command) -> concurrent.futures.Future[Applied]:
        done: concurrent.futures.Future[Applied] = concurrent.futures.Future()
        try:
            # What cannot survive the log's JSON (NaN, huge ids) is refused here, exactly as the desk would.
            check_command(command)
            command = self._addressed(command)
        except Refused as refused:
            done.set_exception(refused)
            return done
        problem = self._problem()
        if problem is not None:  # cut off, closed or stalled: said at once, before anything is read
            done.set_exception(problem)
            return done
        entry = command_entry(command, self.seat, self.clock.now())

        def settle(outcome: Outcome) -> None:
            if outcome.applied is not None:
                done.set_result(outcome.applied)
            elif outcome.refused is not None:
                done.set_exception(outcome.refused)
            else:  # a message id used twice: its outcome was given to the first publish
                done.set_exception(RuntimeError(f"command {entry.id} was already in the log"))

        def publish(signed: concurrent.futures.Future[Refused | None]) -> None:
            if signed.cancelled():  # the store closed under the check
                done.set_exception(HubUnavailable(f"seat {self.seat} is closed"))
                return
            refused = signed.exception() or signed.result()
            if refused is not None:
                done.set_exception(refused)
                return
            self._publish(self.centre.case_subject(command.case_id), entry.id, encode(entry), settle, done)

        # Only for whom is signed in at this console (read here: sign-ins are this seat's own records).
        self._local.query(lambda ctx: _not_signed_in(ctx, command)).add_done_callback(publish)
        return done

    def query(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]:
        return self._local.query(job)

    def write(self, job: Callable[[LoopContext], T]) -> concurrent.futures.Future[T]:
        """A local record (sign-in, handover note): NOT replicated yet (docs/seats.md)."""
        return self._local.write(job)

    def beat(self) -> concurrent.futures.Future[Beat]:
        """Folds the WAL back; what another process changed in this store, and the jobs' health. The
        periodic jobs change cases, so only the leader runs them, through the log: it publishes a run
        (at most every JOBS_EVERY_S) that every seat applies alike; other seats skip them."""
        if self._leading is not None:
            self._leading.beat()
        return self._local.write(self._beat)

    def retry_failed(self, actor: str) -> concurrent.futures.Future[int]:
        """Mark every item the jobs set aside for another try, on every seat (through the log): the
        leader's next run retries them alike everywhere. Answered with how many were marked here."""
        done: concurrent.futures.Future[int] = concurrent.futures.Future()
        problem = self._problem()
        if problem is not None:  # cut off: said at once, like a command
            done.set_exception(problem)
            return done
        entry = retry_entry(actor, self.seat, self.clock.now())

        def settle(outcome: Outcome) -> None:
            if outcome.refused is not None:
                done.set_exception(outcome.refused)
            else:
                done.set_result(outcome.marked)

        self._publish(self.centre.retry_subject, entry.id, encode(entry), settle, done)
        return done

    def hand_over(
        self, shift: Shift, author: Actor, note: str, *, exercise: bool = False
    ) -> concurrent.futures.Future[Handover]:
        """Write the shift's handover through the log (every seat holds it: the next lead may sit at
        another console), answered once applied here; HandoverError as the handover rules refused it."""
        entry = handover_entry(
            "write", author, self.seat, self.clock.now(), note=note, shift=(shift.start, shift.end),
            exercise=exercise,
        )  # fmt: skip
        return self._handover(entry)

    def receive_handover(self, handover_id: int, receiver: Actor) -> concurrent.futures.Future[Handover]:
        """Sign for a handover through the log, answered once applied here."""
        return self._handover(
            handover_entry("receive", receiver, self.seat, self.clock.now(), handover=handover_id)
        )

    def _handover(self, entry: HandoverEntry) -> concurrent.futures.Future[Handover]:
        done: concurrent.futures.Future[Handover] = concurrent.futures.Future()
        problem = self._problem()
        if problem is not None:
            done.set_exception(problem)
            return done

        def settle(outcome: Outcome) -> None:
            failed = outcome.problem or outcome.refused
            if failed is not None:
                done.set_exception(failed)
            elif outcome.handover is not None:
                done.set_result(outcome.handover)
            else:  # a message id used twice: its outcome was given to the first publish
                done.set_exception(RuntimeError(f"handover entry {entry.id} was already in the log"))

        self._publish(self.centre.handover_subject, entry.id, encode(entry), settle, done)
        return done

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def close(self) -> None:
        """Leave the hub and close the store; entries received but not applied yet stay in the log for
        the next start. Pending commands fail with HubUnavailable (they may still be applied: the log
        decides, not this seat)."""
        if self._closed:
            return
        self._closed = self._follower.closed = True
        self._stop()

    # -- seats ---------------------------------------------------------------------------------------

    @property
    def status(self) -> SeatStatus:
        """Joined or cut off, leading or not (docs/seats.md)."""
        return self._status.now

    def watch_status(self, listener: StatusListener) -> Callable[[], None]:
        """Hear every change of `status`, on the seat's hub thread."""
        return self._status.watch(listener)

    def wait_status(self, wanted: Callable[[SeatStatus], bool], timeout: float) -> SeatStatus:
        return self._status.wait_for(wanted, timeout)

    @property
    def leading(self) -> Leading:
        """The leader's duties (they act only while this seat leads): runs of the jobs, snapshots, relay."""
        assert self._leading is not None, "the seat is open"
        return self._leading

    def run_jobs(self) -> concurrent.futures.Future[Outcome] | None:
        """If this seat leads: publish a run of the periodic jobs now, answered with what it did here
        once applied. None when another seat leads (this one runs no jobs)."""
        return self.leading.run_jobs()

    def publish_jobs(self, term: int, run: int) -> concurrent.futures.Future[Outcome]:
        """Publish the `run`th run of the periodic jobs under lease `term`, answered with what it did
        here once applied (refused as stale when `term` is no longer in force)."""
        return self.leading.publish_jobs(term, run)

    def take_snapshot(self) -> concurrent.futures.Future[SnapshotInfo]:
        """Copy this replica now (between batches: its cursor is exactly what it holds) and keep it on
        the hub, answered with its header once kept. The leader's beat does this on its Schedule."""
        return self.leading.take_snapshot()

    def relay_transfers(self) -> concurrent.futures.Future[int] | None:
        """If this seat leads: send what the centre owes other centres (levels), answered with how many
        were confirmed. None when another seat leads, or a relay is still under way."""
        return None if self._closed else self.leading.relay_transfers()

    @property
    def last_run(self) -> concurrent.futures.Future[Outcome] | None:
        return self.leading.last_run

    @property
    def last_snapshot(self) -> concurrent.futures.Future[SnapshotInfo] | None:
        return self.leading.last_snapshot

    @property
    def applied(self) -> int:
        """The last sequence of the log this seat's store holds."""
        return self._answers.applied

    def publish_event(self, event: dict[str, Any]) -> concurrent.futures.Future[Outcome]:
        """Ingest one feed event for the centre (fields of EventEntry; its identity de-duplicates it) and
        answer with what it did here once applied."""
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        try:
            entry = event_entry(event, self.seat, self.clock.now())
        except BadEntry as error:
            done.set_exception(error)
            return done
        self._publish(self.centre.event_subject, entry.id, encode(entry), done.set_result, done)
        return done

    def publish_events(self, entry: EventsEntry) -> concurrent.futures.Future[Outcome]:
        """Ingest feed events packed by dispatch.seats.entries.pack_events (the same entry again is
        stored once), answered once applied here: `stored` says how many were new. Discovery takes them
        in the leader's next run."""
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        self._publish(self.centre.event_subject, entry.id, encode(entry), done.set_result, done)
        return done

    def publish_readings(self, entry: ReadingsEntry) -> concurrent.futures.Future[Outcome]:
        """Publish vital-sign readings packed by dispatch.seats.entries.pack_readings, for every replica (a
        wall's too) to hold; answered once applied here."""
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        self._publish(self.centre.reading_subject, entry.id, encode(entry), done.set_result, done)
        return done

    def publish_report(self, feed: str, body: str) -> concurrent.futures.Future[Outcome]:
        """Publish one unit's report as the feed brought it (its wire JSON) for every seat to apply."""
        done: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
        entry = report_entry(feed, body, self.seat, self.clock.now())
        self._publish(self.centre.report_subject, entry.id, encode(entry), done.set_result, done)
        return done

    def caught_up(self) -> concurrent.futures.Future[int]:
        """Resolves once this seat has applied the whole log as it stands now (its last sequence)."""
        done: concurrent.futures.Future[int] = concurrent.futures.Future()

        async def last() -> None:
            try:
                self._answers.wait_for(await self._hub.last_seq(), done)
            except HubUnavailable as error:
                done.set_exception(error)

        self._on_hub(last())
        return done

    def _addressed(self, command: Command) -> Command:
        """上报 goes to this centre's parent: the command names it, so that every seat sends it there."""
        if command.action is not Action.ESCALATE or "to" in command.payload:
            return command
        if self.parent is None:
            raise Refused(Refusal.ILLEGAL, f"centre {self.centre.name} has no centre above it to escalate to")
        return dataclasses.replace(command, payload={**command.payload, "to": self.parent})

    # -- the hub's thread ----------------------------------------------------------------------------

    def _on_hub(self, job: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(job, self._aio)

    async def _follow_again(self) -> None:
        """After a gap: follow again from this seat's cursor — unless the log no longer holds the next
        entry (its retention trimmed it while this seat was away): then the seat stops applying and
        says how to go on (a restart starts it from the newest snapshot, its own records kept)."""
        expected = self._answers.applied + 1
        try:
            first = await self._hub.first_seq()
        except HubUnavailable:
            first = expected  # asked again at the next gap
        if first > expected:
            log.error(
                "seat %s: the log keeps entries from %d on; this seat needs %d", self.seat, first, expected
            )
            self._follower.stall(
                LogTrimmed(
                    f"the centre's log no longer holds entry {expected} (it keeps entries from {first} on): "
                    f"restart seat {self.seat} to start from the newest snapshot"
                )
            )
            return
        await self._hub.refollow()

    def _keep_delta(self, delta: Delta) -> None:
        self.last_delta = self._on_hub(keep_delta(self._hub, delta, after=self.last_delta))
        self.last_delta.add_done_callback(_delta_kept)

    async def _start_lease(self) -> None:
        self._lease = self._hub.lease(self.seat, self._announce)
        self._lease.start(self._on_term)

    async def _announce(self, term: int) -> None:
        entry = lease_entry(term, self.seat, self.clock.now())
        await self._hub.publish(self.centre.lead_subject, encode(entry), entry.id)

    def _on_term(self, term: int | None) -> None:
        if self._leading is not None:
            self._leading.new_term()
        self._status.set(term=term)

    def _publish(
        self, subject: str, entry_id: str, data: bytes, settle: Callable[[Outcome], None],
        done: concurrent.futures.Future[Any],
    ) -> None:  # fmt: skip
        if not self._answers.expect(entry_id, (settle, done), self._problem):
            return

        async def send() -> None:
            try:
                ack = await self._hub.publish(subject, data, entry_id)
            except Exception as error:  # whatever it was, the caller must hear of it: never silence
                failed = HubUnavailable(f"not confirmed: {error!r}")
                self._answers.fail(entry_id, done, error if isinstance(error, HubUnavailable) else failed)
                return
            if ack.duplicate:
                # Stored once before (another seat ingested the same report): once that is applied
                # here, whatever still waits learns it was a repeat.
                applied: concurrent.futures.Future[int] = concurrent.futures.Future()
                applied.add_done_callback(lambda _: self._answers.repeat(entry_id, ack.seq))
                self._answers.wait_for(ack.seq, applied)
            # In the log, but this seat may not apply it soon (its follower lost with a node is made
            # again once the stream has a leader): an officer is not kept waiting past the timeout.
            late = HubUnavailable(
                f"not confirmed: in the log at {ack.seq}, not yet applied on seat {self.seat}"
            )
            asyncio.get_running_loop().call_later(self._timeout, self._answers.expire, entry_id, done, late)

        self._on_hub(send())

    # -- the store's thread --------------------------------------------------------------------------

    def _cut(self) -> None:
        """On the store's thread: cut a row delta now (the leader, at a snapshot's entry)."""
        if self._follower.cutter is not None:
            self._follower.cutter.cut()

    def _beat(self, ctx: LoopContext) -> Beat:
        if self._follower.cutter is not None:
            self._follower.cutter.beat()
        self._follower.fold(ctx.desk.conn)
        errors: tuple[str, ...] = ()
        try:  # the one local job: it writes no case, only this console's signature of the chain's head
            audit_checkpoint(BeatParts(ctx.desk, ctx.discovery, ctx.clock, ctx.audit_checkpoints))
        except Exception as error:
            log.error("the audit checkpoint failed this beat: %s", error, exc_info=error)
            errors = (f"audit checkpoint: {describe(error)}",)
        changes = ctx.changes.collect_elsewhere()
        self._tell(changes)
        return Beat(changes, job_health(ctx.desk.conn, errors))

    def _tell(self, changes: CasesChanged) -> None:
        if not changes:
            return
        with self._lock:
            listeners = tuple(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception as error:  # one broken subscriber must not stop the seat or the others
                log.error("a change subscriber failed: %s", error, exc_info=error)

    # -- bookkeeping ---------------------------------------------------------------------------------

    def _problem(self) -> BaseException | None:
        if self._closed:
            return HubUnavailable(f"seat {self.seat} is closed")
        if not self._status.now.online:
            return SeatOffline(f"seat {self.seat} is cut off from the hub: read-only until it is back")
        if self._follower.stalled is not None:
            return SeatStalled(f"seat {self.seat} stopped applying the log: {self._follower.stalled}")
        return None

    def _stop(self) -> None:
        hub: Hub | None = getattr(self, "_hub", None)
        try:  # bounded: every step of leaving is
            self._on_hub(leave(hub, self._lease)).result(3 * LEAVE_S + 1)
        except Exception as error:  # leaving must not fail the close
            log.warning("seat %s: closing the hub connection: %s", self.seat, error)
        self._aio.call_soon_threadsafe(self._aio.stop)
        self._aio_thread.join(self._timeout)
        if not self._aio_thread.is_alive():
            self._aio.close()
        self._local.close()
        self._answers.fail_all(HubUnavailable(f"seat {self.seat} closed"))


def _delta_kept(done: concurrent.futures.Future[None]) -> None:
    """Log a delta the hub did not keep: seats restarting replay the log over its entries."""
    error = None if done.cancelled() else done.exception()
    if error is not None:
        log.warning("a row delta was not kept on the hub: %s", error)


def _not_signed_in(ctx: LoopContext, command: Command) -> Refused | None:
    """The desk's `signed_out` refusal when the command's actor is not whom this console signed in (no
    check on a seat no one signs in to: a bench, a follower, a test)."""
    attendance = ctx.desk.attendance
    problem = attendance.problem(ctx.desk.conn, command.actor) if attendance is not None else None
    if problem is None:
        return None
    return Refused(Refusal.SIGNED_OUT, problem, current=ctx.desk.get(command.case_id))
