"""What a seat's feed publishes to the centre's log (reports, units' reports, readings): a bounded number in
flight, and whatever the hub did not take tried again, in order, once the seat is joined again."""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import logging
import threading
from collections.abc import Callable

from dispatch.seats.apply import Outcome
from dispatch.seats.hub_client import HubUnavailable

log = logging.getLogger(__name__)
# One publish's future (each publish of the same thing is the same entry: its id is its identity).
Send = Callable[[], concurrent.futures.Future[Outcome]]
IN_FLIGHT = 1_000  # publishes not yet answered at most: a burst must not time the hub's answers out
KEEP = 50_000  # publishes waiting at most (about half an hour of a busy feed cut off); then the oldest go
LOG_EVERY = 100


class Outbound:
    """Publishes in the order given; a publish the hub did not take (cut off, not confirmed) goes back to
    the head of the line and is tried again at the next `pump` while the seat is joined. A publish
    refused as no entry at all is counted (`refused`), not tried again."""

    def __init__(self, online: Callable[[], bool], *, in_flight: int = IN_FLIGHT, keep: int = KEEP) -> None:
        self._online = online
        self._limit, self._keep = in_flight, keep
        self._lock = threading.Lock()
        self._queue: collections.deque[Send] = collections.deque()
        self._flying = 0
        self.refused = 0  # publishes the seat refused as no entry (never tried again)
        self.dropped = 0  # publishes given up because too many waited (the oldest first)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._queue)

    def add(self, send: Send) -> None:
        with self._lock:
            self._queue.append(send)
            if len(self._queue) > self._keep:
                self._queue.popleft()
                self.dropped += 1
                dropped = self.dropped
            else:
                dropped = 0
        if dropped % LOG_EVERY == 1:
            log.error(
                "%d feed entries given up: more than %d waited for the centre's log", dropped, self._keep
            )

    def pump(self) -> None:
        """Publish what waits, while the seat is joined and fewer than the limit are in flight."""
        while self._online():
            with self._lock:
                if not self._queue or self._flying >= self._limit:
                    return
                send = self._queue.popleft()
                self._flying += 1
            try:
                sent = send()
            except Exception as error:  # a publish that cannot even start is tried again
                self._back(send, error)
                return
            sent.add_done_callback(functools.partial(self._answered, send))
            if sent.done() and isinstance(sent.exception(), HubUnavailable):
                return  # refused at once (the seat closing): again at the next pump, not in a spin

    def _answered(self, send: Send, done: concurrent.futures.Future[Outcome]) -> None:
        error = done.exception()
        if isinstance(error, HubUnavailable):
            self._back(send, error)
            return
        with self._lock:
            self._flying -= 1
            if error is not None:
                self.refused += 1
                refused = self.refused
            else:
                refused = 0
        if refused % LOG_EVERY == 1:
            log.warning("%d feed entries refused by the seat; the latest: %s", refused, error)

    def _back(self, send: Send, error: BaseException) -> None:
        with self._lock:
            self._flying -= 1
            self._queue.appendleft(send)
        log.debug("a feed entry waits for the centre's log: %s", error)
