"""Streams open only while leased; main streams linger after focus is lost; tiles switch sub ↔ main."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.clock import ManualClock
from tests.video.fakes import DEAD_BASE, FAST, FakeFactory, picture, registry, wait_until
from video.motion import Box, MotionSettings
from video.registry import CameraInfo, CameraRegistry, Quality
from video.streams import StreamManager, TileFeed

SUB, MAIN = Quality.SUB, Quality.MAIN


def url(camera_id: str, quality: Quality) -> str:
    return f"{DEAD_BASE}/{camera_id}/{quality.value}"


@pytest.fixture
def factory() -> FakeFactory:
    return FakeFactory()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def manager(factory: FakeFactory, clock: ManualClock) -> Iterator[StreamManager]:
    manager = StreamManager(
        registry("a", "b"),
        options=FAST,
        factory=factory,
        clock=clock,
        monitor_interval=None,
        main_linger=10.0,
    )
    yield manager
    factory.abandon()
    assert manager.close(timeout=5.0)


def test_nothing_is_opened_until_something_shows_it(manager: StreamManager, factory: FakeFactory) -> None:
    assert manager.open_streams() == frozenset()
    assert manager.latest("a") is None
    assert manager.status("a") is None
    assert factory.opens(url("a", SUB)) == 0


def test_leases_are_counted_and_the_last_release_stops_decoding(
    manager: StreamManager, factory: FakeFactory
) -> None:
    first = manager.acquire("a")
    second = manager.acquire("a")
    assert manager.open_streams() == {("a", SUB)}
    assert wait_until(lambda: factory.opens(url("a", SUB)) == 1)
    camera = factory.handed[url("a", SUB)][0]
    first.release()
    first.release()
    assert manager.open_streams() == {("a", SUB)}
    second.release()
    assert manager.open_streams() == frozenset()
    factory.abandon()
    assert wait_until(camera.released.is_set)
    assert factory.opens(url("a", SUB)) == 1


def test_unknown_cameras_are_refused(manager: StreamManager) -> None:
    with pytest.raises(KeyError):
        manager.acquire("nope")


def test_the_largest_requested_size_wins(manager: StreamManager, factory: FakeFactory) -> None:
    camera = factory.next_camera(url("a", SUB))
    small, big = manager.acquire("a"), manager.acquire("a")
    small.set_target_size(16, 9)
    big.set_target_size(32, 18)
    camera.push(picture(1, 64, 36))
    assert wait_until(lambda: (f := small.latest()) is not None and f.size == (32, 18))
    big.release()
    camera.push(picture(2, 64, 36))
    assert wait_until(lambda: (f := small.latest()) is not None and f.size == (16, 9))


def test_a_released_main_stream_lingers_then_stops(
    manager: StreamManager, factory: FakeFactory, clock: ManualClock
) -> None:
    lease = manager.acquire("a", MAIN)
    lease.release()
    assert manager.open_streams() == {("a", MAIN)}
    clock.advance(9.0)
    manager.check()
    again = manager.acquire("a", MAIN)
    again.release()
    clock.advance(9.0)
    manager.check()
    assert manager.open_streams() == {("a", MAIN)}
    clock.advance(1.5)
    manager.check()
    assert manager.open_streams() == frozenset()
    assert wait_until(lambda: factory.opens(url("a", MAIN)) == 1)


def test_a_focused_tile_switches_to_main_once_it_delivers_and_back_after(
    manager: StreamManager, factory: FakeFactory, clock: ManualClock
) -> None:
    sub_camera = factory.next_camera(url("a", SUB))
    sub_camera.push(picture(10))
    tile = TileFeed(manager, "a")
    tile.set_target_size(32, 18)
    assert wait_until(lambda: tile.latest() is not None)
    tile.set_focused(True)
    # Main has not delivered: the tile keeps painting the sub-stream.
    shown = tile.latest()
    assert shown is not None
    assert shown.quality is SUB
    assert manager.open_streams() == {("a", SUB), ("a", MAIN)}
    assert wait_until(lambda: factory.opens(url("a", MAIN)) == 1)
    factory.handed[url("a", MAIN)][0].push(picture(20, 128, 72))
    assert wait_until(lambda: (f := tile.latest()) is not None and f.quality is MAIN)
    assert manager.open_streams() == {("a", MAIN)}
    status = tile.status()
    assert status is not None
    assert status.quality is MAIN
    tile.set_focused(False)
    # The sub-stream reopens; until it delivers, the lingering main stream fills the tile.
    shown = tile.latest()
    assert shown is not None
    assert shown.quality is MAIN
    assert manager.open_streams() == {("a", SUB), ("a", MAIN)}
    assert wait_until(lambda: factory.opens(url("a", SUB)) == 2)
    factory.handed[url("a", SUB)][1].push(picture(30))
    assert wait_until(lambda: (f := tile.latest()) is not None and f.quality is SUB)
    clock.advance(10.5)
    manager.check()
    assert manager.open_streams() == {("a", SUB)}
    tile.close()
    assert manager.open_streams() == frozenset()


def test_motion_in_the_region_is_reported_through_the_callback(
    factory: FakeFactory, clock: ManualClock
) -> None:
    seen: list[tuple[str, float, Box]] = []
    settings = MotionSettings(fps=1000.0, width=64, hits=2, cooldown=30.0)
    manager = StreamManager(
        registry("a"),
        options=FAST,
        factory=factory,
        clock=clock,
        monitor_interval=None,
        on_motion=lambda camera_id, at, box: seen.append((camera_id, at, box)),
        motion=settings,
    )
    try:
        manager.set_roi("a", ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)))
        camera = factory.next_camera(url("a", SUB))
        lease = manager.acquire("a")
        for n, value in enumerate((0, 200, 0, 200), start=1):
            camera.push(picture(value))
            assert wait_until(lambda: (f := lease.latest()) is not None and f.seq == n)  # noqa: B023
            clock.advance(0.1)
        assert wait_until(lambda: len(seen) == 1)
        assert seen[0][0] == "a"
        assert seen[0][1] == pytest.approx(clock.now(), abs=1.0)
        lease.release()
    finally:
        factory.abandon()
        manager.close(timeout=5.0)


def test_focusing_a_camera_with_one_stream_opens_nothing_more(factory: FakeFactory) -> None:
    single = CameraRegistry(
        [CameraInfo("s", "s", "g", 0, 0, 0, 60, url("s", SUB), url("s", SUB), frozenset())]
    )
    manager = StreamManager(single, options=FAST, factory=factory, monitor_interval=None)
    try:
        tile = TileFeed(manager, "s", focused=True)
        assert manager.open_streams() == {("s", SUB)}
        tile.close()
    finally:
        factory.abandon()
        manager.close(timeout=5.0)
