"""Wall controller: decodes exactly what is shown, follows drops, swaps and maximise, tours, filters by
role, links incidents to cameras, tells a frozen stream from a live one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow
from pytestqt.qtbot import QtBot

from app.shell.frame_clock import FrameClock
from app.shell.theme import load_palette
from app.videowall.controller import WallController
from app.videowall.dock import install_video_wall
from app.videowall.tour import Tour
from core.clock import ManualClock
from sim.city import demo_city
from tests.video.fakes import DEAD_BASE, FAST, FakeFactory, picture
from video.capture import CaptureOptions
from video.health import Health, HealthTiming
from video.motion import Box, MotionCallback
from video.registry import CameraRegistry, Quality, demo_registry
from video.streams import StreamManager
from widgets.videowall.camera_tree import CameraTree
from widgets.videowall.tile import VideoTile
from widgets.videowall.tile_drag import CAMERA_MIME, TILE_MIME
from widgets.videowall.video_wall import VideoWall, layout_for
from widgets.videowall.words import VideoWords

SUB, MAIN = Quality.SUB, Quality.MAIN
CITY = demo_city()
DISTRICTS = {d.code: d.name for d in CITY.districts}


def city_registry(base: str = DEAD_BASE, count: int | None = None) -> CameraRegistry:
    return demo_registry(CITY.cameras[:count], base, group_names=DISTRICTS)


def url(camera_id: str, quality: Quality = SUB) -> str:
    return f"{DEAD_BASE}/{camera_id}/{quality.value}.mjpg"


@dataclass
class Rig:
    controller: WallController
    wall: VideoWall
    factory: FakeFactory
    clock: ManualClock
    frame_clock: FrameClock
    registry: CameraRegistry
    motion: MotionCallback
    """What the stream manager calls on a capture thread when a camera's region moves."""

    def streams(self) -> frozenset[tuple[str, Quality]]:
        return self.controller.manager.open_streams()

    def cameras(self, count: int) -> list[str | None]:
        return [self.controller.camera_on(i) for i in range(count)]

    def send_picture(self, qtbot: QtBot, camera_id: str, quality: Quality = SUB, value: int = 90) -> None:
        handed = self.factory.handed
        qtbot.waitUntil(lambda: bool(handed[url(camera_id, quality)]))
        handed[url(camera_id, quality)][-1].push(picture(value, 640, 360))
        manager = self.controller.manager
        qtbot.waitUntil(lambda: manager.latest(camera_id, quality) is not None)


def make_rig(
    qtbot: QtBot, settings: QSettings, tmp_path: Path, role: str = "dispatcher",
    on_motion: MotionCallback | None = None, warm_s: float = 0.0,
) -> Iterator[Rig]:  # fmt: skip
    registry = city_registry()
    factory, clock = FakeFactory(), ManualClock()
    motion_callbacks: list[MotionCallback] = []

    def manager(motion: MotionCallback) -> StreamManager:
        motion_callbacks.append(motion)
        return StreamManager(registry, options=FAST, factory=factory, clock=clock, monitor_interval=None,
                             main_linger=0.0, on_motion=motion)  # fmt: skip

    wall, tree = VideoWall(load_palette(), VideoWords()), CameraTree()
    qtbot.addWidget(wall)
    qtbot.addWidget(tree)
    wall.resize(1600, 900)
    wall.show()
    controller = WallController(wall, tree, registry, manager, role=role, settings=settings, clock=clock,
                                snapshot_dir=tmp_path / "snapshots", on_motion=on_motion,
                                warm_s=warm_s)  # fmt: skip
    frame_clock = FrameClock(lambda: None)
    frame_clock.ticked.connect(controller.tick)
    controller.set_active(True)
    yield Rig(controller, wall, factory, clock, frame_clock, registry, motion_callbacks[0])
    factory.abandon()
    controller.close()


