"""Against a real GStreamer RTSP server on 127.0.0.1: live, frozen, killed and restarted, hung, wrong path."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from sim.rtsp_server import RtspTestServer, rtsp_unavailable
from sim.stamp import decode_stamp
from tests.video.fakes import wait_until
from tests.video.servers import ScriptedServer
from video.capture import CaptureOptions
from video.health import Health, Reason
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from video.streams import StreamLease, StreamManager

UNAVAILABLE = rtsp_unavailable()
IN_CI = bool(os.environ.get("CI"))
# .ci/run installs the server, so in CI a missing server is a failure, not a skip.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(UNAVAILABLE is not None and not IN_CI, reason=f"no RTSP server: {UNAVAILABLE}"),
]

OPTIONS = CaptureOptions(
    open_timeout=4.0, read_timeout=5.0, backoff_base=0.25, backoff_cap=2.0, probe_timeout=1.0
)

MakeManager = Callable[[dict[str, str]], StreamManager]


@pytest.fixture
def make_manager() -> Iterator[MakeManager]:
    if UNAVAILABLE is not None:
        pytest.fail(f"the RTSP server must run in CI: {UNAVAILABLE}")
    managers: list[StreamManager] = []

    def make(urls: dict[str, str]) -> StreamManager:
        cameras = [
            CameraInfo(cid, cid, "g", 0.0, 0.0, 0.0, 60.0, url, url, ACCESS_LEVELS["public"])
            for cid, url in urls.items()
        ]
        manager = StreamManager(CameraRegistry(cameras), options=OPTIONS, monitor_interval=0.05)
        managers.append(manager)
        return manager

    yield make
    for manager in managers:
        manager.close()


@pytest.fixture
def server() -> Iterator[RtspTestServer]:
    with RtspTestServer(streams=1) as running:
        yield running


def health(lease: StreamLease) -> Health | None:
    status = lease.status()
    return None if status is None else status.health


def test_a_live_rtsp_stream_goes_live_with_low_latency(
    make_manager: MakeManager, server: RtspTestServer
) -> None:
    lease = make_manager({"cam": server.url(0)}).acquire("cam")
    lease.set_target_size(320, 180)
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=10.0)
    assert wait_until(lambda: (s := lease.status()) is not None and s.frames >= 10, timeout=5.0)
    frame = lease.latest()
    assert frame is not None
    assert frame.size == (320, 180)
    stamp = decode_stamp(frame.image)
    assert stamp is not None
    assert 0.0 <= frame.wall_time - stamp < 0.5


def test_a_frozen_server_shows_stale_within_4_s(make_manager: MakeManager, server: RtspTestServer) -> None:
    lease = make_manager({"cam": server.url(0)}).acquire("cam")
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=10.0)
    server.freeze()
    frozen_at = time.monotonic()
    try:
        assert wait_until(lambda: health(lease) is Health.STALE, timeout=4.0)
        assert time.monotonic() - frozen_at <= 4.0
        status = lease.status()
        assert status is not None
        assert status.reason is Reason.NO_FRAMES
    finally:
        server.thaw()
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=10.0)


def test_a_killed_server_is_recovered_within_the_backoff_bound(
    make_manager: MakeManager, server: RtspTestServer
) -> None:
    lease = make_manager({"cam": server.url(0)}).acquire("cam")
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=10.0)
    server.kill()
    assert wait_until(lambda: health(lease) in (Health.STALE, Health.RECONNECTING), timeout=5.0)
    assert wait_until(lambda: (s := lease.status()) is not None and s.reason is Reason.REFUSED, timeout=5.0)
    server.start()
    back_at = time.monotonic()
    # The next attempt comes within one back-off envelope (the cap), then one open and a key frame.
    bound = OPTIONS.backoff_cap + OPTIONS.open_timeout
    assert wait_until(lambda: health(lease) is Health.LIVE, timeout=bound)
    assert time.monotonic() - back_at <= bound


def test_a_hung_server_does_not_delay_a_healthy_cameras_open(make_manager: MakeManager) -> None:
    # JPEG over RTP: the first frame comes at once, where H.264 waits for the next key frame.
    with RtspTestServer(streams=1, codec="jpeg") as healthy, ScriptedServer(None) as hung:
        manager = make_manager({"hung": f"rtsp://127.0.0.1:{hung.port}/cam", "ok": healthy.url(0)})
        stuck = manager.acquire("hung")
        assert wait_until(lambda: hung.accepted >= 1, timeout=2.0)
        asked_at = time.monotonic()
        lease = manager.acquire("ok")
        assert wait_until(lambda: lease.latest() is not None, timeout=2.0)
        assert time.monotonic() - asked_at < 2.0
        # The hung open is still waiting for its 4 s timeout.
        assert health(stuck) is Health.CONNECTING


def test_a_wrong_path_goes_offline_with_a_clear_reason(
    make_manager: MakeManager, server: RtspTestServer
) -> None:
    lease = make_manager({"cam": f"rtsp://127.0.0.1:{server.port}/no-such-camera"}).acquire("cam")
    assert wait_until(lambda: health(lease) is Health.OFFLINE, timeout=6.0)
    status = lease.status()
    assert status is not None
    assert status.reason is Reason.NOT_FOUND
    assert status.detail == f"127.0.0.1:{server.port} answered 404 Not Found"
