"""The video wall controller: streams for the tiles shown, painting on the FrameClock, tours, linkage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings

from app.videowall.feeds import TileFeeds
from app.videowall.linkage import CameraLink, LinkedCase
from app.videowall.memory import WallMemory, seconds_setting
from app.videowall.motion import MotionMarks
from app.videowall.snapshots import SnapshotToasts, SnapshotWriter
from app.videowall.timing import Deadline
from app.videowall.tour import Tour
from app.videowall.touring import WallTours
from core.clock import Clock, SystemClock
from video.motion import Box, MotionCallback
from video.registry import CameraRegistry
from video.streams import StreamManager
from widgets.videowall.camera_tree import CameraGroup, CameraTree
from widgets.videowall.tile import VideoTile
from widgets.videowall.tile_drag import TileDrop, TileSwap
from widgets.videowall.video_wall import MAX_TILES, VideoWall, WallLayout, layout_for

STATUS_INTERVAL_S = 0.5
# A wall hidden for less than this (F9 to the desk and back) keeps its streams, so it comes back with
# pictures at once instead of reconnecting every camera (QSettings video_wall/warm_seconds).
WARM_S = 60.0
# Unrequested pop-ups (a new severe case) change the wall at most this often; the rest wait in the list
# beside the tree (QSettings video_wall/popup_interval_seconds).
POPUP_INTERVAL_S = 60.0
# Builds the stream manager around the wall's motion callback (tests inject fake sources here).
ManagerFactory = Callable[[MotionCallback], StreamManager]


class WallController(QObject):
    """Decodes exactly what the wall shows: a TileFeed per visible tile with a camera, main stream for a
    maximised or pop-up tile. A hidden wall keeps its streams `warm_s` seconds (painting nothing), then
    decodes nothing. Paints on the FrameClock tick."""

    def __init__(
        self,
        wall: VideoWall,
        tree: CameraTree,
        registry: CameraRegistry,
        manager_factory: ManagerFactory,
        *,
        role: str,
        settings: QSettings,
        screen_key: str = "default",
        clock: Clock | None = None,
        on_motion: MotionCallback | None = None,
        snapshot_dir: Path | None = None,
        warm_s: float | None = None,
        popup_interval_s: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.wall, self.tree, self.registry = wall, tree, registry
        self.role = role
        self._memory = WallMemory(settings, screen_key)
        self.clock: Clock = clock or SystemClock()
        self._clock = self.clock  # the name the tour and status code use
        self.warm_s = seconds_setting(settings, "warm_seconds", WARM_S) if warm_s is None else warm_s
        self.popup_interval_s = (
            seconds_setting(settings, "popup_interval_seconds", POPUP_INTERVAL_S)
            if popup_interval_s is None
            else popup_interval_s
        )
        self.grace = Deadline(self.clock, self)
        self.grace.due.connect(self._on_grace_due)
        self.snapshots = SnapshotWriter(snapshot_dir, self)
        self.shots = SnapshotToasts(self.snapshots, wall.toast, registry, self)
        self._motion = MotionMarks(self._tiles_on_screen, self._clock, on_motion, self)
        self.manager = manager_factory(self._motion.from_worker)
        self.link = CameraLink(wall.popup, wall.words, registry, self.manager, self)
        self._cameras: list[str | None] = [None] * MAX_TILES
        self._feeds = TileFeeds(self.manager)
        self._alarms: set[str] = set()
        self.tours = WallTours(
            wall,
            tree,
            registry,
            self._feeds,
            self._memory,
            self._clock,
            cameras=self._cameras,
            alarms=self._alarms,
            role=lambda: self.role,
            sync=self._sync,
            save=self._save,
            parent=self,
        )
        self._active = False
        self._streaming = False
        self._closed = False
        self._next_status = 0.0
        wall.layout_changed.connect(self._on_wall_layout_changed)
        wall.maximised_changed.connect(self._on_wall_maximised_changed)
        wall.camera_dropped.connect(self._on_wall_camera_dropped)
        wall.swap_requested.connect(self._on_wall_swap_requested)
        wall.tile_resized.connect(self._on_wall_tile_resized)
        wall.clear_requested.connect(self._on_wall_clear_requested)
        wall.snapshot_requested.connect(self._on_wall_snapshot_requested)
        wall.popup.snapshot_requested.connect(self._on_popup_snapshot_requested)
        tree.camera_activated.connect(self._on_tree_camera_activated)
        self._restore()
        self.set_role(role)

    # -- entry points for app/ ----------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        """Paint only while the wall is on screen. Hidden, it keeps its streams (and its pictures) for
        `warm_s` seconds, so coming back shows pictures at once; after that it releases every stream."""
        if active == self._active or self._closed:
            return
        self._active = active
        if active:
            self.grace.stop()
            self._streaming = True
            self._sync()
            self.link.set_active(True)
        elif self.warm_s > 0:
            self.link.set_active(False, keep=True)
            self.grace.start(self.warm_s)
        else:
            self._release()

    @property
    def active(self) -> bool:
        return self._active

    @property
    def warm(self) -> bool:
        """Hidden, but still holding its streams until the grace time runs out."""
        return self._streaming and not self._active

    @property
    def closed(self) -> bool:
        return self._closed

    def set_role(self, role: str) -> None:
        """Show only the cameras `role` may view (视频资源分级): in the tree, on the tiles, in tours."""
        self.role = role
        names = self.registry.group_names
        groups = [
            CameraGroup(key, names.get(key, key), cameras)
            for key, cameras in self.registry.groups(role).items()
        ]
        self.tree.show_cameras(groups)
        self.wall.show_tour_groups([(g.key, g.name) for g in groups])
        if not any(self._cameras):
            self._fill_empty_wall()
        tour = self.tours.tour
        if tour is not None and tour.group not in {g.key for g in groups}:
            self.tours.stop()
        self._sync()
        self.wall.popup.dismiss()

    def tick(self, _: object = None) -> None:
        """One FrameClock frame: paint each shown tile's newest frame; health, tours, motion at 2 Hz."""
        if not self._active:
            return
        tiles = self.wall.tiles
        for index, feed in self._feeds.items():
            frame = feed.latest()
            if frame is not None:
                tiles[index].show_frame(frame)
        self.link.paint()
        now = self._clock.monotonic()
        if now >= self._next_status:
            self._next_status = now + STATUS_INTERVAL_S
            self._slow_tick(now)

    def set_alarm(self, camera_id: str, on: bool) -> None:
        """The camera is (no longer) tied to an active severe case: red border, and tours skip its tile."""
        if on:
            self._alarms.add(camera_id)
        else:
            self._alarms.discard(camera_id)
        self._mark_tiles()

    @property
    def alarms(self) -> frozenset[str]:
        return frozenset(self._alarms)

    def show_cameras_for(
        self, lon: float, lat: float, severe: bool, *, case: LinkedCase | None = None
    ) -> list[str]:
        """Incident linkage (视频联动): the cameras that can see the place, on their main streams, in the
        pop-up (see app/videowall/linkage.py); its snapshots become `case`'s evidence. Returns the camera ids
        shown, best first."""
        return self.link.show_cameras_for(lon, lat, severe, self.role, case=case)

    def link_case(self, camera_id: str, *, case: LinkedCase | None = None) -> bool:
        """The case's own camera on its main stream in the pop-up; False if unknown or not viewable."""
        return self.link.link_case(camera_id, self.role, case=case)

    def put_camera(self, index: int, camera_id: str | None) -> None:
        """Show a camera on a tile (None clears it); saved for this screen."""
        if camera_id is not None and not self._viewable(camera_id):
            return
        self._cameras[index] = camera_id
        self._save()
        self._sync()

    def camera_on(self, index: int) -> str | None:
        return self._cameras[index]

    def start_tour(self, group: str, interval_s: float) -> bool:
        """Cycle the group's viewable cameras through the wall; the manual arrangement returns on stop."""
        return self.tours.start(group, interval_s)

    def stop_tour(self) -> None:
        self.tours.stop()

    @property
    def tour(self) -> Tour | None:
        return self.tours.tour

    def motion_seen(self, camera_id: str, at: float, box: Box) -> None:
        """Thread-safe: outline the motion on the camera's tiles for a few seconds."""
        self._motion.seen(camera_id, at, box)

    def open_streams(self) -> int:
        """How many streams are being decoded now (tiles, pop-up and tour pre-roll)."""
        return len(self.manager.open_streams())

    def close(self) -> None:
        """Release every stream and join the capture threads (call before stopping the stream server)."""
        if self._closed:
            return
        self._closed = True
        self._active = self._streaming = False
        self.grace.stop()
        self._feeds.close_all()
        self.link.close()
        self.manager.close()
        self.snapshots.close()

    # -- feeds --------------------------------------------------------------------------------------

    def _viewable(self, camera_id: str) -> bool:
        return camera_id in self.registry and self.registry.get(camera_id).visible_to(self.role)

    def _sync(self) -> None:
        """Make the feeds match the visible tiles."""
        wall = self.wall
        wanted: dict[int, str] = {}
        if self._streaming:
            for tile in wall.visible_tiles():
                camera = self._cameras[tile.index]
                if camera is not None and self._viewable(camera):
                    wanted[tile.index] = camera
        if not self._active:
            # Warm: keep what is open, open nothing for a wall nobody sees (a sign-in, a new role).
            feeds = self._feeds
            wanted = {i: c for i, c in wanted.items() if (f := feeds.get(i)) is not None and f.camera_id == c}
        self._feeds.sync(wanted, self._size_of, self._wants_main)
        for tile in wall.tiles:
            camera = wanted.get(tile.index)
            name = self.registry.get(camera).name if camera is not None else ""
            tile.show_camera(camera, name)
        self._mark_tiles()
        self.wall.cameras_shown()
        self.tree.mark_on_wall(frozenset(wanted.values()))

    def _release(self) -> None:
        self._streaming = False
        self._feeds.close_all()
        for tile in self.wall.tiles:
            tile.show_camera(None)
        self._sync()
        self.link.set_active(False)

    def _on_grace_due(self, _: object) -> None:
        if not self._active and not self._closed:
            self._release()

    def _tiles_on_screen(self) -> list[VideoTile]:
        return [*self.wall.visible_tiles(), *self.wall.popup.visible_tiles()]

    def _size_of(self, index: int) -> tuple[int, int]:
        return self.wall.tiles[index].frame_size()

    def _wants_main(self, index: int) -> bool:
        # A maximised tile, a one-tile wall and the big tile of 1+5 / 1+7 are too large for a sub-stream.
        layout = self.wall.wall_layout
        if self.wall.maximised is not None:
            return self.wall.maximised == index
        return layout.count == 1 or (index == 0 and layout.big > 0)

    def _mark_tiles(self) -> None:
        touring = self.tours.tour is not None
        for tile in self.wall.tiles:
            alarmed = tile.camera_id is not None and tile.camera_id in self._alarms
            tile.set_alarm(alarmed)
            tile.set_paused(touring and alarmed)

    def _fill_empty_wall(self) -> None:
        # A first start shows a live wall, not 16 empty frames.
        for index, camera in enumerate(self.registry.visible_to(self.role)[:MAX_TILES]):
            self._cameras[index] = camera.id

    # -- the slow half of the tick ------------------------------------------------------------------

    def _slow_tick(self, now: float) -> None:
        tiles = self.wall.tiles
        for index, feed in self._feeds.items():
            tiles[index].show_status(feed.status())
        self.link.show_health()
        self._motion.refresh(now)
        self.tours.advance(now)

    # -- wall and tree signals ----------------------------------------------------------------------

    def _on_wall_layout_changed(self, wall_layout: WallLayout) -> None:
        self._memory.save_layout(wall_layout.key)
        self._sync()
        self._feeds.resize_all(self._size_of)
        self.tours.relayout()

    def _on_wall_maximised_changed(self, _: object) -> None:
        self._sync()
        self._feeds.resize_all(self._size_of)

    def _on_wall_camera_dropped(self, drop: TileDrop) -> None:
        self.put_camera(drop.index, drop.camera_id)
        self.wall.set_current(drop.index)

    def _on_wall_swap_requested(self, swap: TileSwap) -> None:
        cameras = self._cameras
        cameras[swap.source], cameras[swap.target] = cameras[swap.target], cameras[swap.source]
        self._feeds.swap(swap.source, swap.target, self._size_of)
        self._save()
        self._sync()
        self.wall.set_current(swap.target)

    def _on_wall_tile_resized(self, index: int) -> None:
        self._feeds.resize(index, self._size_of(index))

    def _on_wall_clear_requested(self, index: int) -> None:
        self.put_camera(index, None)

    def _on_wall_snapshot_requested(self, index: int) -> None:
        feed = self._feeds.get(index)
        self.shots.take_tile(feed.latest() if feed is not None else None)

    def _on_popup_snapshot_requested(self, _: object) -> None:
        case = self.link.case
        self.shots.take_popup(self.link.frames(), case.case_id if case is not None else None)

    def _on_tree_camera_activated(self, camera_id: str) -> None:
        self.put_camera(self.wall.current, camera_id)

    # -- persistence --------------------------------------------------------------------------------

    def _save(self) -> None:
        # A tour's pages are not the officer's arrangement: that one is kept, and comes back on stop.
        if self.tours.tour is None:
            self._memory.save_cameras(self._cameras)

    def _restore(self) -> None:
        saved = self._memory.load()
        for index, camera in enumerate(saved.cameras[:MAX_TILES]):
            self._cameras[index] = camera if camera in self.registry else None
        layout = layout_for(saved.layout or "")
        if layout is not None:
            self.wall.set_layout(layout)
        self.tours.pending = saved.tour

    def resume_tour(self) -> None:
        """Start the tour that was running when the wall was last closed, if any."""
        self.tours.resume()