@pytest.fixture
def rig(qtbot: QtBot, qapp: QApplication, settings: QSettings, tmp_path: Path) -> Iterator[Rig]:
    yield from make_rig(qtbot, settings, tmp_path)


def drop(tile: VideoTile, kind: str, text: str) -> None:
    data = QMimeData()
    data.setData(kind, QByteArray(text.encode()))
    point, action = QPointF(10, 10), Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(tile, QDragEnterEvent(point.toPoint(), action, data, buttons, modifiers))
    QApplication.sendEvent(tile, QDropEvent(point, action, data, buttons, modifiers))


def test_a_first_start_fills_the_wall_and_decodes_exactly_its_tiles(rig: Rig) -> None:
    on_wall = rig.cameras(16)
    assert on_wall == [c.id for c in CITY.cameras[:16]]
    assert rig.streams() == {(c, SUB) for c in on_wall if c is not None}
    assert rig.wall.tiles[0].name == CITY.cameras[0].name


def test_layouts_open_and_close_streams(rig: Rig) -> None:
    rig.wall.set_layout(layout_for("4"))  # type: ignore[arg-type]
    assert rig.streams() == {(c, SUB) for c in rig.cameras(4) if c is not None}
    rig.wall.set_layout(layout_for("1+7"))  # type: ignore[arg-type]
    # Eight sub-streams, and the main stream the big tile switches to once it delivers.
    assert {(c, SUB) for c in rig.cameras(8)} | {(rig.controller.camera_on(0), MAIN)} == rig.streams()


def test_a_hidden_wall_without_grace_decodes_nothing(rig: Rig) -> None:
    rig.controller.set_active(False)
    assert rig.streams() == frozenset()
    rig.controller.set_active(True)
    assert len(rig.streams()) == 16


def test_the_frame_clock_tick_paints_new_frames_only(qtbot: QtBot, rig: Rig) -> None:
    camera = rig.controller.camera_on(0)
    assert camera is not None
    rig.send_picture(qtbot, camera)
    rig.frame_clock.tick()
    tile = rig.wall.tiles[0]
    assert tile.shown_seq == 1
    # Scaled by the worker to fit the tile (aspect kept), so painting it needs no scaling.
    width, height = tile.grab_pixels().size().toTuple()  # type: ignore[union-attr]
    assert (width <= tile.frame_size()[0] and height == tile.frame_size()[1]) or width == tile.frame_size()[0]
    assert rig.wall.tiles[1].shown_seq is None


def test_a_camera_dropped_on_a_tile_replaces_its_stream_and_is_saved(
    qtbot: QtBot, rig: Rig, settings: QSettings, tmp_path: Path
) -> None:
    old, new = rig.controller.camera_on(2), CITY.cameras[30].id
    rig.wall.set_layout(layout_for("9"))  # type: ignore[arg-type]
    drop(rig.wall.tiles[2], CAMERA_MIME, new)
    assert rig.controller.camera_on(2) == new
    assert (new, SUB) in rig.streams()
    assert (old, SUB) not in rig.streams()
    assert rig.wall.current == 2

    # Saved per screen: a new wall on the same settings comes back the same.
    again = next(make_rig(qtbot, settings, tmp_path))
    assert again.wall.wall_layout.key == "9"
    assert again.controller.camera_on(2) == new
    again.factory.abandon()
    again.controller.close()


def test_swapping_tiles_moves_the_streams_without_reopening(qtbot: QtBot, rig: Rig) -> None:
    first, second = rig.controller.camera_on(0), rig.controller.camera_on(1)
    assert first is not None
    assert second is not None
    qtbot.waitUntil(lambda: rig.factory.opens(url(first)) == 1 and rig.factory.opens(url(second)) == 1)
    drop(rig.wall.tiles[1], TILE_MIME, "0")
    assert (rig.controller.camera_on(0), rig.controller.camera_on(1)) == (second, first)
    assert rig.wall.tiles[0].camera_id == second
    assert rig.factory.opens(url(first)) == 1
    assert rig.factory.opens(url(second)) == 1


