"""Test doubles for the capture layer: scripted cameras, a recording factory, bounded waits."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray

from video.capture import CaptureOptions
from video.health import HealthTiming
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry

# Nothing listens on the discard port, so the worker's failure probe is answered "refused" at once.
DEAD_BASE = "http://127.0.0.1:9"

FAST = CaptureOptions(
    open_timeout=1.0,
    read_timeout=1.0,
    health=HealthTiming(stale_after=3.0, offline_after=20.0),
    backoff_base=0.01,
    backoff_cap=0.05,
    probe_timeout=0.5,
)


def wait_until(condition: Callable[[], object], timeout: float = 5.0) -> bool:
    """Poll `condition` every 5 ms until it is true or `timeout` passes; True if it became true."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        if condition():
            return True
        pause.wait(0.005)
    return bool(condition())


def picture(value: int, width: int = 64, height: int = 36) -> NDArray[np.uint8]:
    return np.full((height, width, 3), value, np.uint8)


def registry(*ids: str) -> CameraRegistry:
    return CameraRegistry(
        CameraInfo(
            i,
            i,
            "g",
            0.0,
            0.0,
            0.0,
            60.0,
            f"{DEAD_BASE}/{i}/sub",
            f"{DEAD_BASE}/{i}/main",
            ACCESS_LEVELS["public"],
        )
        for i in ids
    )


class FakeCamera:
    """A scripted source: `read` blocks until the test pushes a picture (ok) or a drop (read fails)."""

    def __init__(self, opened: bool = True) -> None:
        self.opened = opened
        self._script: queue.Queue[NDArray[np.uint8] | None] = queue.Queue()
        self.abandoned = threading.Event()
        self.released = threading.Event()
        self.reads = 0

    def push(self, image: NDArray[np.uint8]) -> None:
        self._script.put(image)

    def drop(self) -> None:
        self._script.put(None)

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, NDArray[np.uint8] | None]:
        while not self.abandoned.is_set():
            try:
                image = self._script.get(timeout=0.01)
            except queue.Empty:
                continue
            self.reads += 1
            return image is not None, image
        return False, None

    def get(self, prop: int, /) -> float:
        return 0.0

    def set(self, prop: int, value: float, /) -> bool:
        return False

    def release(self) -> None:
        self.released.set()


class FakeFactory:
    """Hands out FakeCameras per URL (scripted ahead with `next_camera`), records opens and concurrency;
    `hold(url)` makes opens of that URL hang until `let_go(url)`, like a server that never answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, list[FakeCamera]] = defaultdict(list)
        self._held: dict[str, tuple[threading.Event, int]] = {}
        self._started: dict[str, int] = defaultdict(int)
        self.handed: dict[str, list[FakeCamera]] = defaultdict(list)
        self.in_flight = 0
        self.peak = 0
        self.abandoned = threading.Event()

    def next_camera(self, url: str, camera: FakeCamera | None = None) -> FakeCamera:
        camera = camera or FakeCamera()
        with self._lock:
            self._next[url].append(camera)
        return camera

    def hold(self, url: str, from_open: int = 0) -> None:
        """Opens of `url` from the `from_open`-th on (0-based) hang until `let_go`."""
        self._held[url] = (threading.Event(), from_open)

    def let_go(self, url: str) -> None:
        self._held.pop(url)[0].set()

    def opens(self, url: str) -> int:
        with self._lock:
            return len(self.handed[url])

    def __call__(self, url: str, options: CaptureOptions) -> FakeCamera:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            index = self._started[url]
            self._started[url] += 1
        try:
            held = self._held.get(url)
            while (
                held is not None and index >= held[1] and not held[0].is_set() and not self.abandoned.is_set()
            ):
                held[0].wait(0.01)
            with self._lock:
                camera = self._next[url].pop(0) if self._next[url] else FakeCamera()
                if self.abandoned.is_set():
                    camera.opened = False
                self.handed[url].append(camera)
            return camera
        finally:
            with self._lock:
                self.in_flight -= 1

    def abandon(self) -> None:
        """Unblock every open and read so the workers can be stopped at teardown."""
        self.abandoned.set()
        with self._lock:
            for cameras in self.handed.values():
                for camera in cameras:
                    camera.abandoned.set()


@contextmanager
def abandoning(factory: FakeFactory) -> Iterator[FakeFactory]:
    try:
        yield factory
    finally:
        factory.abandon()
