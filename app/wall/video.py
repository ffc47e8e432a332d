"""The wall's live pictures: streams for the camera tiles on screen and the takeover's camera, painted on
the frame clock; a camera that is down says so, with for how long."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from PySide6.QtCore import QObject

from app.wall.build import WallParts
from app.wall.window import WallWindow
from video.health import Health
from video.registry import CameraRegistry
from video.streams import StreamManager, TileFeed
from widgets.wall.video_block import WallCameraTile, WallVideoBlock

# Health is judged, and the words under a down camera rewritten, this often (seconds).
STATUS_INTERVAL_S = 0.5
DOWN = frozenset({Health.STALE, Health.RECONNECTING, Health.OFFLINE})


class WallVideo(QObject):
    """Decodes exactly what the room sees: a feed per camera tile of the page in front and per takeover
    camera; tiles of pages behind decode nothing. Decoding and scaling run on the capture threads
    (video/), the GUI thread only wraps each newest frame and paints it (`tick`, on the frame clock).

    `now` is epoch seconds (the wall's clock), `monotonic` the clock the stream health is judged on.
    """

    def __init__(
        self,
        windows: Sequence[tuple[WallWindow, WallParts]],
        manager: StreamManager,
        now: Callable[[], float],
        monotonic: Callable[[], float],
        upcoming: Callable[[], int | None] = lambda: None,
    ) -> None:
        """`upcoming`: the page the carousel is about to show (None: none soon); its cameras are opened
        ahead, so the page comes up with live pictures instead of "connecting"."""
        super().__init__()
        self._upcoming = upcoming
        self.windows = tuple(windows)
        self.manager = manager
        self._now, self._monotonic = now, monotonic
        self._feeds: dict[WallCameraTile, TileFeed] = {}
        self._opened_at: dict[WallCameraTile, float] = {}
        self._sizes: dict[WallCameraTile, tuple[int, int]] = {}
        self._next_status = -math.inf
        self.closed = False

    @property
    def registry(self) -> CameraRegistry:
        return self.manager.registry

    def showing(self) -> frozenset[str]:
        """The cameras whose streams are open for the wall now."""
        return frozenset(feed.camera_id for feed in self._feeds.values())

    def tick(self, _: object = None) -> None:
        """One frame: open and close feeds for what is on screen, paint each tile's newest frame, and
        at 2 Hz say which cameras are down."""
        if self.closed:
            return
        self._sync([*self._tiles_on_screen(), *self._tiles_coming()])
        for tile, feed in self._feeds.items():
            frame = feed.latest()
            if frame is not None:
                tile.show_frame(frame)
        now = self._monotonic()
        if now >= self._next_status:
            self._next_status = now + STATUS_INTERVAL_S
            self._show_states()

    def close(self) -> None:
        """Release every stream and join the capture threads (before any stream server goes away)."""
        if self.closed:
            return
        self.closed = True
        for feed in self._feeds.values():
            feed.close()
        self._feeds.clear()
        self.manager.close()

    def _tiles_on_screen(self) -> Iterator[WallCameraTile]:
        for window, parts in self.windows:
            takeover = window.takeover
            if takeover.isVisible():
                # The takeover covers the page: only its camera is seen.
                if takeover.video.isVisible():
                    yield takeover.video
                continue
            for block in parts.videos:
                if block.isVisible():
                    yield from block.tiles.values()

    def _tiles_coming(self) -> Iterator[WallCameraTile]:
        index = self._upcoming()
        if index is None:
            return
        for window, _ in self.windows:
            if not window.takeover.isVisible() and 0 <= index < window.pages.count():
                for block in window.page(index).findChildren(WallVideoBlock):
                    yield from block.tiles.values()

    def _sync(self, tiles: list[WallCameraTile]) -> None:
        wanted = set(tiles)
        for tile in [t for t in self._feeds if t not in wanted or self._feeds[t].camera_id != t.camera_id]:
            self._feeds.pop(tile).close()
            self._opened_at.pop(tile, None)
            self._sizes.pop(tile, None)
            # A page that turns away keeps its last pictures: they are what it shows for the moment it
            # comes up again, until its cameras (opened ahead of it) paint afresh.
        for tile in tiles:
            feed = self._feeds.get(tile)
            if feed is None:
                if tile.camera_id not in self.registry:
                    tile.show_unknown()
                    continue
                feed = self._feeds[tile] = TileFeed(self.manager, tile.camera_id)
                self._opened_at[tile] = self._now()
                self._next_status = -math.inf
            size = tile.picture.target_size()
            wanted_size = (size.width(), size.height())
            if self._sizes.get(tile) != wanted_size:
                # Frames are scaled to the tile on the capture thread, never on the GUI thread.
                self._sizes[tile] = wanted_size
                feed.set_target_size(*wanted_size)

    def _show_states(self) -> None:
        now = self._now()
        for tile, feed in self._feeds.items():
            status = feed.status()
            if status is None or status.health is Health.CONNECTING:
                tile.show_waiting()
            elif status.health in DOWN:
                since = status.last_frame_wall or self._opened_at.get(tile, now)
                tile.show_no_signal(max(0, int((now - since) // 60)))
            else:
                tile.show_live()
