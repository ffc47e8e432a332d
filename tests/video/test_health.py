"""Health is judged from frame age and what the worker reports; back-off stays inside its envelope."""

from __future__ import annotations

import random
import statistics

import pytest

from core.clock import ManualClock
from video.health import Backoff, Failure, Health, HealthTiming, HealthTracker, Reason
from video.registry import Quality

TIMING = HealthTiming(stale_after=3.0, offline_after=20.0)


def tracker(clock: ManualClock) -> HealthTracker:
    return HealthTracker("c1", Quality.SUB, TIMING, clock.monotonic())


def test_connecting_live_stale_reconnecting_offline_live() -> None:
    clock = ManualClock()
    t = tracker(clock)
    assert t.status(clock.monotonic()).health is Health.CONNECTING
    t.opened(clock.monotonic())
    assert t.status(clock.monotonic()).health is Health.CONNECTING
    clock.advance(0.5)
    t.frame(clock.monotonic(), clock.now())
    clock.advance(2.9)
    assert t.status(clock.monotonic()).health is Health.LIVE
    clock.advance(0.2)
    stale = t.status(clock.monotonic())
    assert (stale.health, stale.reason) == (Health.STALE, Reason.NO_FRAMES)
    assert stale.last_frame_wall == pytest.approx(clock.now() - 3.1)
    t.failed(Failure(Reason.NO_FRAMES, "read timed out"), retry_at=clock.monotonic() + 1.0)
    waiting = t.status(clock.monotonic())
    assert (waiting.health, waiting.retry_at, waiting.failures) == (
        Health.RECONNECTING,
        clock.monotonic() + 1.0,
        1,
    )
    t.opening()
    clock.advance(17.0)
    assert t.status(clock.monotonic()).health is Health.OFFLINE
    t.opened(clock.monotonic())
    t.frame(clock.monotonic(), clock.now())
    back = t.status(clock.monotonic())
    assert (back.health, back.reason, back.failures) == (Health.LIVE, None, 0)


def test_health_ignores_reads_and_looks_only_at_frame_age() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    t.frame(clock.monotonic(), clock.now())
    # The capture is still "reading" (a read that blocks, or returns ok without a new picture):
    # nothing but the age of the last frame decides.
    clock.advance(3.01)
    assert t.status(clock.monotonic()).health is Health.STALE
    clock.advance(17.0)
    assert t.status(clock.monotonic()).health is Health.OFFLINE


def test_an_opened_stream_that_never_delivers_goes_stale() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    clock.advance(3.5)
    status = t.status(clock.monotonic())
    assert (status.health, status.reason) == (Health.STALE, Reason.NO_FRAMES)


@pytest.mark.parametrize("reason", [Reason.NOT_FOUND, Reason.UNAUTHORIZED, Reason.BAD_URL])
def test_permanent_failures_are_offline_at_once(reason: Reason) -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.failed(Failure(reason, "x answered 404 Not Found"), retry_at=clock.monotonic() + 1.0)
    status = t.status(clock.monotonic())
    assert (status.health, status.reason, status.detail) == (
        Health.OFFLINE,
        reason,
        "x answered 404 Not Found",
    )


def test_transient_failures_reconnect_until_the_outage_is_long() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.failed(Failure(Reason.REFUSED, "nothing accepts connections"), retry_at=1.0)
    assert t.status(clock.monotonic()).health is Health.RECONNECTING
    clock.advance(20.5)
    assert t.status(clock.monotonic()).health is Health.OFFLINE


def test_fps_is_measured_while_live_and_zero_when_not() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    for _ in range(50):
        t.frame(clock.monotonic(), clock.now())
        clock.advance(0.04)
    assert t.status(clock.monotonic()).fps == pytest.approx(25.0)
    clock.advance(5.0)
    assert t.status(clock.monotonic()).fps == 0.0


