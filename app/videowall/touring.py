"""The video wall's tours (轮巡): a camera group paged over the free tiles, pre-rolled, held by alarms."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from app.videowall.feeds import TileFeeds
from app.videowall.memory import WallMemory
from app.videowall.tour import Tour, TourPage
from core.clock import Clock
from video.registry import CameraRegistry
from widgets.common.style import fill
from widgets.videowall.camera_tree import CameraTree
from widgets.videowall.video_wall import TourRequest, VideoWall

# A tour opens the next page's streams this long before it shows them, so no tile waits blank.
TOUR_PREROLL_S = 1.5


class WallTours(QObject):
    """Runs one tour at a time over the wall's cameras (shared with the controller, which owns them); the
    officer's arrangement is kept aside and comes back when the tour stops."""

    def __init__(
        self,
        wall: VideoWall,
        tree: CameraTree,
        registry: CameraRegistry,
        feeds: TileFeeds,
        memory: WallMemory,
        clock: Clock,
        *,
        cameras: list[str | None],
        alarms: set[str],
        role: Callable[[], str],
        sync: Callable[[], None],
        save: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.wall, self.registry = wall, registry
        self._feeds, self._memory, self._clock = feeds, memory, clock
        self._cameras, self._alarms = cameras, alarms
        self._role, self._sync, self._save = role, sync, save
        self.tour: Tour | None = None
        self._before_tour: list[str | None] | None = None
        # The tour that ran when the wall was last closed, started again by resume().
        self.pending: tuple[str, float] | None = None
        wall.tour_requested.connect(self._on_wall_tour_requested)
        wall.tour_stop_requested.connect(self._on_wall_tour_stop_requested)
        tree.tour_requested.connect(self._on_tree_tour_requested)

    def start(self, group: str, interval_s: float) -> bool:
        """Cycle the group's viewable cameras through the wall; the manual arrangement returns on stop."""
        cameras = [c.id for c in self.registry.groups(self._role()).get(group, ())]
        if not cameras:
            return False
        if self.tour is None:
            self._before_tour = list(self._cameras)
        self._feeds.close_preroll()
        self.tour = Tour(group, cameras, interval_s, self._clock.monotonic())
        self._apply_page(self.tour.page(self.free_tiles()))
        self._memory.save_tour(group, interval_s)
        self._show_state(self._clock.monotonic())
        return True

    def stop(self) -> None:
        if self.tour is None:
            return
        self.tour = None
        self._feeds.close_preroll()
        if self._before_tour is not None:
            self._cameras[:], self._before_tour = self._before_tour, None
        self._memory.forget_tour()
        self._save()
        self._sync()
        self._show_state(self._clock.monotonic())

    def resume(self) -> None:
        """Start the tour that was running when the wall was last closed, if any."""
        if self.pending is not None:
            group, interval = self.pending
            self.pending = None
            self.start(group, interval)

    def relayout(self) -> None:
        """The wall's layout changed: lay the current page onto the new free tiles."""
        if self.tour is not None:
            self._feeds.close_preroll()
            self._apply_page(self.tour.page(self.free_tiles()))

    def advance(self, now: float) -> None:
        """The slow tick: pre-roll the next page's streams, turn the page when due, show where it is."""
        tour = self.tour
        if tour is None:
            return
        if self.wall.maximised is None:
            free = self.free_tiles()
            if not self._feeds.prerolling and tour.remaining(now) <= TOUR_PREROLL_S:
                for index, camera in tour.next_page(free).cameras.items():
                    if self._cameras[index] != camera:
                        self._feeds.preroll(index, camera, self.wall.tiles[index].frame_size())
            if tour.due(now):
                self._apply_page(tour.advance(free, now))
        self._show_state(now)

    def free_tiles(self) -> list[int]:
        """The tiles of the layout a tour may change: those not held by a camera in alarm."""
        count = self.wall.wall_layout.count
        return [i for i in range(count) if self._cameras[i] not in self._alarms or self._cameras[i] is None]

    def _apply_page(self, page: TourPage) -> None:
        for index, camera in page.cameras.items():
            self._cameras[index] = camera
        self._sync()
        self._feeds.close_preroll()

    def _show_state(self, now: float) -> None:
        tour = self.tour
        if tour is None:
            self.wall.show_tour(False, "")
            return
        number, pages = tour.position()
        name = self.registry.group_names.get(tour.group, tour.group)
        if self.wall.maximised is not None:
            text = fill(self.tr("Tour %1 · held while a tile is maximised"), name)
        else:
            text = fill(self.tr("Tour %1 · page %2/%3 · next in %4 s"), name, number, pages,
                        round(tour.remaining(now)))  # fmt: skip
        self.wall.show_tour(True, text)

    def _on_wall_tour_requested(self, request: TourRequest) -> None:
        if not self.start(request.group, request.interval_s):
            self.wall.show_tour(False, "")

    def _on_wall_tour_stop_requested(self, _: object) -> None:
        self.stop()

    def _on_tree_tour_requested(self, group: str) -> None:
        self.start(group, self.wall.tour_interval.value())
