"""Warm return: a wall hidden for less than its grace keeps decoding its cameras, so F9 back shows live
pictures on the first tick; once the grace has passed it decodes nothing, and the next return is cold."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.theme import load_palette
from app.videowall.controller import WallController
from core.clock import ManualClock
from sim.city import demo_city
from sim.demo_streams import DemoStreamServer
from video.capture import CaptureOptions
from video.registry import Quality, demo_registry
from video.streams import StreamManager
from widgets.videowall.camera_tree import CameraTree
from widgets.videowall.video_wall import VideoWall, layout_for
from widgets.videowall.words import VideoWords

CITY = demo_city()
SITES = CITY.cameras[:4]
GRACE_S = 60.0


@dataclass
class LiveWall:
    controller: WallController
    wall: VideoWall
    clock: ManualClock

    def newest(self) -> list[int | None]:
        """The newest decoded frame of each tile's camera (None: nothing decoded)."""
        manager = self.controller.manager
        frames = [manager.latest(c.id, Quality.SUB) for c in SITES]
        return [f.seq if f is not None else None for f in frames]

    def painted(self) -> list[int | None]:
        return [tile.shown_seq for tile in self.wall.tiles[: len(SITES)]]


@pytest.fixture
def live(qtbot: QtBot, qapp: QApplication, settings: QSettings) -> Iterator[LiveWall]:
    with DemoStreamServer([c.id for c in SITES], fps=10.0) as server:
        registry = demo_registry(SITES, server.base_url)
        wall, tree = VideoWall(load_palette(), VideoWords()), CameraTree()
        qtbot.addWidget(wall)
        qtbot.addWidget(tree)
        wall.resize(800, 450)
        wall.show()
        clock = ManualClock()
        options = CaptureOptions(open_timeout=5.0, read_timeout=5.0)
        controller = WallController(
            wall, tree, registry, lambda motion: StreamManager(registry, options=options, on_motion=motion),
            role="dispatcher", settings=settings, clock=clock, warm_s=GRACE_S,
        )  # fmt: skip
        try:
            wall.set_layout(layout_for("4"))  # type: ignore[arg-type]
            yield LiveWall(controller, wall, clock)
        finally:
            controller.close()


def test_a_quick_return_shows_live_pictures_at_once_and_the_grace_releases_them(
    qtbot: QtBot, live: LiveWall
) -> None:
    controller = live.controller
    controller.set_active(True)

    def all_painted() -> bool:
        controller.tick()
        return None not in live.painted()

    qtbot.waitUntil(all_painted, timeout=20_000)
    assert controller.open_streams() == len(SITES)

    # F9 to the desk: the wall paints nothing, but every camera keeps decoding.
    controller.set_active(False)
    assert controller.warm
    assert controller.grace.active
    painted_when_hidden = live.painted()
    controller.tick()
    assert live.painted() == painted_when_hidden, "nothing painted while hidden"
    at_hide = live.newest()
    qtbot.waitUntil(lambda: all(n is not None and n > h for n, h in zip(live.newest(), at_hide, strict=True)),  # type: ignore[operator]
                    timeout=10_000)  # fmt: skip
    live.clock.advance(GRACE_S - 1.0)
    assert controller.grace.check() is False
    assert controller.open_streams() == len(SITES), "still within the grace"

    # Back within the grace: the first tick paints pictures decoded while the wall was away.
    controller.set_active(True)
    assert not controller.grace.active
    controller.tick()
    assert all(p is not None and p > h for p, h in zip(live.painted(), at_hide, strict=True)), (  # type: ignore[operator]
        "live pictures on the first frame, no 'waiting for the first picture'"
    )

    # Away longer than the grace: every stream is released.
    controller.set_active(False)
    live.clock.advance(GRACE_S)
    assert controller.grace.check()
    assert not controller.warm
    assert controller.manager.open_streams() == frozenset()
    assert live.painted() == [None] * len(SITES)

    # The next return is cold: the tiles wait for their first picture again.
    controller.set_active(True)
    controller.tick()
    assert controller.open_streams() == len(SITES)
    qtbot.waitUntil(all_painted, timeout=20_000)


def test_the_pop_up_of_a_warm_wall_keeps_its_streams_and_opens_no_new_one(
    qtbot: QtBot, live: LiveWall
) -> None:
    controller = live.controller
    controller.set_active(True)
    first, other = SITES[0], SITES[3]
    controller.link_case(first.id)
    qtbot.waitUntil(lambda: controller.manager.latest(first.id, Quality.MAIN) is not None, timeout=20_000)
    controller.set_active(False)
    assert (first.id, Quality.MAIN) in controller.manager.open_streams()
    controller.link_case(other.id)
    assert (other.id, Quality.MAIN) not in controller.manager.open_streams(), (
        "a case looked at from the desk opens nothing on a wall nobody sees"
    )
    controller.set_active(True)
    assert (other.id, Quality.MAIN) in controller.manager.open_streams()
