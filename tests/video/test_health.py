"""Health is judged from frame age and what the worker reports; back-off stays inside its envelope."""

from __future__ import annotations

import random
import statistics

import pytest

from dispatch.clock import ManualClock
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