def test_backoff_doubles_its_envelope_up_to_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    assert [backoff.envelope(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert backoff.envelope(500) == 30.0


def test_backoff_delays_stay_in_the_envelope_and_are_jittered() -> None:
    rng = random.Random(7)
    delays: dict[int, list[float]] = {}
    for _ in range(400):
        backoff = Backoff(base=1.0, cap=30.0, rng=rng)
        for attempt in range(1, 9):
            delays.setdefault(attempt, []).append(backoff.next_delay())
    for attempt, seen in delays.items():
        top = min(30.0, 2.0 ** (attempt - 1))
        assert all(0.0 <= d <= top for d in seen)
        # Full jitter: spread over the whole envelope, not bunched at one value.
        assert statistics.mean(seen) == pytest.approx(top / 2, rel=0.15)
        assert max(seen) - min(seen) > 0.8 * top


def test_backoff_reset_starts_again_at_the_base() -> None:
    backoff = Backoff(base=1.0, cap=30.0, rng=random.Random(1))
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_backoff_rejects_a_cap_below_the_base() -> None:
    with pytest.raises(ValueError, match="base <= cap"):
        Backoff(base=5.0, cap=1.0)


def feed(
    t: HealthTracker, clock: ManualClock, frames: int, every: float, stream_step: float, ts: float
) -> float:
    """`frames` pictures `every` s apart on our clock, `stream_step` s apart on the camera's; the last ts."""
    for _ in range(frames):
        clock.advance(every)
        ts += stream_step
        t.frame(clock.monotonic(), clock.now(), ts)
    return ts


def test_a_decoder_that_falls_behind_the_camera_is_behind_until_it_catches_up() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    ts = feed(t, clock, 50, 0.04, 0.04, ts=100.0)
    assert t.status(clock.monotonic()).health is Health.LIVE
    # The decoder now takes 80 ms a picture: each one is 40 ms later than the one before.
    ts = feed(t, clock, 25, 0.08, 0.04, ts)
    assert t.status(clock.monotonic()).health is Health.LIVE
    ts = feed(t, clock, 2, 0.08, 0.04, ts)
    behind = t.status(clock.monotonic())
    assert (behind.health, behind.reason) == (Health.BEHIND, None)
    assert behind.detail == "1.1 s behind the camera"
    assert behind.fps == pytest.approx(1 / 0.08, rel=0.2)
    # Still behind is not frozen: frames keep coming, so no stale.
    assert behind.last_frame_at == clock.monotonic()
    # The backlog drains: buffered pictures come back to back.
    ts = feed(t, clock, 1, 0.005, 0.04, ts)
    assert t.status(clock.monotonic()).health is Health.BEHIND
    feed(t, clock, 10, 0.005, 0.04, ts)
    assert t.status(clock.monotonic()).health is Health.LIVE


def test_without_the_camera_clock_a_slow_stream_is_live_not_behind() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    for _ in range(100):
        clock.advance(0.08)
        t.frame(clock.monotonic(), clock.now(), None)
    assert t.status(clock.monotonic()).health is Health.LIVE


def test_a_camera_clock_running_slow_is_not_taken_for_a_late_decoder() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    # 500 ppm slow for three hours (5.4 s in all), one picture a second to keep the test short.
    feed(t, clock, 3 * 3600, 1.0, 0.9995, ts=0.0)
    assert t.status(clock.monotonic()).health is Health.LIVE


def test_a_restarted_camera_clock_or_a_reconnect_starts_lateness_over() -> None:
    clock = ManualClock()
    t = tracker(clock)
    t.opened(clock.monotonic())
    feed(t, clock, 10, 0.04, 0.04, ts=500.0)
    # The camera's clock jumps back (it restarted without dropping the connection).
    feed(t, clock, 10, 0.04, 0.04, ts=0.0)
    assert t.status(clock.monotonic()).health is Health.LIVE
    feed(t, clock, 40, 0.08, 0.04, ts=0.4)
    assert t.status(clock.monotonic()).health is Health.BEHIND
    # A new connection: a fresh socket has no backlog, and the stream clock may start anywhere.
    t.opened(clock.monotonic())
    feed(t, clock, 10, 0.04, 0.04, ts=7.0)
    assert t.status(clock.monotonic()).health is Health.LIVE
