"""Real decoding through cv2/FFmpeg: HTTP MJPEG from the demo server and a local file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from sim.demo_streams import DemoStreamServer
from sim.stamp import decode_stamp
from tests.video.fakes import wait_until
from video.capture import CaptureOptions
from video.health import Health, Reason
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry, Quality
from video.streams import StreamLease, StreamManager

OPTIONS = CaptureOptions(open_timeout=3.0, read_timeout=4.0, backoff_base=0.2, backoff_cap=1.0)


def camera(camera_id: str, sub: str, main: str | None = None) -> CameraInfo:
    return CameraInfo(
        camera_id, camera_id, "g", 0.0, 0.0, 0.0, 60.0, sub, main or sub, ACCESS_LEVELS["public"]
    )


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoStreamServer]:
    with DemoStreamServer(["a", "b"], fps=25.0) as server:
        yield server


@pytest.fixture
def manager(demo: DemoStreamServer, tmp_path: Path) -> Iterator[StreamManager]:
    registry = CameraRegistry(
        [
            camera("a", demo.url("a"), demo.url("a", Quality.MAIN)),
            camera("b", demo.url("b")),
            camera("wrong", f"{demo.base_url}/nope/sub.mjpg"),
            camera("file", str(tmp_path / "clip.avi")),
        ]
    )
    with StreamManager(registry, options=OPTIONS, monitor_interval=0.05) as manager:
        yield manager


def health(lease: StreamLease) -> Health | None:
    status = lease.status()
    return None if status is None else status.health


def test_http_mjpeg_from_the_demo_server_goes_live_through_real_cv2(manager: StreamManager) -> None:
    lease = manager.acquire("a")
    lease.set_target_size(320, 180)
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=5.0)
    assert wait_until(lambda: (s := lease.status()) is not None and s.frames >= 30, timeout=5.0)
    frame = lease.latest()
    assert frame is not None
    assert frame.size == (320, 180)
    assert frame.image.shape == (180, 320, 4)
    # Exactly half the stream: the camera's JPEG is decoded at half size (video/jpeg_scale.py).
    assert frame.source.shape == (180, 320, 3)
    stamp = decode_stamp(frame.image)
    assert stamp is not None
    assert 0.0 <= frame.wall_time - stamp < 1.0
    status = lease.status()
    assert status is not None
    assert 15.0 < status.fps < 35.0


def test_the_main_stream_is_the_larger_picture(manager: StreamManager) -> None:
    lease = manager.acquire("a", Quality.MAIN)
    assert wait_until(lambda: lease.latest() is not None, timeout=5.0)
    frame = lease.latest()
    assert frame is not None
    assert frame.source.shape == (720, 1280, 3)


def test_a_frozen_http_camera_goes_stale_and_comes_back(
    manager: StreamManager, demo: DemoStreamServer
) -> None:
    lease = manager.acquire("b")
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=5.0)
    demo.freeze("b")
    try:
        assert wait_until(lambda: health(lease) is Health.STALE, timeout=4.0)
    finally:
        demo.thaw("b")
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=5.0)


def test_a_wrong_http_path_is_offline_as_not_found(manager: StreamManager) -> None:
    lease = manager.acquire("wrong")
    assert wait_until(lambda: health(lease) is Health.OFFLINE, timeout=5.0)
    status = lease.status()
    assert status is not None
    assert status.reason is Reason.NOT_FOUND
    assert "answered 404" in status.detail


def test_a_local_file_plays_at_its_own_rate_and_loops(manager: StreamManager, tmp_path: Path) -> None:
    writer = cv2.VideoWriter(str(tmp_path / "clip.avi"), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (160, 90))
    for i in range(10):
        writer.write(np.full((90, 160, 3), 20 * i, np.uint8))
    writer.release()
    lease = manager.acquire("file")
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=5.0)
    began = time.monotonic()
    assert wait_until(lambda: (s := lease.status()) is not None and s.frames >= 25, timeout=5.0)
    # 25 frames of a 25 fps file take about a second when paced; unpaced they would take milliseconds.
    assert time.monotonic() - began > 0.5
    assert health(lease) is Health.LIVE
