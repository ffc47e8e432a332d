"""Which stream feeds which wall tile: the feeds of the grid and of a tour's next page, opened and closed
so that a camera that stays on screen is never reconnected."""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Mapping

from video.streams import StreamManager, TileFeed

# Tile index → the size its frames should have, and whether it wants the main stream.
SizeOf = Callable[[int], tuple[int, int]]
MainFor = Callable[[int], bool]


class TileFeeds:
    """The grid's TileFeeds by tile index, and the tour's pre-rolled ones waiting for their page."""

    def __init__(self, manager: StreamManager) -> None:
        self._manager = manager
        self._feeds: dict[int, TileFeed] = {}
        self._preroll: dict[int, TileFeed] = {}

    def items(self) -> ItemsView[int, TileFeed]:
        return self._feeds.items()

    def get(self, index: int) -> TileFeed | None:
        return self._feeds.get(index)

    @property
    def prerolling(self) -> bool:
        return bool(self._preroll)

    def sync(self, wanted: Mapping[int, str], size_of: SizeOf, main_for: MainFor) -> None:
        """Feed exactly the tiles in `wanted` (index → camera); new feeds open before replaced ones close,
        and a pre-rolled feed for the right camera is taken over instead of opening another."""
        retired: list[TileFeed] = []
        for index, camera in wanted.items():
            feed = self._feeds.get(index)
            if feed is not None and feed.camera_id == camera:
                continue
            fresh = self._preroll.pop(index, None)
            if fresh is None or fresh.camera_id != camera:
                if fresh is not None:
                    retired.append(fresh)
                fresh = TileFeed(self._manager, camera)
            fresh.set_target_size(*size_of(index))
            if feed is not None:
                retired.append(feed)
            self._feeds[index] = fresh
        for index in [i for i in self._feeds if i not in wanted]:
            retired.append(self._feeds.pop(index))
        for index, feed in self._feeds.items():
            feed.set_focused(main_for(index))
        for feed in retired:
            feed.close()

    def preroll(self, index: int, camera: str, size: tuple[int, int]) -> None:
        """Open `camera` for tile `index` ahead of showing it (the tour's next page)."""
        feed = TileFeed(self._manager, camera)
        feed.set_target_size(*size)
        self._preroll[index] = feed

    def swap(self, source: int, target: int, size_of: SizeOf) -> None:
        """The streams follow their cameras when two tiles trade them: no reconnect."""
        feeds = self._feeds
        moved = {source: feeds.pop(target, None), target: feeds.pop(source, None)}
        for index, feed in moved.items():
            if feed is not None:
                feeds[index] = feed
                feed.set_target_size(*size_of(index))

    def resize(self, index: int, size: tuple[int, int]) -> None:
        feed = self._feeds.get(index)
        if feed is not None:
            feed.set_target_size(*size)

    def resize_all(self, size_of: SizeOf) -> None:
        for index, feed in self._feeds.items():
            feed.set_target_size(*size_of(index))

    def close_preroll(self) -> None:
        for feed in self._preroll.values():
            feed.close()
        self._preroll.clear()

    def close_all(self) -> None:
        self.close_preroll()
        for feed in self._feeds.values():
            feed.close()
        self._feeds.clear()
