"""The wall's video block and takeover show live pictures from a real stream server, decoded off the GUI
thread at the tile's size; a camera that is down says "no signal" and for how many minutes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.wall.source import StoreReader
from app.wall.video import WallVideo
from core.clock import ManualClock
from sim.city import demo_city
from sim.demo_streams import DemoStreamServer
from tests.app.wall.walls import T0, Wall, wall_on
from tests.dispatch.casework.policies import new_case, open_loop
from tests.video.fakes import DEAD_BASE
from video.capture import CaptureOptions
from video.health import HealthTiming
from video.registry import CameraRegistry, demo_registry
from video.streams import StreamManager
from widgets.wall.video_block import WallCameraTile

SITES = demo_city().cameras[:3]
LIVE, FROZEN, DEAD = (site.id for site in SITES)
# Frozen streams turn stale within a second; a refused connection is retried within a second.
OPTIONS = CaptureOptions(
    open_timeout=2.0, read_timeout=2.0, health=HealthTiming(stale_after=0.5, offline_after=60.0),
    backoff_base=0.2, backoff_cap=0.5,
)  # fmt: skip
PAGES = f"""\
pages:
  - name: video
    grid: 2x1
    dwell: 30 seconds
    panels:
      - {{kind: video, at: [0, 0], cameras: [{LIVE}, {FROZEN}, {DEAD}, nowhere-9]}}
      - {{kind: cases, at: [1, 0]}}
  - name: duty
    grid: 1x1
    dwell: 30 seconds
    panels:
      - {{kind: roster, at: [0, 0]}}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[DemoStreamServer]:
    with DemoStreamServer([LIVE, FROZEN], fps=10.0, texture=False) as running:
        yield running


def registry(server: DemoStreamServer) -> CameraRegistry:
    served = demo_registry(SITES[:2], server.base_url)
    dead = demo_registry(SITES[2:], DEAD_BASE)
    return CameraRegistry([*served, *dead])


def names(cameras: CameraRegistry) -> dict[str, str]:
    return {camera.id: camera.name for camera in cameras}


class Rig:
    def __init__(self, wall: Wall, cameras: CameraRegistry) -> None:
        self.wall = wall
        self.clock = ManualClock(time.time())
        manager = StreamManager(cameras, options=OPTIONS)
        self.video = WallVideo(
            [(wall.window, wall.parts)], manager, self.clock.now, time.monotonic, wall.controller.upcoming
        )

    def tile(self, camera_id: str) -> WallCameraTile:
        return self.wall.parts.videos[0].tiles[camera_id]

    def until(self, qtbot: QtBot, done: object, timeout: int = 10_000) -> None:
        """Tick the video as its frame clock would until `done()` holds."""

        def ticked() -> bool:
            self.video.tick()
            return bool(done())  # type: ignore[operator]

        qtbot.waitUntil(ticked, timeout=timeout)


@pytest.fixture
def rig(qtbot: QtBot, qapp: QApplication, server: DemoStreamServer) -> Iterator[Rig]:
    cameras = registry(server)
    with wall_on(qtbot, qapp, PAGES, cameras=names(cameras), registry=cameras) as wall:
        made = Rig(wall, cameras)
        try:
            yield made
        finally:
            made.video.close()


def test_each_camera_tile_shows_its_live_picture_scaled_off_the_gui_thread(
    qtbot: QtBot, rig: Rig, server: DemoStreamServer
) -> None:
    tile = rig.tile(LIVE)
    assert tile.name.text() == SITES[0].name
    assert tile.state_text == "Connecting"
    rig.until(qtbot, lambda: tile.picture.has_picture and tile.state_text == "")
    frame = rig.video.manager.latest(LIVE)
    assert frame is not None
    # Scaled to the tile on the capture thread: the GUI thread only wraps the buffer.
    target = tile.picture.target_size()
    assert frame.size[0] == target.width() or frame.size[1] == target.height()
    decoders = {t.name for t in threading.enumerate() if t.name.startswith("capture ")}
    assert f"capture {LIVE}/sub" in decoders
    # What the room sees is the street, not a black box.
    shown = tile.picture.grab().toImage()
    colours = {shown.pixel(x, y) for x in range(0, shown.width(), 9) for y in range(0, shown.height(), 9)}
    assert len(colours) > 20
    first = tile.picture.shown_seq
    rig.until(qtbot, lambda: tile.picture.shown_seq != first)
    # A camera the pages name but the camera list lacks says so, and nothing is opened for it.
    assert rig.tile("nowhere-9").state_text == "Not in the camera list"
    assert "nowhere-9" not in rig.video.showing()


