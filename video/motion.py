"""Motion in a camera's region of interest on small grey frames: one discovery per burst, then a cooldown."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from video.registry import Point


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in normalised frame coordinates (0..1 of width and height)."""

    x: float
    y: float
    w: float
    h: float


# Called on the capture thread: (camera id, epoch seconds of the frame, where it moved). Keep it short
# and thread-safe (app/ hands it to its loop with call_soon_threadsafe as a video_ai discovery).
MotionCallback = Callable[[str, float, Box], None]


@dataclass(frozen=True, slots=True)
class MotionSettings:
    """Sample `fps` times a second at `width` px wide; a sample is a hit when more than `min_fraction` of
    the region changed by more than `threshold` grey levels; `hits` hits in a row raise one discovery,
    then nothing until the burst ends and `cooldown` seconds have passed."""

    fps: float = 4.0
    width: int = 160
    threshold: int = 25
    min_fraction: float = 0.01
    hits: int = 3
    cooldown: float = 30.0


class MotionDetector:
    """One camera's detector. `feed` is called with every decoded frame and samples at its own rate."""

    def __init__(
        self, camera_id: str, roi: Sequence[Point], settings: MotionSettings, on_motion: MotionCallback
    ) -> None:
        if len(roi) < 3:
            raise ValueError("a region of interest needs at least 3 points")
        self.camera_id, self.roi, self._settings, self._on_motion = camera_id, tuple(roi), settings, on_motion
        self._previous: NDArray[np.uint8] | None = None
        self._mask: NDArray[np.bool_] | None = None
        self._next_sample = float("-inf")
        self._streak = 0
        self._armed = True
        self._quiet_until = float("-inf")
        self._box: tuple[int, int, int, int] | None = None
        self._lock = threading.Lock()

    def feed(self, image: NDArray[np.uint8], at: float, wall: float) -> Box | None:
        """Look at `image` (BGR/BGRA/grey) taken at monotonic `at`; the Box if this raised a discovery.

        Thread-safe: while a tile switches streams, both capture threads may feed for a moment."""
        with self._lock:
            box = self._sample(image, at)
        if box is not None:
            self._on_motion(self.camera_id, wall, box)
        return box

    def _sample(self, image: NDArray[np.uint8], at: float) -> Box | None:
        if at < self._next_sample:
            return None
        self._next_sample = at + 1.0 / self._settings.fps
        grey = self._small_grey(image)
        previous, self._previous = self._previous, grey
        if previous is None or previous.shape != grey.shape or self._mask is None:
            self._mask = self._region_mask(grey.shape[1], grey.shape[0])
            self._streak = 0
            return None
        changed = (cv2.absdiff(grey, previous) > self._settings.threshold) & self._mask
        area = int(self._mask.sum())
        if area == 0 or int(changed.sum()) <= self._settings.min_fraction * area:
            self._streak, self._box, self._armed = 0, None, True
            return None
        self._streak += 1
        self._box = _union(self._box, cv2.boundingRect(changed.astype(np.uint8)))
        if self._streak < self._settings.hits or not self._armed or at < self._quiet_until:
            return None
        self._armed = False
        self._quiet_until = at + self._settings.cooldown
        x, y, w, h = self._box
        height, width = grey.shape
        return Box(x / width, y / height, w / width, h / height)

    def _small_grey(self, image: NDArray[np.uint8]) -> NDArray[np.uint8]:
        height, width = image.shape[0], image.shape[1]
        size = (self._settings.width, max(1, round(self._settings.width * height / width)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        if small.ndim == 3:
            code = cv2.COLOR_BGRA2GRAY if small.shape[2] == 4 else cv2.COLOR_BGR2GRAY
            small = cv2.cvtColor(small, code)
        return np.asarray(cv2.GaussianBlur(small, (5, 5), 0), dtype=np.uint8)

    def _region_mask(self, width: int, height: int) -> NDArray[np.bool_]:
        mask = np.zeros((height, width), np.uint8)
        points = np.array([[round(x * (width - 1)), round(y * (height - 1))] for x, y in self.roi], np.int32)
        cv2.fillPoly(mask, [points], 1)
        return mask.astype(bool)


def _union(box: tuple[int, int, int, int] | None, other: Sequence[int]) -> tuple[int, int, int, int]:
    x, y, w, h = (int(v) for v in other)
    if box is None:
        return x, y, w, h
    x0, y0 = min(box[0], x), min(box[1], y)
    x1, y1 = max(box[0] + box[2], x + w), max(box[1] + box[3], y + h)
    return x0, y0, x1 - x0, y1 - y0
