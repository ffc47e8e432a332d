"""Timing of the wall's unrequested changes: a deadline on its injected clock (woken by a QTimer; tests move
the clock and call check()) and the pop-up rate limit as plain values."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from core.clock import Clock


class Deadline(QObject):
    """Says `due` once the clock reaches the deadline. The QTimer only wakes it up; the clock decides,
    so a ManualClock moved by hand makes check() fire it without any real waiting."""

    due = Signal(object)
    """The deadline was reached (carries None)."""

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
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


class PopupGate:
    """The rate limit of unrequested pop-ups, as plain values: a case offered less than `interval_s` after
    the last one shown is held (a newer offer replaces it) until the interval is over."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.last_shown: float | None = None
        self.held: int | None = None

    def offer(self, case_id: int, now: float) -> bool:
        """True: show `case_id` now (and count it). False: it is held; `wait(now)` says for how long."""
        # The same arithmetic as wait(): a deadline set from wait() always finds the turn open.
        if self.wait(now) > 0.0:
            self.held = case_id
            return False
        self.last_shown, self.held = now, None
        return True

    def wait(self, now: float) -> float:
        """Seconds until a held case may show (0 when it may now)."""
        return 0.0 if self.last_shown is None else max(0.0, self.last_shown + self.interval_s - now)

    def take_held(self) -> int | None:
        """The held case, no longer held (the caller offers it again when its turn comes)."""
        held, self.held = self.held, None
        return held

    def drop(self, case_id: int) -> None:
        """The case no longer needs its turn (acknowledged, closed, or shown on request)."""
        if self.held == case_id:
            self.held = None
