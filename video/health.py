"""Stream health judged by frame age, failure reasons, and the jittered reconnect back-off."""

from __future__ import annotations

import enum
import random
import threading
from dataclasses import dataclass

from video.registry import Quality


class Health(enum.StrEnum):
    """connecting → live → stale → reconnecting → offline; any of them → live when frames flow again.

    behind: frames flow, but the decoder has fallen behind the camera's clock (frames wait in the socket
    buffers, so the picture is seconds old while it still moves); back to live once it has caught up.
    """

    CONNECTING = "connecting"
    LIVE = "live"
    BEHIND = "behind"
    STALE = "stale"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


class Reason(enum.StrEnum):
    """Why a stream is not live; `detail` on the status carries the specifics (status line, host:port)."""

    OPEN_TIMEOUT = "open_timeout"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    NOT_FOUND = "not_found"
    UNAUTHORIZED = "unauthorized"
    BAD_URL = "bad_url"
    NO_VIDEO = "no_video"
    NO_FRAMES = "no_frames"
    STREAM_ENDED = "stream_ended"


# Retrying cannot fix these until someone changes the configuration or the server: offline at once.
PERMANENT_REASONS = frozenset({Reason.NOT_FOUND, Reason.UNAUTHORIZED, Reason.BAD_URL})


@dataclass(frozen=True, slots=True)
class Failure:
    reason: Reason
    detail: str

    @property
    def permanent(self) -> bool:
        return self.reason in PERMANENT_REASONS


@dataclass(frozen=True, slots=True)
class HealthTiming:
    """stale: no new frame for `stale_after` s; offline: no frame for `offline_after` s while retrying;
    behind: frames arrive `behind_after` s later than the most punctual frame since the stream opened,
    measured on the camera's clock. `clock_drift` (s per s) is how fast that reference may age, so a
    camera whose clock runs slow against ours is never taken for a decoder that fell behind."""

    stale_after: float = 3.0
    offline_after: float = 20.0
    behind_after: float = 1.0
    clock_drift: float = 0.001


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """One stream's health at `at` (monotonic). `last_frame_wall` is for "signal lost hh:mm:ss"."""

    camera_id: str
    quality: Quality
    health: Health
    reason: Reason | None
    detail: str
    at: float
    last_frame_at: float | None
    last_frame_wall: float | None
    frames: int
    fps: float
    failures: int
    retry_at: float | None


class _Phase(enum.Enum):
    OPENING = enum.auto()
    READING = enum.auto()
    WAITING = enum.auto()


