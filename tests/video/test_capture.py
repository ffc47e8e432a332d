"""Capture workers with scripted sources: keep-latest, resizing, health, reconnects, open cap, shutdown."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from core.clock import ManualClock
from sim.stamp import decode_stamp, draw_stamp
from tests.video.fakes import DEAD_BASE, FAST, FakeCamera, FakeFactory, picture, registry, wait_until
from video.capture import CaptureOptions, OpenGate, StreamWorker, fit_size, to_display
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


@pytest.mark.parametrize(
    "tile", [(478, 250), (384, 216), (318, 166), (236, 132), (1280, 720)], ids=lambda t: f"{t[0]}x{t[1]}"
)
def test_the_stamp_burned_into_a_frame_reads_back_at_every_wall_tile_size(tile: tuple[int, int]) -> None:
    image = np.full((360, 640, 3), 90, np.uint8)
    draw_stamp(image, 1_767_225_600.125)
    shown = to_display(image, tile)
    assert shown.shape == (*fit_size(640, 360, tile)[::-1], 4)
    assert decode_stamp(shown) == 1_767_225_600.125


def test_shrinking_by_two_or_more_averages_fine_detail_instead_of_aliasing() -> None:
    # One-pixel stripes (railings, text strokes) must shrink to an even grey, not to coarse moire bands
    # that crawl as the scene moves: plain bilinear at this factor (2.17) skips whole source columns.
    stripes = np.zeros((360, 640, 3), np.uint8)
    stripes[:, ::2] = 255
    shown = to_display(stripes, (318, 166))[:, :, :3].astype(float)
    assert abs(shown.mean() - 127.5) < 3.0
    assert shown.std() < 3.0
    skipping = cv2.resize(stripes, fit_size(640, 360, (318, 166)), interpolation=cv2.INTER_LINEAR)
    assert skipping.astype(float).std() > 50.0


@pytest.mark.parametrize("tile", [(478, 250), (384, 216), (318, 166)], ids=lambda t: f"{t[0]}x{t[1]}")
def test_scaled_text_stays_close_to_a_full_area_average(tile: tuple[int, int]) -> None:
    text = np.full((360, 640, 3), 60, np.uint8)
    for row, y in enumerate(range(30, 360, 22)):
        scale = 0.45 + 0.02 * (row % 3)
        cv2.putText(
            text, "2026-01-01 12:34:56 CAM07", (5, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255)
        )
    shown = to_display(text, tile)[:, :, :3].astype(float)
    # INTER_AREA over the whole factor is the reference: the best average, at 7x the cost.
    reference = cv2.resize(text, fit_size(640, 360, tile), interpolation=cv2.INTER_AREA).astype(float)
    assert np.abs(shown - reference).mean() < 3.0


class ClockedCamera(FakeCamera):
    """A fake whose pictures carry a stream timestamp, like RTP: `push_at(image, stream_seconds)`."""

    def __init__(self) -> None:
        super().__init__()
        self._stamps: list[float] = []
        self._position = 0.0

    def push_at(self, image: np.ndarray, stream_seconds: float) -> None:
        self._stamps.append(stream_seconds)
        self.push(image)

    def read(self) -> tuple[bool, np.ndarray | None]:
        ok, image = super().read()
        if ok:
            self._position = self._stamps.pop(0) * 1000.0
        return ok, image

    def get(self, prop: int, /) -> float:
        return self._position if prop == cv2.CAP_PROP_POS_MSEC else 0.0


@pytest.mark.parametrize(("url", "judged"), [("rtsp://127.0.0.1:9/c0", True), (sub_url("c0"), False)])
def test_a_worker_that_falls_behind_an_rtsp_camera_says_so(
    factory: FakeFactory, clock: ManualClock, url: str, judged: bool
) -> None:
    camera = factory.next_camera(url, ClockedCamera())
    assert isinstance(camera, ClockedCamera)
    gate = OpenGate()
    worker = StreamWorker("c0", Quality.SUB, url, options=FAST, factory=factory, clock=clock, gate=gate)
    worker.start()
    try:
        # Pictures 40 ms apart on the camera's clock, taken from the socket 80 ms apart: 40 ms later each.
        for seq in range(1, 31):
            camera.push_at(picture(seq), 10.0 + 0.04 * seq)
            assert wait_until(lambda: (f := worker.latest()) is not None and f.seq == seq)  # noqa: B023
            clock.advance(0.08)
        status = worker.status()
        # Only RTSP carries the camera's clock; FFmpeg stamps MJPEG over HTTP at a fixed 25 fps.
        assert status.health is (Health.BEHIND if judged else Health.LIVE)
        latest = worker.latest()
        assert latest is not None
        assert latest.source_ts == pytest.approx(11.2)
    finally:
        worker.stop()
        factory.abandon()
        assert worker.join(5.0)


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


def test_opencv_does_each_frames_work_on_the_capture_thread() -> None:
    # OpenCV's own pool would split every resize over the cores again, behind the capture threads' backs.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
    probe = "import video, cv2, numpy; cv2.resize(numpy.zeros((9, 9), numpy.uint8), (3, 3))\n"
    probe += "print(cv2.getNumThreads())"
    shown = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "1"
