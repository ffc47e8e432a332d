"""The seat's status on the GUI thread: joined or cut off (离线 · 只读), leading or not, in the status bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from dispatch.seats.status import SeatStatus
from widgets.shell.status_bar import CockpitStatusBar

if TYPE_CHECKING:  # the NATS client loads only when a console joins a hub
    from dispatch.seats.seat import SeatLoop


class SeatStatusWatch(QObject):
    """Hears the seat's status on its hub thread and shows it in the status bar on the GUI thread."""

    status_changed = Signal(object)
    """The seat's status changed (carries a dispatch.seats.status.SeatStatus); on the GUI thread."""

    _arrived = Signal(object)  # from the seat's hub thread; queued to this object's (the GUI) thread

    def __init__(self, seat: SeatLoop, bar: CockpitStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = seat.seat
        self._bar = bar
        self._arrived.connect(self._on_seat_status)
        self._unwatch: Callable[[], None] | None = seat.watch_status(self._arrived.emit)
        self._on_seat_status(seat.status)  # what it is now; changes follow

    def _on_seat_status(self, status: SeatStatus) -> None:
        self._bar.show_seat(self._name, status.online, status.leading, stopped=status.stopped)
        self.status_changed.emit(status)

    def close(self) -> None:
        """Stop hearing the seat (before it closes)."""
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
