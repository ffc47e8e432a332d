"""Who waits on a seat: publishes for their entry to be applied, callers for a sequence to be reached."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
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
