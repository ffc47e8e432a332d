"""Motion outlines on the wall: seen on a capture thread, drawn on the GUI thread for a few seconds, and
passed on to whoever else listens (the intake, as a video_ai discovery)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal

from core.clock import Clock
from video.motion import Box, MotionCallback
from widgets.videowall.tile import VideoTile

MOTION_SHOWN_S = 5.0


class MotionMarks(QObject):
    """Which cameras moved lately and where; `tiles` lists the tiles on screen (grid and pop-up)."""

    _arrived = Signal(object)
    """Internal: a capture thread saw motion (carries (camera id, Box)); queued to the GUI thread."""

    def __init__(
        self,
        tiles: Callable[[], Iterable[VideoTile]],
        clock: Clock,
        forward: MotionCallback | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tiles, self._clock, self._forward = tiles, clock, forward
        self._seen: dict[str, tuple[Box, float]] = {}
        self._arrived.connect(self._on_self_arrived)

    def from_worker(self, camera_id: str, at: float, box: Box) -> None:
        """The stream manager's motion callback, on a capture thread: outline it, then pass it on."""
        self.seen(camera_id, at, box)
        if self._forward is not None:
            self._forward(camera_id, at, box)

    def seen(self, camera_id: str, at: float, box: Box) -> None:
        """Thread-safe: outline the motion on the camera's tiles for MOTION_SHOWN_S seconds."""
        self._arrived.emit((camera_id, box))

    def refresh(self, now: float) -> None:
        """Drop outlines older than MOTION_SHOWN_S and show the others on the tiles on screen."""
        for camera_id in [c for c, (_, until) in self._seen.items() if until <= now]:
            del self._seen[camera_id]
        for tile in self._tiles():
            shown = self._seen.get(tile.camera_id or "")
            tile.show_motion(None if shown is None else _box_tuple(shown[0]))

    def _on_self_arrived(self, seen: tuple[str, Box]) -> None:
        camera_id, box = seen
        self._seen[camera_id] = (box, self._clock.monotonic() + MOTION_SHOWN_S)
        for tile in self._tiles():
            if tile.camera_id == camera_id:
                tile.show_motion(_box_tuple(box))


def _box_tuple(box: Box) -> tuple[float, float, float, float]:
    return (box.x, box.y, box.w, box.h)
