"""The demo MJPEG server: renders a stream only while watched, one encode shared by all its clients."""

from __future__ import annotations

import itertools
import urllib.error
import urllib.request
from collections.abc import Iterator

import cv2
import pytest

from sim.demo_streams import DemoStreamServer, Scene
from sim.stamp import decode_stamp
from tests.video.fakes import wait_until
from video.motion import MotionDetector, MotionSettings
from video.registry import DEMO_MOTION_ZONE, Quality


@pytest.fixture
def demo() -> Iterator[DemoStreamServer]:
    with DemoStreamServer(["cam01", "cam02"], sub_size=(320, 180), main_size=(640, 360)) as server:
        yield server


def open_capture(url: str) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 3000])
    assert capture.isOpened()
    return capture


def test_nothing_is_rendered_until_a_client_watches_and_after_it_leaves(demo: DemoStreamServer) -> None:
    assert demo.rendering() == frozenset()
    capture = open_capture(demo.url("cam01"))
    ok, image = capture.read()
    assert ok
    assert image.shape == (180, 320, 3)
    assert demo.rendering() == {("cam01", Quality.SUB)}
    capture.release()
    assert wait_until(lambda: demo.rendering() == frozenset(), timeout=5.0)


def test_two_clients_share_one_encode_per_frame(demo: DemoStreamServer) -> None:
    first, second = open_capture(demo.url("cam02")), open_capture(demo.url("cam02"))
    for _ in range(25):
        assert first.read()[0]
        assert second.read()[0]
    first.release()
    second.release()
    # Both clients got 25 frames each; a per-client encoder would have made at least 50.
    assert demo.encoded_frames("cam02") < 45


def test_frames_carry_a_stamp_and_the_main_stream_is_bigger(demo: DemoStreamServer) -> None:
    capture = open_capture(demo.url("cam01", Quality.MAIN))
    ok, image = capture.read()
    capture.release()
    assert ok
    assert image.shape == (360, 640, 3)
    assert decode_stamp(image) is not None


def test_the_index_lists_every_stream_and_unknown_paths_are_404(demo: DemoStreamServer) -> None:
    with urllib.request.urlopen(demo.base_url + "/", timeout=5) as response:
        listed = response.read().decode().split()
    assert listed == [demo.url(k, q) for k in ("cam01", "cam02") for q in Quality]
    for path in ("/cam03/sub.mjpg", "/cam01/best.mjpg", "/cam01"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(demo.base_url + path, timeout=5)
        assert caught.value.code == 404
        caught.value.close()


def test_camera_keys_must_be_url_safe() -> None:
    with pytest.raises(ValueError, match="camera keys"):
        DemoStreamServer(["ok", "not ok/"])


def test_scenes_are_deterministic_per_camera_and_move() -> None:
    one, again, other = Scene("cam01", 320, 180), Scene("cam01", 320, 180), Scene("cam02", 320, 180)
    first = one.render(1000.0).copy()
    assert (first == again.render(1000.0)).all()
    assert (first != other.render(1000.0)).any()
    later = one.render(1000.5)
    assert (first[40:100] != later[40:100]).any()
    assert decode_stamp(later) == pytest.approx(1000.5)


def test_the_passer_by_in_the_demo_motion_zone_raises_one_discovery_per_walk() -> None:
    events: list[float] = []
    detector = MotionDetector(
        "cam01", DEMO_MOTION_ZONE, MotionSettings(cooldown=10.0), lambda _c, at, _b: events.append(at)
    )
    scene = Scene("cam01", 320, 180)
    start = 1_795_000_000.0
    for i in range(4 * 100):
        at = start + i * 0.25
        detector.feed(scene.render(at), at, at)
    # Traffic never crosses the zone; the passer-by walks for 5 s every 25-45 s.
    assert 2 <= len(events) <= 4
    assert all(b - a >= 20.0 for a, b in itertools.pairwise(events))


def test_demo_pictures_weigh_what_a_camera_sends() -> None:
    # A camera's picture of a street carries grain (light, surfaces, sensor noise); flat colours would
    # make every decode benchmark on the demo cameras cheaper than with real cameras.
    def jpeg_bytes(scene: Scene) -> int:
        ok, encoded = cv2.imencode(".jpg", scene.render(1000.0), [cv2.IMWRITE_JPEG_QUALITY, 80])
        assert ok
        return len(encoded)

    camera, flat = jpeg_bytes(Scene("cam01", 640, 360)), jpeg_bytes(Scene("cam01", 640, 360, texture=False))
    assert 30_000 <= camera <= 60_000
    assert flat < camera / 2
