"""A deadline on the wall's injected clock, woken by a QTimer: tests move the clock and call check()."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from video.health import VideoClock


class Deadline(QObject):
    """Says `due` once the clock reaches the deadline. The QTimer only wakes it up; the clock decides,
    so a ManualClock moved by hand makes check() fire it without any real waiting."""

    due = Signal(object)
    """The deadline was reached (carries None)."""

    def __init__(self, clock: VideoClock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._at: float | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)

    @property
    def active(self) -> bool:
        return self._at is not None

    def start(self, seconds: float) -> None:
        """Due `seconds` from now (a running deadline is replaced)."""
        self._at = self._clock.monotonic() + max(0.0, seconds)
        self._arm()

    def stop(self) -> None:
        self._at = None
        self.timer.stop()

    def remaining(self) -> float:
        return 0.0 if self._at is None else max(0.0, self._at - self._clock.monotonic())

    def check(self) -> bool:
        """Fire if the clock has reached the deadline, else wait again for what is left."""
        if self._at is None:
            return False
        if self._clock.monotonic() < self._at:
            self._arm()
            return False
        self.stop()
        self.due.emit(None)
        return True

    def _arm(self) -> None:
        # Whole milliseconds, rounded up, so a real timer never wakes a hair before the deadline.
        self.timer.start(max(0, int(-(-self.remaining() * 1000 // 1))))
