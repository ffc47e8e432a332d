"""Who waits on a seat: publishes for their entry to be applied, callers for a sequence to be reached."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Sequence
from typing import Any

from dispatch.seats.apply import Outcome

# How a publish is answered (with its entry's outcome here), and the future its caller holds.
Waiter = tuple[Callable[[Outcome], None], concurrent.futures.Future[Any]]


class Waiting:
    """Publishes waiting for their entry, by message id (a report may be published again: a retry, or
    another of the seat's intakes; each publish is answered once), and callers waiting until the seat
    has applied a sequence. Not thread-safe: the seat calls it with its lock held."""

    def __init__(self) -> None:
        self._entries: dict[str, list[Waiter]] = {}
        self._seqs: list[tuple[int, concurrent.futures.Future[int]]] = []

    def add(self, entry_id: str, waiter: Waiter) -> None:
        self._entries.setdefault(entry_id, []).append(waiter)

    def take(self, entry_id: str, done: concurrent.futures.Future[Any] | None = None) -> Waiter | None:
        """The oldest publish of `entry_id` still waiting (or the one of `done`), no longer waiting."""
        waiters = self._entries.get(entry_id, [])
        found = next((w for w in waiters if done is None or w[1] is done), None)
        if found is not None:
            waiters.remove(found)
            if not waiters:
                del self._entries[entry_id]
        return found

    def add_seq(self, seq: int, done: concurrent.futures.Future[int]) -> None:
        self._seqs.append((seq, done))

    def reached(self, seq: int) -> list[concurrent.futures.Future[int]]:
        """The callers waiting for `seq` or an earlier sequence, no longer waiting."""
        ready = [done for at, done in self._seqs if at <= seq]
        self._seqs = [(at, done) for at, done in self._seqs if at > seq]
        return ready

    def clear(self) -> list[concurrent.futures.Future[Any]]:
        """Every future still waiting, none waiting any more (to fail them all)."""
        futures = [done for waiters in self._entries.values() for _, done in waiters]
        futures += [done for _, done in self._seqs]
        self._entries, self._seqs = {}, []
        return futures


class Answers:
    """Every caller of a seat hears once what became of its entry: applied here (the outcome every seat
    got), a repeat of one stored before, not confirmed, or the seat's trouble. Thread-safe: the hub's
    thread, the store's thread and callers use it; callbacks run outside its lock.

    `applied` (the last sequence this seat's store holds) lives here, under the same lock as the waiters,
    so that a caller waiting for a sequence is never added just after that sequence was reached."""

    def __init__(self, seat: str) -> None:
        self.seat = seat
        self.applied = 0
        self._lock = threading.Lock()
        self._waiting = Waiting()
        self._ended: BaseException | None = None  # fail_all's error: the seat applies nothing more

    def expect(self, entry_id: str, waiter: Waiter, problem: Callable[[], BaseException | None]) -> bool:
        """Wait for `entry_id` before it is published (this seat may apply it before the hub answers);
        False, and the caller told, when `problem()` says the seat takes nothing now."""
        with self._lock:
            trouble = problem()
            if trouble is None:
                self._waiting.add(entry_id, waiter)
                return True
        waiter[1].set_exception(trouble)
        return False

    def fail(self, entry_id: str, done: concurrent.futures.Future[Any], error: BaseException) -> None:
        """The publish of `done` failed: it waits no more, and hears `error`."""
        with self._lock:
            self._waiting.take(entry_id, done)
        if not done.done():
            done.set_exception(error)

    def repeat(self, entry_id: str, seq: int) -> None:
        """The hub had `entry_id` already, at `seq` (applied here by now): the oldest publish of it still
        waiting hears it was a repeat."""
        with self._lock:
            waiting = self._waiting.take(entry_id)
        if waiting is not None and not waiting[1].done():
            waiting[0](Outcome(seq, entry_id, self.seat, duplicate=True))

    def expire(self, entry_id: str, done: concurrent.futures.Future[Any], error: BaseException) -> None:
        """`done` waited too long for its stored entry to be applied here: it hears `error` (if still
        waiting)."""
        self.fail(entry_id, done, error)

    def wait_for(self, seq: int, done: concurrent.futures.Future[int]) -> None:
        """Resolve `done` with the applied sequence once it is `seq` or later."""
        with self._lock:
            ended, applied = self._ended, self.applied
            if applied < seq and ended is None:
                self._waiting.add_seq(seq, done)
                return
        if applied < seq and ended is not None:  # it would wait for ever: the seat stopped
            done.set_exception(ended)
            return
        done.set_result(applied)

    def reached(self, seq: int, outcomes: Sequence[Outcome]) -> None:
        """The store applied up to `seq`, with `outcomes`: this seat's own entries answer their publishes
        (another seat's entry with the same id is answered through the hub's duplicate acknowledgement),
        and whoever waited for `seq` or before is told."""
        with self._lock:
            self.applied = seq
            answers = [
                (outcome, self._waiting.take(outcome.entry_id))
                for outcome in outcomes
                if outcome.seat == self.seat
            ]
            ready = self._waiting.reached(seq)
        for outcome, waiting in answers:
            if waiting is not None and not waiting[1].done():
                waiting[0](outcome)
        for done in ready:
            done.set_result(seq)

    def fail_all(self, error: BaseException) -> None:
        """The seat stopped for good (closed, stalled): every caller waiting hears `error`, and so does
        whoever waits for a sequence it has not reached after this."""
        with self._lock:
            self._ended = error
            futures = self._waiting.clear()
        for done in futures:
            if not done.done():
                done.set_exception(error)