class HealthTracker:
    """The worker reports what happened; `status(now)` judges health from those facts and the frame age.

    Thread-safe: the capture thread reports, the monitor and the UI read.
    """

    def __init__(self, camera_id: str, quality: Quality, timing: HealthTiming, started_at: float) -> None:
        self._camera_id, self._quality, self._timing = camera_id, quality, timing
        self._lock = threading.Lock()
        self._phase = _Phase.OPENING
        self._started_at = started_at
        self._opened_at = started_at
        self._last_frame_at: float | None = None
        self._last_frame_wall: float | None = None
        self._frames = 0
        self._interval = 0.0
        # The camera's clock against ours: `_offset` is now - stream time of the most punctual frame.
        self._stream_ts: float | None = None
        self._offset = 0.0
        self._late = 0.0
        self._failures = 0
        self._failure: Failure | None = None
        self._retry_at: float | None = None

    def opening(self) -> None:
        with self._lock:
            self._phase = _Phase.OPENING
            self._retry_at = None

    def opened(self, now: float) -> None:
        with self._lock:
            self._phase = _Phase.READING
            self._opened_at = now
            self._stream_ts, self._late = None, 0.0

    def frame(self, now: float, wall: float, stream_ts: float | None = None) -> None:
        """A new picture at `now`; `stream_ts` is its time on the camera's own clock (seconds), given only
        for streams whose timestamps come from the camera (RTSP): how late it is is judged from it."""
        with self._lock:
            previous = self._last_frame_at
            if previous is not None and previous >= self._opened_at:
                gap = now - previous
                self._interval = gap if self._interval == 0.0 else 0.9 * self._interval + 0.1 * gap
            self._track_lateness(now, stream_ts, previous)
            self._last_frame_at, self._last_frame_wall = now, wall
            self._frames += 1
            self._failures = 0
            self._failure = None

    def _track_lateness(self, now: float, stream_ts: float | None, previous: float | None) -> None:
        last_ts, self._stream_ts = self._stream_ts, stream_ts
        if stream_ts is None or last_ts is None or previous is None or stream_ts < last_ts:
            # No camera clock, the connection's first frame, or the camera's clock restarted: start over.
            self._offset = 0.0 if stream_ts is None else now - stream_ts
            self._late = 0.0
            return
        offset = now - stream_ts
        self._offset = min(offset, self._offset + self._timing.clock_drift * (now - previous))
        self._late = offset - self._offset

    def failed(self, failure: Failure, retry_at: float) -> None:
        with self._lock:
            self._phase = _Phase.WAITING
            self._failures += 1
            self._failure = failure
            self._retry_at = retry_at

    @property
    def failures(self) -> int:
        with self._lock:
            return self._failures

    def status(self, now: float) -> StreamStatus:
        with self._lock:
            health, reason, detail = self._judge(now)
            fresh = health in (Health.LIVE, Health.BEHIND) and self._interval > 0.0
            return StreamStatus(
                camera_id=self._camera_id,
                quality=self._quality,
                health=health,
                reason=reason,
                detail=detail,
                at=now,
                last_frame_at=self._last_frame_at,
                last_frame_wall=self._last_frame_wall,
                frames=self._frames,
                fps=1.0 / self._interval if fresh else 0.0,
                failures=self._failures,
                retry_at=self._retry_at if self._phase is _Phase.WAITING else None,
            )

    def _judge(self, now: float) -> tuple[Health, Reason | None, str]:
        timing = self._timing
        last = self._last_frame_at
        outage = now - (last if last is not None else self._started_at)
        if self._phase is _Phase.READING:
            if last is not None and now - last <= timing.stale_after:
                if self._late > timing.behind_after:
                    return Health.BEHIND, None, f"{self._late:.1f} s behind the camera"
                return Health.LIVE, None, ""
            waiting_first = last is None or last < self._opened_at
            since_open = now - self._opened_at
            if not waiting_first or since_open > timing.stale_after:
                silent = since_open if waiting_first or last is None else now - last
                health = Health.OFFLINE if outage > timing.offline_after else Health.STALE
                return health, Reason.NO_FRAMES, f"no new frame for {silent:.1f} s"
        failure = self._failure
        if failure is None:
            return (Health.CONNECTING if last is None else Health.RECONNECTING), None, ""
        if failure.permanent or outage > timing.offline_after:
            return Health.OFFLINE, failure.reason, failure.detail
        return Health.RECONNECTING, failure.reason, failure.detail


class Backoff:
    """Reconnect delays under the envelope base·2ⁿ capped at `cap` (1, 2, 4 … 30 s), with full jitter.

    Full jitter (a uniform draw in [0, envelope]) spreads cameras that failed together — a switch reboot —
    so they do not all retry in the same instant; the envelope bounds how long a recovered camera waits.
    """

    def __init__(self, base: float = 1.0, cap: float = 30.0, rng: random.Random | None = None) -> None:
        if base <= 0 or cap < base:
            raise ValueError("back-off needs 0 < base <= cap")
        self.base, self.cap = base, cap
        self._rng = rng or random.Random()
        self._attempt = 0

    def envelope(self, attempt: int) -> float:
        """The largest delay after the `attempt`-th consecutive failure (1-based)."""
        return min(self.cap, self.base * 2.0 ** min(attempt - 1, 64))

    def next_delay(self) -> float:
        self._attempt += 1
        return self._rng.uniform(0.0, self.envelope(self._attempt))

    def reset(self) -> None:
        self._attempt = 0
