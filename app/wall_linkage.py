"""Incident linkage (视频联动): the pop-up's cameras for a place or a case, on their main streams."""

from __future__ import annotations

from PySide6.QtCore import QObject

from video.registry import CameraRegistry
from video.streams import StreamManager, TileFeed
from widgets.style import fill
from widgets.video_popup import LinkagePopup, PopupCamera
from widgets.video_words import VideoWords

# Cameras this close may see the place; when none is, the nearest few still show the approaches.
LINK_RADIUS_M = 400.0
FALLBACK_RADIUS_M = 1500.0
FALLBACK_CAMERAS = 2


class CameraLink(QObject):
    """Owns the pop-up's streams: leased (main quality) while the pop-up is open and the wall on screen."""

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
        self._feeds: list[TileFeed] = []
        self._active = False
        popup.closed.connect(self._on_popup_closed)
        for tile in popup.tiles:
            tile.resized.connect(self._on_popup_tile_resized)

    def show_cameras_for(self, lon: float, lat: float, severe: bool, role: str) -> list[str]:
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
        else:
            title = fill(self.tr("No camera within %1 m: the nearest cameras"), round(LINK_RADIUS_M))
        empty = fill(self.tr("No camera the current role may view within %1 m"), round(FALLBACK_RADIUS_M))
        self._show(title, cameras, severe, empty)
        return [c.camera_id for c in cameras]

    def link_case(self, camera_id: str, role: str) -> bool:
        """The case's own camera; False (and the pop-up says why) if unknown or not viewable by `role`."""
        title = self.tr("Camera of the case")
        camera = self._registry.get(camera_id) if camera_id in self._registry else None
        if camera is None or not camera.visible_to(role):
            self._show(title, [], False, self.tr("The current role may not view this camera"))
            return False
        self._show(title, [PopupCamera(camera.id, camera.name, "")], False, "")
        return True

    def set_active(self, active: bool) -> None:
        """Lease while the wall is on screen, release while it is hidden."""
        self._active = active
        if not active:
            self._close_feeds()
            for tile in self.popup.tiles:
                tile.show_camera(None)
        elif self.popup.isVisible() and not self._feeds:
            self._open_feeds()

    def paint(self) -> None:
        for tile, feed in zip(self.popup.shown, self._feeds, strict=False):
            frame = feed.latest()
            if frame is not None:
                tile.show_frame(frame)

    def show_health(self) -> None:
        for tile, feed in zip(self.popup.shown, self._feeds, strict=False):
            tile.show_status(feed.status())

    def close(self) -> None:
        self._active = False
        self._close_feeds()

    def _show(self, title: str, cameras: list[PopupCamera], severe: bool, empty_text: str) -> None:
        # New streams open before the old ones close, so a camera shown again is not reconnected.
        old, self._feeds = self._feeds, []
        self.popup.show_cameras(title, cameras, severe=severe, empty_text=empty_text)
        self._open_feeds()
        for feed in old:
            feed.close()

    def _open_feeds(self) -> None:
        if not self._active:
            return
        for tile in self.popup.shown:
            if tile.camera_id is not None:
                feed = TileFeed(self._manager, tile.camera_id, focused=True)
                feed.set_target_size(*tile.frame_size())
                self._feeds.append(feed)

    def _close_feeds(self) -> None:
        for feed in self._feeds:
            feed.close()
        self._feeds.clear()

    def _on_popup_closed(self, _: object) -> None:
        self._close_feeds()

    def _on_popup_tile_resized(self, index: int) -> None:
        position = -1 - index
        if 0 <= position < len(self._feeds):
            self._feeds[position].set_target_size(*self.popup.tiles[position].frame_size())
