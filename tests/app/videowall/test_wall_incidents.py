"""Video linkage as a duty officer meets it: the selected case's cameras in the wall's pop-up without the
desk losing the keyboard, severe cases' cameras in alarm until acknowledged, explicit keys that bring the
wall forward and back, snapshots attached to the case as evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow
from pytestqt.qtbot import QtBot

from app.desk.controller import DutyController
from app.shell.frame_clock import FrameClock
from app.shell.theme import apply_theme
from app.videowall.controller import WallController
from app.videowall.dock import install_video_wall
from app.videowall.incidents import IncidentVideo, WallSwitch, on_screen
from core.clock import ManualClock
from dispatch.casework.model import Action
from dispatch.service import LocalLoop
from dispatch.store.database import open_store
from sim.city import demo_city
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY, put_event
from tests.video.fakes import DEAD_BASE, FAST, FakeFactory, picture
from video.registry import CameraRegistry, Quality, demo_registry
from video.streams import StreamManager
from widgets.common.vocabulary import Vocabulary
from widgets.desk.duty_desk import DutyDesk

CITY = demo_city()
HOUR_MS = 3_600_000
SETTLE_MS = 40


@dataclass
class Console:
    window: QMainWindow
    desk: DutyDesk
    duty: DutyController
    wall: WallController
    incidents: IncidentVideo
    switch: WallSwitch
    wall_dock: QDockWidget
    desk_dock: QDockWidget
    factory: FakeFactory
    db: sqlite_utils.Database
    registry: CameraRegistry
    clock: ManualClock
    """The wall's clock: the warm grace and the pop-up interval run on it."""

    def let_wall_cool(self) -> None:
        """The officer stays on the desk past the wall's grace: its streams are released."""
        self.clock.advance(self.wall.warm_s)
        self.wall.grace.check()

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(self.desk.queue.table, key, modifier)

    def popup_cameras(self) -> list[str | None]:
        popup = self.wall.wall.popup
        return [tile.camera_id for tile in popup.shown] if popup.open else []

    def tiles_in_alarm(self) -> set[str]:
        return {t.camera_id for t in self.wall.wall.tiles if t.alarm and t.camera_id is not None}


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, tmp_path: Path, settings: QSettings) -> Iterator[Console]:
    yield from make_console(qtbot, qapp, tmp_path, settings, DEAD_BASE)


def make_console(
    qtbot: QtBot,
    qapp: QApplication,
    tmp_path: Path,
    settings: QSettings,
    base_url: str,
    *,
    real: bool = False,
) -> Iterator[Console]:
    """The desk and the wall in one window; the cameras stream from `base_url`, through scripted fakes
    unless `real` (FFmpeg on a demo stream server there)."""
    db = open_store(tmp_path / "store.sqlite3")
    worker = LocalLoop(tmp_path / "store.sqlite3", POLICY, ManualClock(MONDAY_9))
    window = QMainWindow()
    qtbot.addWidget(window)
    desk = DutyDesk(Vocabulary(), apply_theme(qapp))
    desk_dock = QDockWidget("desk", window)
    desk_dock.setObjectName("dutyDock")
    desk_dock.setWidget(desk)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, desk_dock)
    duty = DutyController(desk, worker, actor=LEAD, clock=ManualClock(MONDAY_9), interval_ms=HOUR_MS)
    registry = demo_registry(CITY.cameras, base_url, group_names={d.code: d.name for d in CITY.districts})
    factory, video_clock = FakeFactory(), ManualClock()
    fakes = {} if real else {"factory": factory, "options": FAST}
    wall = install_video_wall(
        window, FrameClock(lambda: None), registry=registry, role="shift_lead", settings=settings,
        palette=apply_theme(qapp), beside=desk_dock, snapshot_dir=tmp_path / "snapshots", clock=video_clock,
        manager_factory=lambda motion: StreamManager(
            registry, monitor_interval=None, main_linger=0.0, on_motion=motion, **fakes  # type: ignore[arg-type]
        ),
    )  # fmt: skip
    wall_dock = window.findChild(QDockWidget, "videoWallDock")
    assert wall_dock is not None
    switch = WallSwitch(window, wall_dock, wall.wall, desk_dock, desk)
    incidents = IncidentVideo(duty, wall, switch, settle_ms=SETTLE_MS)
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    desk_dock.raise_()
    qtbot.waitUntil(lambda: on_screen(desk) and not on_screen(wall.wall))
    console = Console(
        window, desk, duty, wall, incidents, switch, wall_dock, desk_dock, factory, db, registry, video_clock
    )
    console.let_wall_cool()
    yield console
    factory.abandon()
    wall.close()
    duty.stop()
    worker.close()
    db.close()
    qapp.setStyleSheet("")