def test_maximise_switches_to_the_main_stream_and_restore_back(qtbot: QtBot, rig: Rig) -> None:
    camera = rig.controller.camera_on(3)
    assert camera is not None
    rig.wall.maximise(3)
    # The other tiles are hidden, so they stop decoding; the sub-stream stays until the main one delivers.
    assert rig.streams() == {(camera, SUB), (camera, MAIN)}
    rig.send_picture(qtbot, camera, MAIN)
    rig.frame_clock.tick()
    assert rig.streams() == {(camera, MAIN)}
    assert rig.wall.tiles[3].shown_seq == 1

    rig.wall.restore()
    assert (camera, MAIN) not in rig.streams()
    assert len(rig.streams()) == 16


def test_a_tour_pages_through_a_group_and_opens_the_next_page_early(rig: Rig) -> None:
    group = CITY.cameras[0].district_code
    members = [c.id for c in rig.registry.groups("dispatcher")[group]]
    before = rig.cameras(4)
    rig.wall.set_layout(layout_for("4"))  # type: ignore[arg-type]
    assert rig.controller.start_tour(group, 10)
    assert rig.cameras(4) == members[:4]
    assert "1/3" in rig.wall.tour_state.text()

    rig.clock.advance(9.0)
    rig.frame_clock.tick()
    assert {c for c, _ in rig.streams()} == set(members[:8])  # page 2 pre-rolling

    rig.clock.advance(1.0)
    rig.frame_clock.tick()
    assert rig.cameras(4) == members[4:8]
    assert {c for c, _ in rig.streams()} == set(members[4:8])

    # An alarm holds its tile: the tour pages through the other three.
    rig.controller.set_alarm(members[5], True)
    assert rig.wall.tiles[1].paused
    assert rig.wall.tiles[1].alarm
    rig.clock.advance(10.0)
    rig.frame_clock.tick()
    assert rig.cameras(4) == [members[8], members[5], members[9], members[0]]

    rig.controller.stop_tour()
    assert rig.cameras(4) == before
    assert not rig.wall.tour_button.isChecked()


