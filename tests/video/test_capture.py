"""Capture workers with scripted sources: keep-latest, resizing, health, reconnects, open cap, shutdown."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

from dispatch.clock import ManualClock
from tests.video.fakes import DEAD_BASE, FAST, FakeCamera, FakeFactory, picture, registry, wait_until
from video.capture import CaptureOptions, OpenGate, fit_size, to_display
from video.frames import Frame, Mailbox
from video.health import Health, HealthTiming, Reason, StreamStatus
from video.registry import Quality
from video.streams import StreamManager


def sub_url(camera_id: str) -> str:
    return f"{DEAD_BASE}/{camera_id}/sub"


@pytest.fixture
def factory() -> FakeFactory:
    return FakeFactory()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def reports() -> list[StreamStatus]:
    return []


@pytest.fixture
def manager(factory: FakeFactory, clock: ManualClock, reports: list[StreamStatus]) -> Iterator[StreamManager]:
    manager = StreamManager(
        registry(*(f"c{i}" for i in range(8))),
        options=FAST,
        factory=factory,
        clock=clock,
        monitor_interval=None,
        on_health=reports.append,
    )
    yield manager
    factory.abandon()
    assert manager.close(timeout=5.0)


def frame(seq: int) -> Frame:
    image = picture(seq)
    return Frame("c", Quality.SUB, image, image, seq, float(seq), float(seq), None)


def test_the_mailbox_holds_only_the_newest_frame() -> None:
    box = Mailbox()
    assert box.latest() is None
    for seq in (1, 2, 3):
        box.put(frame(seq))
    latest = box.latest()
    assert latest is not None
    assert latest.seq == 3


def test_a_reader_slower_than_the_stream_still_gets_the_newest_frame(
    manager: StreamManager, factory: FakeFactory
) -> None:
    camera = factory.next_camera(sub_url("c0"))
    lease = manager.acquire("c0")
    for value in range(200):
        camera.push(picture(value))
    assert wait_until(lambda: camera.reads == 200)
    latest = lease.latest()
    assert latest is not None
    assert latest.seq == 200
    assert int(latest.image[0, 0, 0]) == 199


def test_frames_are_scaled_in_the_worker_keeping_the_aspect(
    manager: StreamManager, factory: FakeFactory
) -> None:
    camera = factory.next_camera(sub_url("c0"))
    lease = manager.acquire("c0")
    lease.set_target_size(32, 32)
    camera.push(picture(90, width=64, height=36))
    assert wait_until(lambda: lease.latest() is not None)
    shown = lease.latest()
    assert shown is not None
    assert shown.size == (32, 18)
    assert shown.image.shape == (18, 32, 4)
    assert (shown.image[:, :, 3] == 255).all()
    assert not shown.image.flags.writeable
    assert shown.source.shape == (36, 64, 3)


def test_fit_size_and_display_conversion() -> None:
    assert fit_size(640, 360, None) == (640, 360)
    assert fit_size(640, 360, (320, 320)) == (320, 180)
    assert fit_size(640, 360, (100, 40)) == (71, 40)
    grey = np.zeros((10, 20), np.uint8)
    assert to_display(grey, (10, 10)).shape == (5, 10, 4)


def test_health_goes_connecting_live_stale_reconnecting_offline_and_back(
    manager: StreamManager, factory: FakeFactory, clock: ManualClock, reports: list[StreamStatus]
) -> None:
    url = sub_url("c0")
    first = factory.next_camera(url)
    factory.hold(url)
    lease = manager.acquire("c0")
    manager.check()
    first.push(picture(1))
    factory.let_go(url)
    assert wait_until(lambda: lease.latest() is not None)
    manager.check()
    clock.advance(3.5)
    manager.check()
    # The frozen camera's read fails at last; its reopen hangs like a server that does not answer.
    factory.hold(url)
    first.drop()
    assert wait_until(lambda: factory.in_flight == 1)
    assert first.released.is_set()
    manager.check()
    clock.advance(20.0)
    manager.check()
    second = factory.next_camera(url)
    second.push(picture(2))
    factory.let_go(url)
    assert wait_until(lambda: (s := lease.status()) is not None and s.health is Health.LIVE)
    manager.check()
    assert [r.health for r in reports] == [
        Health.CONNECTING,
        Health.LIVE,
        Health.STALE,
        Health.RECONNECTING,
        Health.OFFLINE,
        Health.LIVE,
    ]
    assert reports[2].reason is Reason.NO_FRAMES
    assert reports[3].reason is Reason.STREAM_ENDED


def test_a_source_that_does_not_open_is_diagnosed(manager: StreamManager, factory: FakeFactory) -> None:
    factory.next_camera(sub_url("c0"), FakeCamera(opened=False))
    lease = manager.acquire("c0")
    assert wait_until(lambda: (s := lease.status()) is not None and s.reason is Reason.REFUSED)
    status = lease.status()
    assert status is not None
    assert status.health is Health.RECONNECTING
    assert "127.0.0.1:9" in status.detail


def test_concurrent_opens_are_capped(factory: FakeFactory) -> None:
    options = CaptureOptions(max_concurrent_opens=2, backoff_base=0.01, backoff_cap=0.05)
    ids = [f"c{i}" for i in range(6)]
    for camera_id in ids:
        factory.hold(sub_url(camera_id))
    manager = StreamManager(registry(*ids), options=options, factory=factory, monitor_interval=None)
    try:
        for camera_id in ids:
            manager.acquire(camera_id)
        assert wait_until(lambda: factory.in_flight == 2)
        for camera_id in ids:
            factory.let_go(sub_url(camera_id))
        assert wait_until(lambda: all(factory.opens(sub_url(c)) == 1 for c in ids))
        assert factory.peak == 2
        assert manager.gate.peak == 2
    finally:
        factory.abandon()
        manager.close(timeout=5.0)


def test_a_hung_open_does_not_delay_another_camera(manager: StreamManager, factory: FakeFactory) -> None:
    factory.hold(sub_url("c0"))
    manager.acquire("c0")
    assert wait_until(lambda: factory.in_flight == 1)
    healthy = factory.next_camera(sub_url("c1"))
    healthy.push(picture(7))
    lease = manager.acquire("c1")
    assert wait_until(lambda: lease.latest() is not None, timeout=2.0)
    assert factory.in_flight == 1


def test_failing_cameras_retrying_leave_room_for_a_fresh_open(factory: FakeFactory) -> None:
    options = CaptureOptions(max_concurrent_opens=2, backoff_base=0.01, backoff_cap=0.02, probe_timeout=0.5)
    dead = ["c0", "c1", "c2"]
    for camera_id in dead:
        factory.next_camera(sub_url(camera_id), FakeCamera(opened=False))
        factory.hold(sub_url(camera_id), from_open=1)
    manager = StreamManager(registry(*dead, "c3"), options=options, factory=factory, monitor_interval=None)
    try:
        for camera_id in dead:
            manager.acquire(camera_id)
        # All three failed once and retry; retries may hold only half the slots, so one hangs in open.
        assert wait_until(lambda: all(factory.opens(sub_url(c)) >= 1 for c in dead))
        assert wait_until(lambda: factory.in_flight == 1)
        healthy = factory.next_camera(sub_url("c3"))
        healthy.push(picture(3))
        lease = manager.acquire("c3")
        assert wait_until(lambda: lease.latest() is not None, timeout=2.0)
    finally:
        factory.abandon()
        manager.close(timeout=5.0)


def test_close_stops_the_thread_which_then_releases_its_own_capture(
    manager: StreamManager, factory: FakeFactory
) -> None:
    threads: dict[str, threading.Thread] = {}

    class Watched(FakeCamera):
        def read(self) -> tuple[bool, np.ndarray | None]:
            threads["read"] = threading.current_thread()
            return super().read()

        def release(self) -> None:
            threads["release"] = threading.current_thread()
            super().release()

    camera = factory.next_camera(sub_url("c0"), Watched())
    manager.acquire("c0")
    assert wait_until(lambda: "read" in threads)
    factory.abandon()
    assert manager.close(timeout=5.0)
    assert camera.released.is_set()
    assert threads["release"] is threads["read"]
    assert not threads["read"].is_alive()


def test_the_gate_gives_up_waiting_when_told_to_stop() -> None:
    gate = OpenGate(limit=1)
    stop = threading.Event()
    with gate.slot(False, stop) as first:
        assert first
        stop.set()
        with gate.slot(False, stop) as second:
            assert not second
    assert gate.peak == 1


def test_stale_threshold_comes_from_the_options(factory: FakeFactory, clock: ManualClock) -> None:
    options = CaptureOptions(health=HealthTiming(stale_after=1.0, offline_after=5.0))
    manager = StreamManager(
        registry("c0"), options=options, factory=factory, clock=clock, monitor_interval=None
    )
    try:
        camera = factory.next_camera(sub_url("c0"))
        camera.push(picture(1))
        lease = manager.acquire("c0")
        assert wait_until(lambda: lease.latest() is not None)
        clock.advance(1.2)
        status = lease.status()
        assert status is not None
        assert status.health is Health.STALE
    finally:
        factory.abandon()
        manager.close(timeout=5.0)