def put_case_at(console: Console, event_id: str, camera_index: int, **event: object) -> None:
    camera = CITY.cameras[camera_index]
    put_event(console.db.conn, event_id, at=MONDAY_9, lon=camera.lon, lat=camera.lat, **event)  # type: ignore[arg-type]


def poll_until(qtbot: QtBot, console: Console, seen: Callable[[], bool]) -> None:
    """Beat the desk until `seen()`: a beat asked for while another runs (a refresh) is dropped."""

    def beat() -> bool:
        if seen():
            return True
        console.duty.poll()
        return False

    qtbot.waitUntil(beat)


def start(qtbot: QtBot, console: Console, cases: int) -> None:
    console.duty.start()
    qtbot.waitUntil(lambda: console.desk.queue.model.rowCount() == cases)
    console.desk.queue.focus_table()


def test_selecting_a_case_puts_its_cameras_on_the_pop_up_without_leaving_the_desk(
    qtbot: QtBot, console: Console
) -> None:
    put_case_at(console, "e1", 20, title="人民路井盖缺失")
    start(qtbot, console, 1)
    target = CITY.cameras[20].id
    qtbot.waitUntil(lambda: console.popup_cameras()[:1] == [target])
    popup = console.wall.wall.popup
    assert "Cameras on the scene" in popup.title.text()
    assert popup.title.text().startswith(console.desk.panel.case_file.case.code)  # type: ignore[union-attr]
    # The wall stays behind the desk, the keyboard stays in the queue, and nothing is decoded for it.
    assert on_screen(console.desk)
    assert not on_screen(console.wall.wall)
    assert QApplication.focusWidget() is console.desk.queue.table
    assert console.wall.open_streams() == 0

    # Brought forward later (F9), the pop-up is there, on the main streams.
    QTest.keyClick(console.desk.queue.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: (target, Quality.MAIN) in console.wall.manager.open_streams())
    assert console.popup_cameras()[0] == target
    QTest.keyClick(console.wall.wall, Qt.Key.Key_F9)
    assert on_screen(console.desk)
    assert QApplication.focusWidget() is console.desk.queue.table
    assert (target, Quality.MAIN) in console.wall.manager.open_streams(), "warm for a quick return"
    console.let_wall_cool()
    assert console.wall.open_streams() == 0, "behind the desk past the grace: released"


def test_arrowing_through_the_queue_links_only_the_case_it_stops_on(qtbot: QtBot, console: Console) -> None:
    console.incidents._settle.setInterval(HOUR_MS)  # held by hand: "the officer never stops"
    for n, camera in enumerate((3, 20, 30), start=1):
        put_case_at(console, f"e{n}", camera, title=f"案件{n}")
    start(qtbot, console, 3)
    panel = console.desk.panel

    def shown() -> int | None:
        return panel.case_file.case.id if panel.case_file is not None else None

    qtbot.waitUntil(lambda: shown() is not None)
    visited = {shown()}
    for _ in range(2):
        before = shown()
        console.press(Qt.Key.Key_J)
        qtbot.waitUntil(lambda before=before: shown() not in (None, before))  # type: ignore[misc]
        visited.add(shown())
    assert len(visited) == 3
    assert console.incidents.settling
    assert not console.wall.wall.popup.open, "nothing linked while moving"

    console.incidents._settle.setInterval(SETTLE_MS)
    before = shown()
    console.press(Qt.Key.Key_K)
    qtbot.waitUntil(lambda: shown() not in (None, before))
    qtbot.waitUntil(lambda: console.wall.wall.popup.open)
    linked = console.wall.link.case
    assert linked is not None
    assert linked.case_id == shown()
    case = panel.case_file.case  # type: ignore[union-attr]
    assert case.lon is not None
    assert case.lat is not None
    nearest = console.registry.cameras_seeing(case.lon, case.lat)[0].camera.id
    assert console.popup_cameras()[0] == nearest


