"""Which streams are decoded: reference-counted leases, main-stream linger, the health monitor, motion."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from core.clock import Clock, SystemClock
from video.capture import CaptureFactory, CaptureOptions, OpenGate, StreamWorker, open_ffmpeg
from video.frames import Frame
from video.health import Health, StreamStatus
from video.motion import MotionCallback, MotionDetector, MotionSettings
from video.registry import CameraRegistry, Point, Quality

_log = logging.getLogger(__name__)

StreamKey = tuple[str, Quality]
# Called from the monitor thread (or whoever calls `check`) with each stream whose health changed.
HealthCallback = Callable[[StreamStatus], None]


class StreamLease:
    """One viewer's claim on a stream (a tile, a pop-up, a recorder). Release it when no longer shown."""

    def __init__(self, manager: StreamManager, camera_id: str, quality: Quality) -> None:
        self._manager = manager
        self.camera_id, self.quality = camera_id, quality
        self.size: tuple[int, int] | None = None
        self.released = False

    def latest(self) -> Frame | None:
        return self._manager.latest(self.camera_id, self.quality)

    def status(self) -> StreamStatus | None:
        return self._manager.status(self.camera_id, self.quality)

    def set_target_size(self, width: int, height: int) -> None:
        """Frames of this stream are scaled (aspect kept) into the largest size any of its leases asks for."""
        self.size = (max(1, width), max(1, height))
        self._manager._retarget((self.camera_id, self.quality))

    def release(self) -> None:
        """Idempotent; the stream stops (or starts its linger) when its last lease is released."""
        if not self.released:
            self.released = True
            self._manager._release(self)


@dataclass(eq=False)
class _Stream:
    worker: StreamWorker
    leases: list[StreamLease] = field(default_factory=list)
    release_at: float | None = None
    reported: Health | None = None


class StreamManager:
    """Opens a stream while something shows it, and only then: no lease, no capture, no decoding.

    A released main stream lingers `main_linger` s so a tile that loses focus and regains it (or a pop-up
    closed and reopened) does not reconnect; a released sub-stream stops after `sub_linger` s (0: at once).
    `check()` judges every stream's health, reports changes and ends expired lingers; with
    `monitor_interval` set, a monitor thread calls it. Tests pass None and call `check()` themselves.
    """

    def __init__(
        self,
        registry: CameraRegistry,
        *,
        options: CaptureOptions | None = None,
        factory: CaptureFactory = open_ffmpeg,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        main_linger: float = 10.0,
        sub_linger: float = 0.0,
        monitor_interval: float | None = 0.5,
        on_health: HealthCallback | None = None,
        on_motion: MotionCallback | None = None,
        motion: MotionSettings | None = None,
    ) -> None:
        self.registry = registry
        self.options = options or CaptureOptions()
        self._factory = factory
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._lingers = {Quality.MAIN: main_linger, Quality.SUB: sub_linger}
        self._on_health, self._on_motion = on_health, on_motion
        self._motion = motion or MotionSettings()
        self.gate = OpenGate(self.options.max_concurrent_opens)
        self._lock = threading.RLock()
        self._streams: dict[StreamKey, _Stream] = {}
        self._stopping: list[StreamWorker] = []
        self._detectors: dict[str, MotionDetector] = {}
        self._closed = False
        for camera in registry:
            if camera.roi is not None:
                self.set_roi(camera.id, camera.roi)
        self._halt = threading.Event()
        self._monitor: threading.Thread | None = None
        if monitor_interval is not None:
            self._monitor = threading.Thread(
                target=self._watch, args=(monitor_interval,), name="video health", daemon=True
            )
            self._monitor.start()

    def acquire(self, camera_id: str, quality: Quality = Quality.SUB) -> StreamLease:
        """A lease on the camera's stream, opening it if nobody else shows it. KeyError for unknown ids."""
        camera = self.registry.get(camera_id)
        key = (camera_id, quality)
        with self._lock:
            if self._closed:
                raise RuntimeError("the stream manager is closed")
            stream = self._streams.get(key)
            if stream is None:
                worker = StreamWorker(
                    camera_id,
                    quality,
                    camera.url(quality),
                    options=self.options,
                    factory=self._factory,
                    clock=self._clock,
                    gate=self.gate,
                    rng=random.Random(self._rng.random()),
                    tap=self._feed_motion,
                )
                stream = self._streams[key] = _Stream(worker)
                worker.start()
            stream.release_at = None
            lease = StreamLease(self, camera_id, quality)
            stream.leases.append(lease)
            return lease

    def latest(self, camera_id: str, quality: Quality = Quality.SUB) -> Frame | None:
        """The newest frame of an open (or lingering) stream, None if it has none or is not open."""
        stream = self._streams.get((camera_id, quality))
        return None if stream is None else stream.worker.latest()

    def status(self, camera_id: str, quality: Quality = Quality.SUB) -> StreamStatus | None:
        stream = self._streams.get((camera_id, quality))
        return None if stream is None else stream.worker.status()

    def open_streams(self) -> frozenset[StreamKey]:
        """Streams with a capture thread now (shown, or lingering): exactly the ones being decoded."""
        with self._lock:
            return frozenset(self._streams)

    def set_roi(self, camera_id: str, roi: Sequence[Point] | None) -> None:
        """Watch `roi` (normalised polygon) for motion on this camera while any of its streams is open."""
        with self._lock:
            if roi is None or self._on_motion is None:
                self._detectors.pop(camera_id, None)
            else:
                self._detectors[camera_id] = MotionDetector(camera_id, roi, self._motion, self._on_motion)

    def check(self) -> list[StreamStatus]:
        """Judge every open stream now, report those whose health changed, end lingers that ran out."""
        now = self._clock.monotonic()
        changed: list[StreamStatus] = []
        with self._lock:
            for key, stream in list(self._streams.items()):
                if stream.release_at is not None and now >= stream.release_at:
                    self._retire(key)
                    continue
                status = stream.worker.tracker.status(now)
                if status.health is not stream.reported:
                    stream.reported = status.health
                    changed.append(status)
            self._stopping = [w for w in self._stopping if w.alive]
        if self._on_health is not None:
            for status in changed:
                try:
                    self._on_health(status)
                except Exception:
                    _log.exception("health callback failed")
        return changed

    def close(self, timeout: float | None = None) -> bool:
        """Stop every stream and join the threads within `timeout` (default: the options' join bound).

        Each capture is released by its own thread after its last read; True if all threads finished.
        """
        self._halt.set()
        if self._monitor is not None:
            self._monitor.join()
        with self._lock:
            self._closed = True
            for key in list(self._streams):
                self._retire(key)
            workers, self._stopping = self._stopping, []
        deadline = time.monotonic() + (self.options.join_bound if timeout is None else timeout)
        stuck = [w for w in workers if not w.join(max(0.0, deadline - time.monotonic()))]
        for worker in stuck:
            _log.warning("capture thread for %s/%s did not finish in time", worker.camera_id, worker.quality)
        return not stuck

    def __enter__(self) -> StreamManager:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _release(self, lease: StreamLease) -> None:
        key = (lease.camera_id, lease.quality)
        with self._lock:
            stream = self._streams.get(key)
            if stream is None or lease not in stream.leases:
                return
            stream.leases.remove(lease)
            if stream.leases:
                self._retarget(key)
                return
            linger = self._lingers[lease.quality]
            if linger <= 0:
                self._retire(key)
            else:
                stream.release_at = self._clock.monotonic() + linger

    def _retarget(self, key: StreamKey) -> None:
        with self._lock:
            stream = self._streams.get(key)
            if stream is not None:
                sizes = [lease.size for lease in stream.leases if lease.size is not None]
                stream.worker.set_target_size(max(sizes, key=lambda s: s[0] * s[1]) if sizes else None)

    def _retire(self, key: StreamKey) -> None:
        stream = self._streams.pop(key)
        stream.worker.stop()
        self._stopping.append(stream.worker)

    def _feed_motion(self, frame: Frame) -> None:
        detector = self._detectors.get(frame.camera_id)
        # One stream per camera feeds the detector: the sub-stream, or the main one while it runs alone.
        if detector is None:
            return
        if frame.quality is Quality.MAIN and (frame.camera_id, Quality.SUB) in self._streams:
            return
        detector.feed(frame.source, frame.captured_at, frame.wall_time)

    def _watch(self, interval: float) -> None:
        while not self._halt.wait(interval):
            try:
                self.check()
            except Exception:
                _log.exception("video health check failed")