def test_a_camera_that_goes_down_says_no_signal_and_for_how_many_minutes(
    qtbot: QtBot, rig: Rig, server: DemoStreamServer
) -> None:
    frozen, dead = rig.tile(FROZEN), rig.tile(DEAD)
    rig.until(qtbot, lambda: frozen.picture.has_picture and frozen.state_text == "")
    rig.until(qtbot, lambda: dead.state_text == "No signal · 0 min")
    server.freeze(FROZEN)
    try:
        rig.until(qtbot, lambda: frozen.state_text == "No signal · 0 min")
        # The last picture stays behind the words, faded; the border says it too.
        assert frozen.picture.has_picture
        assert frozen.picture.down
        assert frozen.property("signal") == "down"
        rig.clock.advance(12 * 60 + 5)
        rig.until(qtbot, lambda: frozen.state_text == "No signal · 12 min")
        assert dead.state_text == "No signal · 12 min"
    finally:
        server.thaw(FROZEN)
    rig.until(qtbot, lambda: frozen.state_text == "" and not frozen.picture.down)


def test_a_page_behind_decodes_nothing(qtbot: QtBot, rig: Rig) -> None:
    rig.until(qtbot, lambda: rig.video.showing() == {LIVE, FROZEN, DEAD})
    rig.wall.advance(31)
    assert rig.wall.window.current_page().name == "duty"
    rig.video.tick()
    assert rig.video.showing() == frozenset()
    rig.until(qtbot, lambda: not rig.video.manager.open_streams())


def test_the_takeover_shows_the_nearest_camera_live(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, server: DemoStreamServer
) -> None:
    cameras = registry(server)
    site = SITES[0]
    # The case opens a minute before the wall's clock: a takeover, not yet expired.
    loop = open_loop(tmp_path / "store.sqlite3", ManualClock(T0 - 60))
    reader = StoreReader(loop.path, history_s=3600)
    try:
        new_case(loop, "level1", severity=1, title="地铁站大客流", lon=site.lon, lat=site.lat)
        with wall_on(qtbot, qapp, PAGES, cameras=names(cameras), registry=cameras) as wall:
            rig = Rig(wall, cameras)
            try:
                wall.controller.apply(reader.read(loop.clock.now()))
                takeover = wall.window.takeover
                assert takeover.isVisible()
                near = cameras.cameras_seeing(site.lon, site.lat, limit=1)[0].camera
                assert takeover.camera.text() == f"Nearest camera: {near.name}"
                assert takeover.video.camera_id == near.id
                rig.until(qtbot, lambda: takeover.video.picture.has_picture)
                # Only the takeover's camera is seen, so only it is decoded.
                assert rig.video.showing() == {near.id}
            finally:
                rig.video.close()
    finally:
        reader.close()
        loop.close()


def test_the_next_pages_cameras_open_before_it_shows_so_it_comes_up_live(
    qtbot: QtBot, qapp: QApplication, server: DemoStreamServer
) -> None:
    cameras = registry(server)
    duty_first = PAGES.split("  - name: duty")[1]
    video_second = PAGES.split("  - name: duty")[0].removeprefix("pages:\n")
    text = "pages:\n  - name: duty" + duty_first + video_second
    with wall_on(qtbot, qapp, text, cameras=names(cameras), registry=cameras) as wall:
        rig = Rig(wall, cameras)
        try:
            tile = rig.tile(LIVE)
            rig.video.tick()
            assert rig.video.showing() == frozenset()
            # Five seconds before the video page is due its cameras open, decoding behind the duty page.
            wall.advance(26)
            rig.until(qtbot, lambda: tile.picture.has_picture and tile.state_text == "")
            assert wall.window.current_page().name == "duty"
            assert not tile.isVisible()
            wall.advance(5)
            # The page comes up with the street in it and no "connecting", before its next video frame.
            assert wall.window.current_page().name == "video"
            assert tile.isVisible()
            assert tile.picture.has_picture
            assert tile.state_text == ""
        finally:
            rig.video.close()
