"""Tour (轮巡) arithmetic: which camera goes on which tile for each page, skipping tiles held by alarms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TourPage:
    """Tile index → camera id for the tiles the page changes."""

    cameras: dict[int, str]


class Tour:
    """Cycles `cameras` through the free tiles of the wall, one page every `interval` seconds.

    Time is whatever the caller's monotonic clock says; nothing here reads a clock.
    """

    def __init__(self, group: str, cameras: Sequence[str], interval: float, started_at: float) -> None:
        if not cameras:
            raise ValueError("a tour needs at least one camera")
        if interval <= 0:
            raise ValueError("the tour interval must be positive")
        self.group = group
        self.cameras = tuple(cameras)
        self.interval = interval
        self.next_at = started_at + interval
        self._start = 0
        # How many cameras the page on the wall shows: the next page starts right after them.
        self._shown = 0

    def page(self, free_tiles: Sequence[int]) -> TourPage:
        """Lay the current page onto `free_tiles` in order (at the start, or after a layout change).

        With fewer cameras than free tiles every camera is shown once and the other tiles keep theirs.
        """
        page = self._page_at(self._start, free_tiles)
        self._shown = len(page.cameras)
        return page

    def next_page(self, free_tiles: Sequence[int]) -> TourPage:
        """The page `advance` will show (so its streams can open a moment early)."""
        return self._page_at(self._next_start(), free_tiles)

    def advance(self, free_tiles: Sequence[int], now: float) -> TourPage:
        """Move on one page and schedule the next change one interval later (from now, if far behind)."""
        self._start = self._next_start()
        following = self.next_at + self.interval
        self.next_at = following if following > now else now + self.interval
        return self.page(free_tiles)

    def position(self) -> tuple[int, int]:
        """(page number from 1, pages) of the page on the wall, counted in pages of its size."""
        slots = max(1, self._shown)
        return self._start // slots + 1, -(-len(self.cameras) // slots)

    def due(self, now: float) -> bool:
        return now >= self.next_at

    def remaining(self, now: float) -> float:
        return max(0.0, self.next_at - now)

    def _next_start(self) -> int:
        start = self._start + self._shown
        # Once the list is done the tour starts again at the first camera, so page numbers mean something.
        return 0 if start >= len(self.cameras) else start

    def _page_at(self, start: int, free_tiles: Sequence[int]) -> TourPage:
        count = len(self.cameras)
        slots = min(len(free_tiles), count)
        return TourPage(
            {tile: self.cameras[(start + i) % count] for i, tile in enumerate(free_tiles[:slots])}
        )