def test_a_viewer_sees_fewer_cameras_and_decodes_none_it_may_not_view(
    qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    rig = next(make_rig(qtbot, settings, tmp_path, role="viewer"))
    try:
        viewable = {c.id for c in rig.registry.visible_to("viewer")}
        assert len(viewable) < len(rig.registry)
        assert set(rig.controller.tree.camera_ids()) == viewable
        assert {c for c, _ in rig.streams()} <= viewable
        restricted = next(c.id for c in rig.registry if c.id not in viewable)
        drop(rig.wall.tiles[0], CAMERA_MIME, restricted)
        assert rig.controller.camera_on(0) != restricted

        rig.controller.set_role("shift_lead")
        rig.controller.put_camera(0, restricted)
        assert (restricted, SUB) in rig.streams()
        rig.controller.set_role("viewer")
        assert (restricted, SUB) not in rig.streams()
        assert rig.wall.tiles[0].camera_id is None
    finally:
        rig.factory.abandon()
        rig.controller.close()


def test_an_incident_pops_up_the_cameras_that_see_it_on_main_streams(rig: Rig) -> None:
    target = CITY.cameras[20]
    shown = rig.controller.show_cameras_for(target.lon, target.lat, severe=True)
    assert shown[0] == target.id
    popup = rig.wall.popup
    assert popup.isVisible()
    assert [t.camera_id for t in popup.shown] == shown
    assert all(t.alarm for t in popup.shown)
    assert {(c, MAIN) for c in shown} <= rig.streams()

    popup.dismiss()
    assert not any(q is MAIN for _, q in rig.streams())


def test_a_cases_camera_the_role_may_not_view_is_refused(
    qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    rig = next(make_rig(qtbot, settings, tmp_path, role="viewer"))
    try:
        restricted = next(c.id for c in rig.registry if not c.visible_to("viewer"))
        assert not rig.controller.link_case(restricted)
        assert rig.wall.popup.isVisible()
        assert rig.wall.popup.shown == []
        assert rig.wall.popup.empty.text()
        assert rig.controller.link_case(CITY.cameras[0].id)
        assert [t.camera_id for t in rig.wall.popup.shown] == [CITY.cameras[0].id]
    finally:
        rig.factory.abandon()
        rig.controller.close()


def test_motion_from_a_capture_thread_is_outlined_then_fades(qtbot: QtBot, rig: Rig) -> None:
    camera = rig.controller.camera_on(0)
    assert camera is not None
    worker = threading.Thread(target=rig.controller.motion_seen, args=(camera, 0.0, Box(0.6, 0.5, 0.2, 0.3)))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: rig.wall.tiles[0].motion == (0.6, 0.5, 0.2, 0.3))
    rig.clock.advance(6.0)
    rig.frame_clock.tick()
    assert rig.wall.tiles[0].motion is None


def test_a_snapshot_of_a_tile_is_written_for_the_case(qtbot: QtBot, rig: Rig, tmp_path: Path) -> None:
    camera = rig.controller.camera_on(0)
    assert camera is not None
    rig.send_picture(qtbot, camera)
    with qtbot.waitSignal(rig.controller.snapshots.saved, timeout=5000) as saved:
        rig.wall.snapshot_requested.emit(0)
    snapshot = saved.args[0]
    assert snapshot.camera_id == camera
    assert snapshot.path.parent == tmp_path / "snapshots"
    assert snapshot.path.exists()


def test_a_frozen_demo_camera_shows_signal_lost_and_recovers(
    qtbot: QtBot, qapp: QApplication, settings: QSettings
) -> None:
    from sim.demo_streams import DemoStreamServer

    sites = CITY.cameras[:2]
    with DemoStreamServer([c.id for c in sites], fps=10.0) as server:
        registry = demo_registry(sites, server.base_url, group_names=DISTRICTS)
        options = CaptureOptions(open_timeout=2.0, read_timeout=2.0, health=HealthTiming(stale_after=0.6))
        wall, tree = VideoWall(load_palette(), VideoWords()), CameraTree()
        qtbot.addWidget(wall)
        qtbot.addWidget(tree)
        wall.resize(800, 450)
        wall.show()
        controller = WallController(
            wall, tree, registry, lambda motion: StreamManager(registry, options=options, on_motion=motion),
            role="dispatcher", settings=settings,
        )  # fmt: skip
        try:
            wall.set_layout(layout_for("4"))  # type: ignore[arg-type]
            controller.set_active(True)
            tile = wall.tiles[0]

            def shows(health: Health) -> bool:
                controller.tick()
                return tile.status is not None and tile.status.health is health

            qtbot.waitUntil(lambda: shows(Health.LIVE) and tile.shown_seq is not None, timeout=10_000)
            server.freeze(sites[0].id)
            qtbot.waitUntil(lambda: shows(Health.STALE), timeout=10_000)
            shot = tile.grab().toImage()
            colour = shot.pixelColor(tile.width() // 2, tile.height() * 3 // 4)
            assert colour.red() == colour.green() == colour.blue()
            assert wall.tiles[1].status is not None
            assert wall.tiles[1].status.health is Health.LIVE
            server.thaw(sites[0].id)
            qtbot.waitUntil(lambda: shows(Health.LIVE), timeout=10_000)
        finally:
            controller.close()


def test_install_adds_a_dock_that_decodes_only_while_shown_and_its_grace(
    qtbot: QtBot, qapp: QApplication, settings: QSettings
) -> None:
    registry = city_registry()
    factory, clock = FakeFactory(), ManualClock()
    window = QMainWindow()
    qtbot.addWidget(window)
    frame_clock = FrameClock(lambda: None)
    controller = install_video_wall(
        window, frame_clock, registry=registry, role="dispatcher", settings=settings, palette=load_palette(),
        manager_factory=lambda motion: StreamManager(registry, options=FAST, factory=factory,
                                                     monitor_interval=None, on_motion=motion),
        clock=clock,
    )  # fmt: skip
    try:
        dock = window.findChild(QDockWidget, "videoWallDock")
        assert dock is not None
        assert controller.open_streams() == 0
        window.resize(1600, 900)
        window.show()
        qtbot.waitUntil(lambda: controller.open_streams() == 16)
        dock.hide()
        qtbot.waitUntil(lambda: controller.warm)
        assert controller.warm_s == 60.0, "the default grace"
        assert controller.open_streams() == 16, "kept for a quick return"
        clock.advance(60.0)
        controller.grace.check()
        assert controller.open_streams() == 0, "released once the grace has passed"
        dock.show()
        qtbot.waitUntil(lambda: controller.open_streams() == 16)
    finally:
        factory.abandon()
        controller.close()


def test_far_from_every_camera_the_nearest_are_shown_as_out_of_view(rig: Rig) -> None:
    base = CITY.cameras[0]
    spot = next(
        (base.lon + dx, base.lat + dy)
        for dx in (0.006, -0.006, 0.008, -0.008)
        for dy in (0.0, 0.004, -0.004)
        if not rig.registry.cameras_seeing(base.lon + dx, base.lat + dy, max_distance_m=400.0)
        and rig.registry.cameras_seeing(base.lon + dx, base.lat + dy, max_distance_m=1500.0)
    )
    shown = rig.controller.show_cameras_for(*spot, severe=False)
    assert 1 <= len(shown) <= 2
    assert "400" in rig.wall.popup.title.text()
    assert all("outside its view" in tile.caption for tile in rig.wall.popup.shown)


def test_tour_pages_wrap_and_catch_up_after_a_pause() -> None:
    tour = Tour("g", ["a", "b", "c", "d", "e"], interval=10.0, started_at=0.0)
    assert tour.page([0, 1]).cameras == {0: "a", 1: "b"}
    assert tour.next_page([0, 1]).cameras == {0: "c", 1: "d"}
    assert tour.advance([0, 1], now=10.0).cameras == {0: "c", 1: "d"}
    assert tour.position() == (2, 3)
    assert tour.advance([0, 1], now=20.0).cameras == {0: "e", 1: "a"}
    assert tour.advance([0, 1], now=30.0).cameras == {0: "a", 1: "b"}  # the list starts over
    # Hidden for a minute: the next page comes one interval after the wall is back, not at once.
    tour.advance([0, 1], now=95.0)
    assert tour.next_at == 105.0
    # More tiles than cameras: each camera once, the other tiles keep theirs.
    small = Tour("g", ["a", "b"], interval=5.0, started_at=0.0)
    assert small.page([0, 1, 2, 3]).cameras == {0: "a", 1: "b"}
    assert small.position() == (1, 1)


def test_the_big_tile_of_an_irregular_layout_shows_the_main_stream(rig: Rig) -> None:
    rig.wall.set_layout(layout_for("1+5"))  # type: ignore[arg-type]
    big, small = rig.controller.camera_on(0), rig.controller.camera_on(1)
    assert (big, MAIN) in rig.streams()
    assert (small, MAIN) not in rig.streams()
    rig.wall.set_layout(layout_for("9"))  # type: ignore[arg-type]
    assert not any(quality is MAIN for _, quality in rig.streams())


def test_the_demo_cameras_run_in_their_own_process_and_stop_with_it() -> None:
    from urllib.request import urlopen

    from sim.demo_cameras import DemoCameras

    with DemoCameras() as cameras:
        registry = cameras.registry()
        assert len(registry) == len(CITY.cameras)
        with urlopen(f"{cameras.base_url}/", timeout=5) as index:
            assert registry.cameras[0].sub_url in index.read().decode()
        assert cameras.running
    assert not cameras.running


def test_a_maximised_pop_up_tile_decodes_alone_and_the_others_come_back(rig: Rig) -> None:
    # Between two cameras, out of reach of both: the fallback shows the two nearest.
    a = CITY.cameras[0]
    b = min(CITY.cameras[1:], key=lambda c: (c.lon - a.lon) ** 2 + (c.lat - a.lat) ** 2)
    spot = ((a.lon + b.lon) / 2, (a.lat + b.lat) / 2)
    shown = rig.controller.show_cameras_for(*spot, severe=False)
    assert len(shown) == 2
    popup = rig.wall.popup
    popup.maximise(1)
    main = {c for c, q in rig.streams() if q is MAIN}
    assert main == {shown[1]}
    popup.restore()
    assert {c for c, q in rig.streams() if q is MAIN} == set(shown)


def test_a_hidden_wall_keeps_its_pop_up_and_opens_it_when_shown(rig: Rig) -> None:
    rig.controller.set_active(False)
    target = CITY.cameras[20]
    shown = rig.controller.show_cameras_for(target.lon, target.lat, severe=True)
    assert rig.streams() == frozenset(), "nothing decoded for a wall nobody sees"
    rig.controller.set_active(False)
    rig.controller.set_active(True)
    assert [t.camera_id for t in rig.wall.popup.shown] == shown
    assert {(c, MAIN) for c in shown} <= rig.streams()
    rig.controller.set_role("viewer")
    assert not rig.wall.popup.open, "a new role does not inherit the pop-up"


def test_motion_seen_by_a_capture_thread_goes_to_the_intake_too(
    qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    seen: list[tuple[str, float, Box]] = []
    rig = next(make_rig(qtbot, settings, tmp_path, on_motion=lambda *args: seen.append(args)))
    try:
        camera = rig.controller.camera_on(0)
        assert camera is not None
        box = Box(0.6, 0.5, 0.2, 0.3)
        worker = threading.Thread(target=rig.motion, args=(camera, 1_767_600_000.0, box))
        worker.start()
        worker.join()
        assert seen == [(camera, 1_767_600_000.0, box)]
        qtbot.waitUntil(lambda: rig.wall.tiles[0].motion == (0.6, 0.5, 0.2, 0.3))
    finally:
        rig.factory.abandon()
        rig.controller.close()


def test_a_place_with_no_camera_at_all_says_so_without_covering_the_wall(rig: Rig) -> None:
    base = CITY.cameras[0]
    spot = (base.lon + 1.0, base.lat + 1.0)  # about 100 km away: no camera of the city sees it
    assert rig.controller.show_cameras_for(*spot, severe=True) == []
    popup = rig.wall.popup
    assert popup.title.text() == "No camera near the scene"
    assert "1500" in popup.empty.text()
    assert popup.height() < rig.wall.grid.height() // 3


def test_a_warm_wall_keeps_its_streams_but_opens_none_until_it_is_back(
    qtbot: QtBot, settings: QSettings, tmp_path: Path
) -> None:
    rig = next(make_rig(qtbot, settings, tmp_path, warm_s=60.0))
    try:
        before = rig.streams()
        rig.controller.set_active(False)
        assert rig.controller.warm
        assert rig.streams() == before
        newcomer = CITY.cameras[30].id
        rig.controller.put_camera(0, newcomer)  # e.g. a drop remembered, or a new role's cameras
        assert (newcomer, SUB) not in rig.streams(), "nothing new opens for a wall nobody sees"
        assert rig.streams() < before, "the replaced camera's stream is let go"
        rig.controller.set_active(True)
        assert (newcomer, SUB) in rig.streams()
        rig.controller.set_active(False)
        rig.clock.advance(59.9)
        assert not rig.controller.grace.check()
        rig.clock.advance(0.1)
        assert rig.controller.grace.check()
        assert rig.streams() == frozenset()
    finally:
        rig.factory.abandon()
        rig.controller.close()
