"""Incident linkage (视频联动): the pop-up's cameras for a place or a case, on their main streams."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject

from video.frames import Frame
from video.registry import CameraRegistry
from video.streams import StreamManager, TileFeed
from widgets.common.style import fill
from widgets.videowall.popup import LinkagePopup, PopupCamera
from widgets.videowall.words import VideoWords

# Cameras this close may see the place; when none is, the nearest few still show the approaches.
LINK_RADIUS_M = 400.0
FALLBACK_RADIUS_M = 1500.0
FALLBACK_CAMERAS = 2


@dataclass(frozen=True, slots=True)
class LinkedCase:
    """The case a pop-up shows cameras for: its title names the case, its snapshots become evidence."""

    case_id: int
    code: str


class CameraLink(QObject):
    """Owns the pop-up's streams: leased (main quality) for the tiles on screen while the pop-up is open
    and the wall is shown. A hidden wall keeps what its pop-up shows and opens the streams when it is
    shown again, so the desk can prepare the pop-up without bringing the wall forward; while the wall is
    warm (hidden, within its grace time) the streams already open stay open, and no new one opens."""

    def __init__(
        self,
        popup: LinkagePopup,
        words: VideoWords,
        registry: CameraRegistry,
        manager: StreamManager,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.popup, self._words, self._registry, self._manager = popup, words, registry, manager
        self._feeds: dict[int, TileFeed] = {}
        self._cameras: list[PopupCamera] = []
        self._active = False
        self._keep = False
        self.case: LinkedCase | None = None
        popup.closed.connect(self._on_popup_closed)
        popup.maximised_changed.connect(self._on_popup_maximised_changed)
        for tile in popup.tiles:
            tile.resized.connect(self._on_popup_tile_resized)

    def show_cameras_for(
        self, lon: float, lat: float, severe: bool, role: str, *, case: LinkedCase | None = None
    ) -> list[str]:
        """The cameras `role` may view that can see the place: within LINK_RADIUS_M, those covering it
        first, then nearest; if none, the nearest within FALLBACK_RADIUS_M, said to be out of view."""
        registry = self._registry
        views = registry.cameras_seeing(lon, lat, role=role, max_distance_m=LINK_RADIUS_M)
        near = bool(views)
        if not near:
            views = registry.cameras_seeing(
                lon, lat, role=role, max_distance_m=FALLBACK_RADIUS_M, limit=FALLBACK_CAMERAS
            )
        cameras = [
            PopupCamera(
                v.camera.id,
                v.camera.name,
                fill(
                    self.tr("%1 m · %2 of the camera · %3"),
                    round(v.distance_m),
                    self._words.direction(v.bearing_deg),
                    self.tr("in view") if v.sees and near else self.tr("outside its view"),
                ),
            )
            for v in views
        ]
        if near:
            title = (
                self.tr("Severe incident: cameras on the scene")
                if severe
                else self.tr("Cameras on the scene")
            )
        elif cameras:
            title = fill(self.tr("No camera within %1 m: the nearest cameras"), round(LINK_RADIUS_M))
        else:
            title = self.tr("No camera near the scene")
        empty = fill(self.tr("No camera the current role may view within %1 m"), round(FALLBACK_RADIUS_M))
        self._show(title, cameras, severe, empty, case)
        return [c.camera_id for c in cameras]

    def link_case(self, camera_id: str, role: str, *, case: LinkedCase | None = None) -> bool:
        """The case's own camera; False (and the pop-up says why) if unknown or not viewable by `role`."""
        title = self.tr("Camera of the case")
        camera = self._registry.get(camera_id) if camera_id in self._registry else None
        if camera is None or not camera.visible_to(role):
            self._show(title, [], False, self.tr("The current role may not view this camera"), case)
            return False
        self._show(title, [PopupCamera(camera.id, camera.name, "")], False, "", case)
        return True

    def cameras_near(self, lon: float, lat: float) -> list[str]:
        """The cameras within LINK_RADIUS_M of the place, whoever may view them (to mark alarms)."""
        views = self._registry.cameras_seeing(lon, lat, max_distance_m=LINK_RADIUS_M)
        return [v.camera.id for v in views]

    def can_see(self, lon: float | None, lat: float | None, camera_id: str, role: str) -> bool:
        """Whether a camera `role` may view can see the place (within LINK_RADIUS_M) or is the case's own:
        only then does the wall pop up by itself."""
        registry = self._registry
        if camera_id in registry and registry.get(camera_id).visible_to(role):
            return True
        if lon is None or lat is None:
            return False
        return bool(registry.cameras_seeing(lon, lat, role=role, max_distance_m=LINK_RADIUS_M, limit=1))

    def set_active(self, active: bool, *, keep: bool = False) -> None:
        """Lease while the wall is on screen; hidden, keep the open streams (`keep`, the warm wall) or
        release them and forget the pictures."""
        self._active = active
        self._keep = keep and not active
        if keep and not active:
            return
        if not active:
            self._close_feeds()
            for tile in self.popup.tiles:
                tile.show_camera(None)
            return
        for tile, camera in zip(self.popup.tiles, self._cameras, strict=False):
            tile.show_camera(camera.camera_id, camera.name, camera.caption)
        self._sync_feeds()

    def paint(self) -> None:
        tiles = self.popup.tiles
        for position, feed in self._feeds.items():
            frame = feed.latest()
            if frame is not None:
                tiles[position].show_frame(frame)

    def show_health(self) -> None:
        for position, feed in self._feeds.items():
            self.popup.tiles[position].show_status(feed.status())

    def frames(self) -> list[Frame]:
        """The newest frame of every camera on screen in the pop-up (for snapshots)."""
        return [frame for feed in self._feeds.values() if (frame := feed.latest()) is not None]

    def close(self) -> None:
        self._active = self._keep = False
        self._close_feeds()

    def _show(
        self, title: str, cameras: list[PopupCamera], severe: bool, empty_text: str, case: LinkedCase | None
    ) -> None:
        self.case = case
        self._cameras = cameras
        if case is not None:
            title = f"{case.code} · {title}"
        self.popup.show_cameras(title, cameras, severe=severe, empty_text=empty_text)
        self._sync_feeds()

    def _sync_feeds(self) -> None:
        """Streams for the pop-up tiles on screen; new ones open before replaced ones close, so a camera
        shown again is not reconnected."""
        wanted: dict[int, str] = {}
        if (self._active or self._keep) and self.popup.open:
            for tile in self.popup.visible_tiles():
                if tile.camera_id is not None:
                    wanted[-1 - tile.index] = tile.camera_id
        old, self._feeds = self._feeds, {}
        for position, camera in wanted.items():
            feed = old.get(position)
            if feed is not None and feed.camera_id == camera:
                del old[position]
            elif not self._active:
                continue  # warm: keep what is open, open nothing for a wall nobody sees
            else:
                feed = TileFeed(self._manager, camera, focused=True)
                feed.set_target_size(*self.popup.tiles[position].frame_size())
            self._feeds[position] = feed
        for feed in old.values():
            feed.close()

    def _close_feeds(self) -> None:
        for feed in self._feeds.values():
            feed.close()
        self._feeds.clear()

    def _on_popup_closed(self, _: object) -> None:
        self.case = None
        self._close_feeds()

    def _on_popup_maximised_changed(self, _: object) -> None:
        self._sync_feeds()

    def _on_popup_tile_resized(self, index: int) -> None:
        position = -1 - index
        feed = self._feeds.get(position)
        if feed is not None:
            feed.set_target_size(*self.popup.tiles[position].frame_size())
