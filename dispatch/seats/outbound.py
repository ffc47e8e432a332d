"""What a seat's feed publishes to the centre's log (reports, units' reports, readings): a bounded number in
flight, and whatever the hub did not take tried again, in order, once the seat is joined again."""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import logging
import threading
import time
from collections.abc import Callable

from dispatch.seats.apply import Outcome
from dispatch.seats.hub_client import HubUnavailable

log = logging.getLogger(__name__)
# One publish's future (each publish of the same thing is the same entry: its id is its identity).
Send = Callable[[], concurrent.futures.Future[Outcome]]
IN_FLIGHT = 1_000  # reports (and readings) published and not yet answered at most: a burst must not time
# the hub's answers out
KEEP = 50_000  # reports waiting at most (about half an hour of a busy feed cut off); then the oldest go
LOG_EVERY = 100
SAY_EVERY_S = 10.0


class Outbound:
    """Publishes in the order given; a publish the hub did not take (cut off, not confirmed) goes back to
    the head of the line and is tried again at the next `pump` while the seat is joined. A publish
    refused as no entry at all is counted (`refused`), not tried again.

    Each publish weighs what it carries (a packed entry: its reports), and the limits count weight: a
    seat cut off for long keeps at most KEEP reports, however they were packed, and one publish always
    goes, however heavy."""

    def __init__(self, online: Callable[[], bool], *, in_flight: int = IN_FLIGHT, keep: int = KEEP) -> None:
        self._online = online
        self._limit, self._keep = in_flight, keep
        self._lock = threading.Lock()
        self._queue: collections.deque[tuple[Send, int]] = collections.deque()
        self._queued = 0  # the weight waiting
        self._flying = 0  # the weight in flight
        self.refused = 0  # publishes the seat refused as no entry (never tried again)
        self.dropped = 0  # weight given up because too much waited (the oldest first)
        self._said = float("-inf")  # when giving up was last logged

    @property
    def waiting(self) -> int:
        """Publishes waiting (not their weight)."""
        with self._lock:
            return len(self._queue)

    def add(self, send: Send, weight: int = 1) -> None:
        with self._lock:
            self._queue.append((send, weight))
            self._queued += weight
            dropped = 0
            while self._queued > self._keep and len(self._queue) > 1:
                _, gone = self._queue.popleft()
                self._queued -= gone
                self.dropped += gone
                dropped = self.dropped
        now = time.monotonic()
        if dropped and now - self._said >= SAY_EVERY_S:  # not a line a frame while cut off for long
            self._said = now
            log.error("%d feed reports given up so far: more than %d waited for the centre's log",
                      dropped, self._keep)  # fmt: skip

    def pump(self) -> None:
        """Publish what waits, while the seat is joined and the weight in flight stays within the limit."""
        while self._online():
            with self._lock:
                if not self._queue:
                    return
                send, weight = self._queue[0]
                if self._flying and self._flying + weight > self._limit:
                    return
                self._queue.popleft()
                self._queued -= weight
                self._flying += weight
            try:
                sent = send()
            except Exception as error:  # a publish that cannot even start is tried again
                self._back(send, weight, error)
                return
            sent.add_done_callback(functools.partial(self._answered, send, weight))
            if sent.done() and isinstance(sent.exception(), HubUnavailable):
                return  # refused at once (the seat closing): again at the next pump, not in a spin

    def _answered(self, send: Send, weight: int, done: concurrent.futures.Future[Outcome]) -> None:
        error = done.exception()
        if isinstance(error, HubUnavailable):
            self._back(send, weight, error)
            return
        with self._lock:
            self._flying -= weight
            if error is not None:
                self.refused += 1
                refused = self.refused
            else:
                refused = 0
        if refused % LOG_EVERY == 1:
            log.warning("%d feed entries refused by the seat; the latest: %s", refused, error)

    def _back(self, send: Send, weight: int, error: BaseException) -> None:
        with self._lock:
            self._flying -= weight
            self._queue.appendleft((send, weight))
            self._queued += weight
        log.debug("a feed entry waits for the centre's log: %s", error)
