"""One capture thread per open stream: bounded opens, keep-latest decoding, resizing, reconnects."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np
from cv2.typing import MatLike
from numpy.typing import NDArray

from core.clock import Clock
from video.frames import Frame, Mailbox
from video.health import Backoff, Failure, HealthTiming, HealthTracker, Reason, StreamStatus
from video.jpeg_scale import decode_packet, is_mjpeg, reduction_for, stream_size, use_packets
from video.probe import diagnose
from video.registry import Quality, SourceKind, source_kind

_log = logging.getLogger(__name__)

# A capture decoding JPEG packets itself reopens (in FFmpeg's decoding mode) once its tile has needed full
# size for this long: raw mode cannot be switched off, and a full libjpeg decode costs 1.5× FFmpeg's.
REOPEN_AFTER_S = 1.0
# This many undecodable packets in a row end the attempt; the next one lets FFmpeg decode.
TORN_LIMIT = 25
# Returned by a read loop that wants its capture reopened at once, with no failure shown or counted.
_REOPEN = Failure(Reason.STREAM_ENDED, "reopened to decode at full size")


@dataclass(frozen=True, slots=True)
class CaptureOptions:
    """Timeouts in seconds. `max_concurrent_opens` caps opens in flight across all streams."""

    open_timeout: float = 5.0
    # Longer than the stale threshold, so a frozen camera is first shown stale, then reconnected.
    read_timeout: float = 5.0
    health: HealthTiming = field(default_factory=HealthTiming)
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    max_concurrent_opens: int = 4
    probe_timeout: float = 2.0

    @property
    def join_bound(self) -> float:
        """How long a stopped worker may take to finish its blocking open or read, probe and release."""
        return max(self.open_timeout, self.read_timeout) + self.probe_timeout + 1.0


class Source(Protocol):
    """What the worker needs of a capture: cv2.VideoCapture, or a fake in tests."""

    def isOpened(self) -> bool: ...
    def read(self) -> tuple[bool, MatLike | None]: ...
    def get(self, prop: int, /) -> float: ...
    def set(self, prop: int, value: float, /) -> bool: ...
    def release(self) -> None: ...


CaptureFactory = Callable[[str, CaptureOptions], Source]
FrameTap = Callable[[Frame], None]


def open_ffmpeg(url: str, options: CaptureOptions) -> Source:
    """Open `url` with the FFmpeg backend, explicit timeouts and one decoder thread.

    One thread: frame threading buffers N-1 frames (latency) and N threads per tile oversubscribe two
    cores. The low-latency demuxer options come from the environment (see video/__init__.py).
    """
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, round(options.open_timeout * 1000),
        cv2.CAP_PROP_READ_TIMEOUT_MSEC, round(options.read_timeout * 1000),
        cv2.CAP_PROP_N_THREADS, 1,
    ]  # fmt: skip
    return cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)


class OpenGate:
    """At most `limit` opens in flight; retries of failing streams may hold at most half of them, so a
    handful of dead cameras timing out again and again never keeps a healthy camera from opening."""

    def __init__(self, limit: int = 4) -> None:
        if limit < 1:
            raise ValueError("at least one open must be allowed")
        self.limit, self.retry_limit = limit, max(1, limit // 2)
        self._cond = threading.Condition()
        self._active = 0
        self._retrying = 0
        self.peak = 0

    @contextmanager
    def slot(self, retrying: bool, stop: threading.Event) -> Iterator[bool]:
        """Wait for a slot; yields False if `stop` was set first (the caller must not open then)."""
        admitted = False
        with self._cond:
            while not stop.is_set():
                if self._active < self.limit and (not retrying or self._retrying < self.retry_limit):
                    admitted = True
                    self._active += 1
                    self._retrying += int(retrying)
                    self.peak = max(self.peak, self._active)
                    break
                self._cond.wait(0.05)
        try:
            yield admitted
        finally:
            if admitted:
                with self._cond:
                    self._active -= 1
                    self._retrying -= int(retrying)
                    self._cond.notify_all()


def fit_size(width: int, height: int, target: tuple[int, int] | None) -> tuple[int, int]:
    """The largest size inside `target` with the source's aspect ratio (the source size if no target)."""
    if target is None:
        return width, height
    scale = min(target[0] / width, target[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def to_display(image: NDArray[np.uint8], target: tuple[int, int] | None) -> NDArray[np.uint8]:
    """`image` (grey/BGR/BGRA) scaled into `target` keeping its aspect, as a new BGRA array."""
    height, width = image.shape[0], image.shape[1]
    size = fit_size(width, height, target)
    if size != (width, height):
        image = _scale(image, size)
    if image.ndim == 2:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGRA))
    if image.shape[2] == 4:
        return image.copy()
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))


