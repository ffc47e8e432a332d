"""Immutable frames and the one-slot latest-frame mailbox between a capture thread and the wall."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from video.registry import Quality


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One decoded picture, ready to paint.

    `image` is BGRA (4 bytes per pixel, alpha 255: Qt's QImage.Format_RGB32 on little-endian machines),
    already scaled to the tile size, read-only. `source` is the decoded picture at stream resolution
    (BGR, read-only) for snapshots and analytics. `captured_at` is monotonic, `wall_time` epoch seconds,
    both taken when the decoder returned it; `source_ts` is the stream's own clock in seconds, if any.
    When the picture was decoded at a reduced scale (video/jpeg_scale.py), `source` is that smaller picture
    and `encoded` holds the camera's JPEG as received, so a snapshot still gets the full resolution.
    """

    camera_id: str
    quality: Quality
    image: NDArray[np.uint8]
    source: NDArray[np.uint8]
    seq: int
    captured_at: float
    wall_time: float
    source_ts: float | None
    encoded: NDArray[np.uint8] | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of `image`."""
        return int(self.image.shape[1]), int(self.image.shape[0])


class Mailbox:
    """Holds only the newest frame: the writer overwrites, readers peek. Never a queue, so never behind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None

    def put(self, frame: Frame) -> None:
        with self._lock:
            self._frame = frame

    def latest(self) -> Frame | None:
        with self._lock:
            return self._frame