class TileFeed:
    """What one wall tile shows of a camera: its sub-stream, or while focused its main stream.

    Focusing opens the main stream and keeps showing the sub-stream until the main one has a frame; then
    the sub lease is dropped. Unfocusing takes the sub-stream back and releases the main lease, which
    lingers so the tile shows main frames until the sub-stream has one again.
    """

    def __init__(self, manager: StreamManager, camera_id: str, *, focused: bool = False) -> None:
        self._manager, self.camera_id = manager, camera_id
        self._size: tuple[int, int] | None = None
        self._sub: StreamLease | None = manager.acquire(camera_id, Quality.SUB)
        self._main: StreamLease | None = None
        self._shown = Quality.SUB
        self.focused = False
        self.set_focused(focused)

    def set_focused(self, focused: bool) -> None:
        if focused == self.focused:
            return
        self.focused = focused
        camera = self._manager.registry.get(self.camera_id)
        if focused:
            # A camera with a single stream already shows its best picture.
            if camera.main_url != camera.sub_url:
                self._main = self._lease(Quality.MAIN)
        else:
            if self._sub is None:
                self._sub = self._lease(Quality.SUB)
            if self._main is not None:
                self._main.release()
                self._main = None

    def set_target_size(self, width: int, height: int) -> None:
        self._size = (width, height)
        for lease in (self._sub, self._main):
            if lease is not None:
                lease.set_target_size(width, height)

    def latest(self) -> Frame | None:
        """The frame to paint now: main when focused and it has one, else sub, else a lingering main.

        Completes a focus switch: once the main stream delivers, the sub-stream lease is released.
        """
        frame = self._main.latest() if self._main is not None else None
        if frame is not None and self._sub is not None:
            self._sub.release()
            self._sub = None
        if frame is None and self._sub is not None:
            frame = self._sub.latest()
        if frame is None:
            frame = self._manager.latest(self.camera_id, Quality.MAIN)
        if frame is not None:
            self._shown = frame.quality
        return frame

    def status(self) -> StreamStatus | None:
        """Health of the stream whose frames `latest` returned last (sub before any frame came)."""
        return self._manager.status(self.camera_id, self._shown)

    def close(self) -> None:
        for lease in (self._sub, self._main):
            if lease is not None:
                lease.release()
        self._sub = self._main = None

    def _lease(self, quality: Quality) -> StreamLease:
        lease = self._manager.acquire(self.camera_id, quality)
        if self._size is not None:
            lease.set_target_size(*self._size)
        return lease