def _scale(image: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    """Shrink by the integer part of the factor with a box filter, then by the rest (below 2) bilinearly.

    INTER_AREA averages exactly, but at a fractional factor it costs 7x INTER_LINEAR (1.0 vs 0.14 ms for
    640x360 -> 444x250); at an exact integer factor it is a cheap box filter. Bilinear skips source pixels
    at factors of 2 and more, which makes fine detail crawl; below 2 every pixel counts, and scaled text
    stays within a few grey levels of the exact average (tests/video/test_capture.py).
    """
    height, width = image.shape[0], image.shape[1]
    step = min(width // size[0], height // size[1])
    if step >= 2:
        # Trim the few edge pixels that keep the factor from being an exact integer.
        whole = image[: height - height % step, : width - width % step]
        image = np.asarray(cv2.resize(whole, (width // step, height // step), interpolation=cv2.INTER_AREA))
    if (image.shape[1], image.shape[0]) == size:
        return image
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR))


class StreamWorker:
    """Owns one stream's capture on its own thread, from open to release; shares only the mailbox and health.

    The capture is created, read and released on this thread alone, so release never races a read.
    """

    def __init__(
        self,
        camera_id: str,
        quality: Quality,
        url: str,
        *,
        options: CaptureOptions,
        factory: CaptureFactory,
        clock: Clock,
        gate: OpenGate,
        rng: random.Random | None = None,
        tap: FrameTap | None = None,
    ) -> None:
        self.camera_id, self.quality, self.url = camera_id, quality, url
        self._options, self._factory, self._clock, self._gate, self._tap = options, factory, clock, gate, tap
        self._backoff = Backoff(options.backoff_base, options.backoff_cap, rng)
        self.mailbox = Mailbox()
        self.tracker = HealthTracker(camera_id, quality, options.health, clock.monotonic())
        self._stop = threading.Event()
        self._target: tuple[int, int] | None = None
        self._seq = 0
        # False once this camera's packets failed to decode: from then on FFmpeg decodes its stream.
        self._packets_ok = True
        self._quiet_reopen = False
        try:
            kind: SourceKind | None = source_kind(url)
        except ValueError:
            kind = None
        self._is_file = kind is SourceKind.FILE
        # Only RTP timestamps are the camera's clock: FFmpeg's MJPEG-over-HTTP demuxer stamps each picture
        # 1/25 s after the previous whatever the camera's rate, and HLS arrives in segment-sized bursts.
        self._camera_clock = kind is SourceKind.RTSP
        self._thread = threading.Thread(target=self._run, name=f"capture {camera_id}/{quality}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish; it releases its capture once the blocking call in progress returns."""
        self._stop.set()

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def set_target_size(self, size: tuple[int, int] | None) -> None:
        """Scale frames into `size` (width, height) from the next frame on; None keeps the stream's size."""
        self._target = size

    def latest(self) -> Frame | None:
        return self.mailbox.latest()

    def status(self) -> StreamStatus:
        return self.tracker.status(self._clock.monotonic())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                failure = self._attempt()
            except Exception as exc:
                # A decoder or backend error must not end the thread: the camera would never come back.
                _log.exception("camera %s/%s: capture failed", self.camera_id, self.quality)
                failure = Failure(Reason.STREAM_ENDED, f"capture error: {exc}")
            if failure is None:
                return
            if failure is _REOPEN:
                self._quiet_reopen = True
                continue
            delay = self._backoff.next_delay()
            self.tracker.failed(failure, self._clock.monotonic() + delay)
            _log.info(
                "camera %s/%s: %s (%s), retry in %.1f s",
                self.camera_id,
                self.quality,
                failure.reason,
                failure.detail,
                delay,
            )
            if self._stop.wait(delay):
                return

    def _attempt(self) -> Failure | None:
        """One open-read cycle; the failure that ended it, or None when asked to stop."""
        quiet, self._quiet_reopen = self._quiet_reopen, False
        if not quiet:
            # A reopen to change decoding keeps showing the stream as it was until frames stop.
            self.tracker.opening()
        with self._gate.slot(self.tracker.failures > 0, self._stop) as admitted:
            if not admitted:
                return None
            began = time.monotonic()
            source = self._factory(self.url, self._options)
            took = time.monotonic() - began
        try:
            if self._stop.is_set():
                return None
            if not source.isOpened():
                if took >= 0.9 * self._options.open_timeout:
                    timeout = self._options.open_timeout
                    return Failure(Reason.OPEN_TIMEOUT, f"no answer within the {timeout:g} s open timeout")
                return diagnose(self.url, self._options.probe_timeout)
            self.tracker.opened(self._clock.monotonic())
            return self._read(source)
        finally:
            source.release()

    def _read(self, source: Source) -> Failure | None:
        period = 0.0
        if self._is_file:
            fps = source.get(cv2.CAP_PROP_FPS)
            period = 1.0 / (fps if 1.0 <= fps <= 240.0 else 25.0)
        packets = _Packets.of(source) if self._packets_ok and not self._is_file else None
        due = time.monotonic()
        frames = 0
        while not self._stop.is_set():
            if packets is not None and not packets.raw:
                packets.switch_if_smaller(source, self._target)
            began = time.monotonic()
            ok, image = source.read()
            if self._stop.is_set():
                return None
            if not ok or image is None:
                if self._is_file and frames and source.set(cv2.CAP_PROP_POS_FRAMES, 0):
                    frames = 0
                    continue
                return self._read_failure(time.monotonic() - began, frames)
            pixels, encoded = np.asarray(image, dtype=np.uint8), None
            if packets is not None and packets.raw:
                picture, reduction = packets.decode(pixels, self._target, began)
                if picture is None:
                    if packets.torn < TORN_LIMIT:
                        continue
                    self._packets_ok = False
                    return Failure(Reason.STREAM_ENDED, "the camera's JPEG pictures could not be decoded")
                if packets.full_since is not None and began - packets.full_since >= REOPEN_AFTER_S:
                    return _REOPEN
                pixels, encoded = picture, (pixels if reduction > 1 else None)
            frames += 1
            self._publish(pixels, source, encoded)
            if frames == 1:
                self._backoff.reset()
            if period:
                due = max(due + period, time.monotonic() - period)
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    return None
        return None

    def _read_failure(self, blocked: float, frames: int) -> Failure:
        timeout = self._options.read_timeout
        if blocked >= 0.9 * timeout:
            return Failure(Reason.NO_FRAMES, f"no frame within the {timeout:g} s read timeout")
        if frames == 0:
            return Failure(Reason.NO_VIDEO, "the stream opened but gave no frame")
        return Failure(Reason.STREAM_ENDED, "the stream ended or the connection dropped")

    def _publish(
        self, source_image: NDArray[np.uint8], source: Source, encoded: NDArray[np.uint8] | None = None
    ) -> None:
        now, wall = self._clock.monotonic(), self._clock.now()
        image = to_display(source_image, self._target)
        image.flags.writeable = False
        source_image.flags.writeable = False
        if encoded is not None:
            encoded.flags.writeable = False
        position = source.get(cv2.CAP_PROP_POS_MSEC)
        source_ts = position / 1000.0 if position > 0 else None
        self._seq += 1
        frame = Frame(
            camera_id=self.camera_id,
            quality=self.quality,
            image=image,
            source=source_image,
            seq=self._seq,
            captured_at=now,
            wall_time=wall,
            source_ts=source_ts,
            encoded=encoded,
        )
        self.mailbox.put(frame)
        self.tracker.frame(now, wall, source_ts if self._camera_clock else None)
        if self._tap is not None:
            try:
                self._tap(frame)
            except Exception:
                _log.exception("frame tap failed for camera %s", self.camera_id)


class _Packets:
    """An MJPEG capture whose pictures the worker may decode itself, at the scale its tile shows them."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.raw = False
        self.torn = 0
        # Since when the tile has needed the full picture while in raw mode (monotonic), if it does.
        self.full_since: float | None = None

    @classmethod
    def of(cls, source: Source) -> _Packets | None:
        size = stream_size(source) if is_mjpeg(source) else None
        return None if size is None else cls(size)

    def reduction(self, target: tuple[int, int] | None) -> int:
        return reduction_for(self.size, fit_size(*self.size, target))

    def switch_if_smaller(self, source: Source, target: tuple[int, int] | None) -> None:
        """Take packets from now on if the tile is at most half the stream's size."""
        if self.reduction(target) > 1:
            self.raw = use_packets(source)

    def decode(
        self, packet: NDArray[np.uint8], target: tuple[int, int] | None, now: float
    ) -> tuple[NDArray[np.uint8] | None, int]:
        """The picture at the largest scale-down that still covers the tile, and that scale-down."""
        reduction = self.reduction(target)
        if reduction > 1:
            self.full_since = None
        elif self.full_since is None:
            self.full_since = now
        picture = decode_packet(packet, reduction)
        if picture is None:
            self.torn += 1
            _log.debug("undecodable JPEG packet (%d in a row)", self.torn)
        else:
            self.torn = 0
        return picture, reduction
