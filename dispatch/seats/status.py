"""What a seat is to its centre now: joined or cut off from the hub, leading the periodic jobs or not."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SeatStatus:
    """`online`: the hub answers; a seat cut off keeps its replica, shows it read-only and refuses commands.
    `term`: the lease term this seat leads the periodic jobs under (None: another seat leads).
    `stopped`: why this seat stopped applying the log for good (its store failed to write, or the log no
    longer holds what it needs: restart it); None while it follows."""

    online: bool = True
    term: int | None = None
    stopped: str | None = None

    @property
    def leading(self) -> bool:
        return self.term is not None


StatusListener = Callable[[SeatStatus], None]


class StatusBoard:
    """The seat's status, its listeners (called on the thread that changed it: hop before touching a
    widget) and waiting for a status with a deadline."""

    def __init__(self) -> None:
        self._status = SeatStatus()
        self._changed = threading.Condition()
        self._listeners: list[StatusListener] = []

    @property
    def now(self) -> SeatStatus:
        return self._status

    def set(self, **fields: object) -> None:
        with self._changed:
            status = dataclasses.replace(self._status, **fields)  # type: ignore[arg-type]
            if status == self._status:
                return
            self._status = status
            listeners = tuple(self._listeners)
            self._changed.notify_all()
        for listener in listeners:
            try:
                listener(status)
            except Exception as error:  # one broken listener must not stop the seat or the others
                log.error("a seat status listener failed: %s", error, exc_info=error)

    def watch(self, listener: StatusListener) -> Callable[[], None]:
        with self._changed:
            self._listeners.append(listener)

        def unwatch() -> None:
            with self._changed:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unwatch

    def wait_for(self, wanted: Callable[[SeatStatus], bool], timeout: float) -> SeatStatus:
        """The status once `wanted(status)` holds; TimeoutError after `timeout` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: wanted(self._status), timeout):
                raise TimeoutError(f"seat status still {self._status} after {timeout} s")
            return self._status
