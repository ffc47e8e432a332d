"""A seat's store following the log: what the hub delivers queues here and is applied on the store's own
thread, a batch per transaction, the cursor with it; callers and listeners hear what each batch did."""

from __future__ import annotations

import collections
import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Callable

from dispatch.casework.policy import Policy
from dispatch.casework.records.discovery import Locate
from dispatch.changes import CasesChanged, Origin
from dispatch.seats.apply import Applier, Delivery, Outcome
from dispatch.seats.catch_up import Cutter
from dispatch.seats.waiting import Answers
from dispatch.service import LocalLoop, LoopContext

log = logging.getLogger(__name__)
# Entries applied in one transaction at most: large enough to make a catch-up cheap, small enough that a
# query from the app waits for one batch at most.
BATCH = 200
# The loop's connection never checkpoints by itself (LocalLoop keeps that off the officer's commit path;
# the beat folds the WAL back). A seat also folds it after this much applied (weight: rows, not entries),
# or a catch-up or a busy feed would grow the WAL without bound between beats.
FOLD_EVERY = 1000


def weight(outcome: Outcome) -> int:
    """What an entry wrote, in rows of its kind: a packed entry its reports, a run of discovery the cases it
    opened (up to 500 each), anything else one. The WAL is folded back by this, not by entries: by entries
    a packed feed let it grow to tens of megabytes, and the fold that came then held the store's thread
    ~0.3 s (the bench's slowest command round trip doubled)."""
    return max(1, outcome.stored + outcome.set_aside + len(outcome.opened))


class SeatStalled(RuntimeError):
    """This seat stopped applying the log (its store failed to write): it takes no commands."""


class Follower:
    """Applies the log to one seat's store (dispatch.seats.apply.Applier) as the hub delivers it."""

    def __init__(
        self, seat: str, local: LocalLoop, answers: Answers, tell: Callable[[CasesChanged], None],
        refollow: Callable[[], object], stopped: Callable[[str], None] = lambda why: None,
    ) -> None:  # fmt: skip
        self.seat = seat
        self._local, self._answers, self._tell, self._refollow = local, answers, tell, refollow
        self._stopped = stopped  # the seat's status hears why it stopped
        self._lock = threading.Lock()
        self._inbox: collections.deque[Delivery] = collections.deque()
        self._draining = False  # a drain job is queued on the store's thread
        self._unfolded = 0  # what was applied since the WAL was last folded back (weight(), summed)
        self._refollowed = 0  # the entry a re-follow was last asked for (after a gap)
        self._applier: Applier | None = None
        # A seat that may lead records what its apply writes, for the row deltas it cuts while it leads.
        self.cutter: Cutter | None = None
        self.stalled: BaseException | None = None  # the store error this seat stopped at
        self.closed = False

    def open(self, ctx: LoopContext, policy: Policy, locate: Locate) -> int:
        """On the store's thread: the applier of this store; the last sequence it holds."""
        self._applier = Applier(ctx.desk.conn, policy, locate)
        if self.cutter is not None:
            self.cutter.open(ctx.desk.conn)
        return self._applier.seq

    async def deliver(self, seq: int, data: bytes, stored_at: float, subject: str) -> None:
        """On the hub's thread: one entry as the hub delivered it. The hub does not wait for the store
        (a catch-up streams on): entries queue, and the store's thread applies what has gathered."""
        with self._lock:
            self._inbox.append((seq, data, stored_at, subject))
            if self._draining:
                return
            self._draining = True
        self._local.write(self._drain)

    def stall(self, error: BaseException) -> None:
        """Stop applying the log, for `error` (said to whatever waits, and to every command after it)."""
        with self._lock:
            self.stalled = error
        self._answers.fail_all(SeatStalled(f"seat {self.seat} stopped applying the log: {error}"))
        self._stopped(str(error))

    @property
    def undiscovered(self) -> bool:
        """Events stored in this replica that no run of discovery has taken yet (read from any thread)."""
        return self._applier is not None and self._applier.undiscovered

    def fold(self, conn: sqlite3.Connection) -> None:
        """Fold the WAL back into the store as far as readers allow (never waits for them)."""
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._unfolded = 0

    def _drain(self, ctx: LoopContext) -> None:
        """Apply one batch of what arrived, then hand the thread back (queries go between batches) and
        come again while there is more."""
        with self._lock:
            batch = [self._inbox.popleft() for _ in range(min(BATCH, len(self._inbox)))]
            if self.stalled is not None or self.closed:  # what is left stays in the log
                self._inbox.clear()
                batch = []
        if batch:
            self._apply(ctx, batch)
        with self._lock:
            if not self._inbox or self.closed:
                self._draining = False
                return
        self._local.write(self._drain)

    def _apply(self, ctx: LoopContext, entries: list[Delivery]) -> None:
        assert self._applier is not None
        try:
            batch = self._applier.apply_batch(entries)
        except sqlite3.Error as error:
            log.error("seat %s stopped at log entry %d: %s", self.seat, entries[0][0], error, exc_info=error)
            self.stall(error)
            return
        if batch.gap is not None and self._refollowed != batch.gap.expected:
            self._refollowed = batch.gap.expected  # once per hole, not once per entry after it
            log.warning("seat %s: %s; following again from there", self.seat, batch.gap)
            self._refollow()
        if not batch.outcomes:
            return
        if self.cutter is not None:
            self.cutter.applied(batch.outcomes)
        self._unfolded += sum(weight(outcome) for outcome in batch.outcomes)
        if self._unfolded >= FOLD_EVERY:
            self.fold(ctx.desk.conn)
        changes = ctx.changes.collect(Origin.CONSOLE)
        if changes:
            # One value per batch (usually one entry): where its changes came from, all of them.
            origins = {Origin.CONSOLE if o.seat == self.seat else Origin.ELSEWHERE for o in batch.outcomes}
            changes = dataclasses.replace(changes, origins=frozenset(origins))
        self._tell(changes)
        self._answers.reached(self._applier.seq, batch.outcomes)
