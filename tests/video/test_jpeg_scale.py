"""MJPEG pictures decoded at the scale the tile shows them: cheaper, the same picture, full-size snapshots,
back to full decoding when the tile grows, and a torn packet never ends the stream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from core.clock import ManualClock
from sim.demo_streams import DemoStreamServer
from sim.stamp import decode_stamp, draw_stamp
from tests.video.fakes import FAST, FakeCamera, FakeFactory, wait_until
from video.capture import TORN_LIMIT, CaptureOptions, OpenGate, Source, StreamWorker, open_ffmpeg
from video.frames import Frame
from video.health import Health
from video.jpeg_scale import MJPEG_FOURCC, decode_packet, reduction_for
from video.registry import Quality
from video.snapshot import save_snapshot


@pytest.mark.parametrize(
    ("shown", "reduction"),
    [
        (None, 1),
        ((640, 360), 1),
        ((444, 250), 1),  # a 16-tile wall: more than half, FFmpeg decodes
        ((320, 180), 2),
        ((295, 166), 2),  # a 36-tile wall
        ((160, 90), 4),
        ((161, 90), 2),  # one pixel wider than a quarter: never enlarge the last step
        ((80, 45), 8),
        ((20, 10), 8),
    ],
)
def test_the_scale_down_is_the_largest_that_still_covers_the_tile(
    shown: tuple[int, int] | None, reduction: int
) -> None:
    assert reduction_for((640, 360), shown) == reduction


def test_a_jpeg_decoded_at_half_size_is_the_same_picture_averaged() -> None:
    picture = np.zeros((360, 640, 3), np.uint8)
    picture[:, :320] = (40, 90, 200)
    draw_stamp(picture, 1_795_000_000.25)
    ok, jpeg = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    half = decode_packet(np.asarray(jpeg), 2)
    assert half is not None
    assert half.shape == (180, 320, 3)
    exact = cv2.resize(picture, (320, 180), interpolation=cv2.INTER_AREA)
    assert float(np.abs(half.astype(int) - exact.astype(int)).mean()) < 4.0
    assert decode_packet(np.frombuffer(b"not a jpeg", np.uint8), 2) is None


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoStreamServer]:
    with DemoStreamServer(["j"], fps=25.0) as server:
        yield server


def real_worker(url: str, opens: list[str] | None = None) -> StreamWorker:
    def factory(url: str, options: CaptureOptions) -> Source:
        if opens is not None:
            opens.append(url)
        return open_ffmpeg(url, options)

    return StreamWorker(
        "j", Quality.SUB, url, options=FAST, factory=factory, clock=ManualClock(), gate=OpenGate()
    )


def newest(worker: StreamWorker, after: int = 0) -> Frame:
    assert wait_until(lambda: (f := worker.latest()) is not None and f.seq > after, timeout=5.0)
    frame = worker.latest()
    assert frame is not None
    return frame


def test_a_tile_half_the_stream_decodes_the_camera_jpeg_at_half_size(
    demo: DemoStreamServer, tmp_path: Path
) -> None:
    worker = real_worker(demo.url("j"))
    worker.set_target_size((295, 166))
    worker.start()
    try:
        frame = newest(worker, after=3)
        assert frame.source.shape == (180, 320, 3)
        assert frame.size == (295, 166)
        # The burned-in clock still reads back from the tile's picture.
        assert decode_stamp(frame.image) is not None
        # Evidence is kept at the camera's resolution, decoded again from its own JPEG.
        assert frame.encoded is not None
        snapshot = save_snapshot(frame, tmp_path)
        assert (snapshot.width, snapshot.height) == (640, 360)
        written = cv2.imread(str(snapshot.path))
        assert written is not None
        assert written.shape == (360, 640, 3)
    finally:
        worker.stop()
        assert worker.join(5.0)


def test_growing_the_tile_brings_full_size_frames_back_without_a_gap_in_health(
    demo: DemoStreamServer,
) -> None:
    opens: list[str] = []
    worker = real_worker(demo.url("j"), opens)
    worker.set_target_size((160, 90))
    worker.start()
    try:
        small = newest(worker, after=3)
        assert small.source.shape == (90, 160, 3)
        worker.set_target_size((640, 360))
        # Raw packets cannot be switched off: after a second at full size the capture is opened again for
        # FFmpeg to decode. That is not a failure: nothing counted, the stream shown live throughout.
        assert wait_until(lambda: len(opens) == 2, timeout=5.0)
        full = newest(worker, after=small.seq + 30)
        assert full.source.shape == (360, 640, 3)
        assert full.size == (640, 360)
        assert full.encoded is None
        assert worker.tracker.failures == 0
        assert worker.status().health is Health.LIVE
        worker.set_target_size((320, 180))
        assert wait_until(lambda: (f := worker.latest()) is not None and f.source.shape == (180, 320, 3))
    finally:
        worker.stop()
        assert worker.join(5.0)


class PacketCamera(FakeCamera):
    """An MJPEG stream of 640×360 that hands over raw packets once asked to."""

    def __init__(self) -> None:
        super().__init__()
        self.raw = False

    def get(self, prop: int, /) -> float:
        values = {
            cv2.CAP_PROP_FOURCC: MJPEG_FOURCC,
            cv2.CAP_PROP_FRAME_WIDTH: 640,
            cv2.CAP_PROP_FRAME_HEIGHT: 360,
        }
        return float(values.get(prop, 0))

    def set(self, prop: int, value: float, /) -> bool:
        if prop == cv2.CAP_PROP_FORMAT and value == -1:
            self.raw = True
            return True
        return False


def jpeg(value: int) -> NDArray[np.uint8]:
    ok, encoded = cv2.imencode(".jpg", np.full((360, 640, 3), value, np.uint8))
    assert ok
    return np.asarray(encoded).reshape(1, -1)


def test_torn_packets_are_skipped_and_a_stream_of_them_falls_back_to_ffmpeg() -> None:
    factory = FakeFactory()
    url = "http://127.0.0.1:9/j/sub"
    first = factory.next_camera(url, PacketCamera())
    second = factory.next_camera(url, PacketCamera())
    worker = StreamWorker(
        "j", Quality.SUB, url, options=FAST, factory=factory, clock=ManualClock(), gate=OpenGate()
    )
    worker.set_target_size((160, 90))
    worker.start()
    try:
        first.push(np.zeros((360, 640, 3), np.uint8))  # decoded by "FFmpeg" before the switch
        assert wait_until(lambda: isinstance(first, PacketCamera) and first.raw)
        first.push(np.frombuffer(b"\xff\xd8 torn", np.uint8).reshape(1, -1))
        first.push(jpeg(200))
        assert wait_until(lambda: (f := worker.latest()) is not None and f.source.shape == (90, 160, 3))
        frame = worker.latest()
        assert frame is not None
        assert int(frame.source.mean()) in range(195, 206)
        for _ in range(TORN_LIMIT):
            first.push(np.frombuffer(b"garbage", np.uint8).reshape(1, -1))
        # The next capture is left to FFmpeg: it is never switched to packets.
        assert wait_until(lambda: factory.opens(url) == 2)
        second.push(np.full((360, 640, 3), 50, np.uint8))
        assert wait_until(lambda: (f := worker.latest()) is not None and int(f.source.mean()) == 50)
        assert isinstance(second, PacketCamera)
        assert not second.raw
    finally:
        worker.stop()
        factory.abandon()
        assert worker.join(5.0)