def test_shift_w_and_shift_v_bring_the_wall_forward_at_once(qtbot: QtBot, console: Console) -> None:
    console.incidents._settle.setInterval(HOUR_MS)
    put_case_at(console, "e1", 20)
    start(qtbot, console, 1)
    qtbot.waitUntil(lambda: console.desk.panel.case_file is not None)
    console.desk.panel.tabs.setFocus()
    QTest.keyClick(console.desk.panel.tabs, Qt.Key.Key_W, Qt.KeyboardModifier.ShiftModifier)
    assert console.popup_cameras()[0] == CITY.cameras[20].id
    assert on_screen(console.wall.wall)
    assert not on_screen(console.desk)
    assert QApplication.focusWidget() is console.wall.wall
    console.switch.show_desk()
    console.incidents._on_panel_camera_requested(CITY.cameras[5].id)
    assert console.popup_cameras() == [CITY.cameras[5].id]
    assert "Camera of the case" in console.wall.wall.popup.title.text()
    assert on_screen(console.wall.wall)


def test_a_severe_case_holds_the_pop_up_and_its_cameras_alarm_until_acknowledged(
    qtbot: QtBot, console: Console
) -> None:
    put_case_at(console, "e1", 3, title="路面塌陷")
    start(qtbot, console, 1)
    qtbot.waitUntil(lambda: console.popup_cameras()[:1] == [CITY.cameras[3].id])

    put_case_at(console, "fire", 20, severity=1, category="fire_alarm", title="居民楼起火")
    fire_camera = CITY.cameras[20].id
    poll_until(qtbot, console, lambda: console.popup_cameras()[:1] == [fire_camera])
    popup = console.wall.wall.popup
    assert "Severe incident" in popup.title.text()
    assert all(tile.alarm for tile in popup.shown)
    assert console.incidents.pinned is not None
    assert fire_camera in console.wall.alarms
    # On the grid too, wherever the camera is shown.
    console.wall.put_camera(0, fire_camera)
    console.wall.set_active(True)
    assert fire_camera in console.tiles_in_alarm()

    # Moving to another case does not take the severe case off the pop-up.
    shown = console.desk.panel
    first = next(r.id for r in console.desk.queue.model.rows if r.id != console.incidents.pinned)
    console.desk.queue.select_case(first)
    qtbot.waitUntil(lambda: shown.case_file is not None and shown.case_file.case.id == first)
    qtbot.waitUntil(lambda: not console.incidents.settling)
    assert console.popup_cameras()[0] == fire_camera

    console.press(Qt.Key.Key_A)  # acknowledge from the banner
    qtbot.waitUntil(lambda: console.incidents.pinned is None)
    assert console.wall.alarms == frozenset()
    assert fire_camera not in console.tiles_in_alarm()
    assert console.popup_cameras()[:1] == [CITY.cameras[3].id], "back to the case the officer is on"
    assert not any(tile.alarm for tile in popup.shown)


def test_a_snapshot_from_the_pop_up_is_attached_to_the_case_and_listed(
    qtbot: QtBot, console: Console
) -> None:
    put_case_at(console, "e1", 20)
    start(qtbot, console, 1)
    camera = CITY.cameras[20].id
    qtbot.waitUntil(lambda: console.popup_cameras()[:1] == [camera])
    console.switch.show_wall()
    url = f"{DEAD_BASE}/{camera}/{Quality.MAIN.value}.mjpg"
    handed = console.factory.handed
    qtbot.waitUntil(lambda: bool(handed[url]))
    handed[url][-1].push(picture(120, 640, 360))
    qtbot.waitUntil(lambda: console.wall.manager.latest(camera, Quality.MAIN) is not None)
    QTest.keyClick(console.wall.wall, Qt.Key.Key_S)
    panel = console.desk.panel
    qtbot.waitUntil(lambda: panel.video.snapshots.text().startswith("Snapshots (1)"), timeout=10_000)
    row = console.db.execute("SELECT action, actor, payload FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert (row[0], row[1]) == (Action.ATTACH.value, LEAD.login)
    assert camera in row[2]
    assert "Evidence attached" in console.desk.notice.text()
    snapshots = list((console.wall.snapshots.directory or Path()).glob("*.jpg"))
    assert [p.name for p in snapshots] == [Path(p).name for p in [row[2].split('"path":"')[1].split('"')[0]]]
