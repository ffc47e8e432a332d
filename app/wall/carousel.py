"""The page carousel: each page for its dwell, in turn, on the injected clock; held while an alarm is up."""

from __future__ import annotations

from collections.abc import Sequence


class Carousel:
    """`tick(now)` returns the page to show. `hold(True)` keeps the page shown while an alarm is up; when
    released the page gets the rest of its dwell, so a page interrupted late is not skipped at once."""

    def __init__(self, dwells: Sequence[float], now: float) -> None:
        if not dwells or min(dwells) <= 0:
            raise ValueError("a carousel needs at least one page, each with a positive dwell")
        self._dwells = tuple(dwells)
        self.index = 0
        self._shown_at = now
        self._held_at: float | None = None

    @property
    def held(self) -> bool:
        return self._held_at is not None

    def hold(self, on: bool, now: float) -> None:
        if on and self._held_at is None:
            self._held_at = now
        elif not on and self._held_at is not None:
            # The time held does not count against the page's dwell.
            self._shown_at += now - self._held_at
            self._held_at = None

    def tick(self, now: float) -> int:
        if self._held_at is not None or len(self._dwells) == 1:
            return self.index
        # A clock that jumps (a suspended machine, a drill at speed) moves one page, not many.
        if now - self._shown_at >= self._dwells[self.index]:
            self.index = (self.index + 1) % len(self._dwells)
            self._shown_at = now
        return self.index

    def remaining(self, now: float) -> float:
        """Seconds until the next page (the rest of the dwell while held)."""
        shown = (self._held_at if self._held_at is not None else now) - self._shown_at
        return max(0.0, self._dwells[self.index] - shown)
