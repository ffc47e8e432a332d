"""Wall pop-ups as the wall's watcher meets them: only for a case a camera sees (the others wait in a short
list beside the tree, never over the tiles), at most one unrequested pop-up per interval, and a snapshot
that says what was saved and to which case, offered only where there is a camera."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.videowall.controller import POPUP_INTERVAL_S
from app.videowall.memory import seconds_setting
from sim.city import demo_city
from sim.demo_streams import DemoStreamServer
from tests.app.videowall.test_wall_incidents import Console, make_console, poll_until, put_case_at, start
from tests.dispatch.casework.policies import MONDAY_9, put_event
from tests.video.fakes import DEAD_BASE
from video.registry import Quality

CITY = demo_city()
FAR = (CITY.cameras[0].lon + 1.0, CITY.cameras[0].lat + 1.0)  # ~100 km out: no camera of the city


@pytest.fixture
def console(qtbot: QtBot, qapp: QApplication, tmp_path: Path, settings: QSettings) -> Iterator[Console]:
    yield from make_console(qtbot, qapp, tmp_path, settings, DEAD_BASE)


def waiting_codes(console: Console) -> list[str]:
    return [case.code for case in console.wall.wall.waiting.cases]


def code_of(console: Console, title: str) -> str:
    row = console.db.execute("SELECT code FROM cases WHERE title = ?", [title]).fetchone()
    assert row is not None, title
    return str(row[0])


def test_a_severe_case_no_camera_sees_goes_to_the_list_not_over_the_tiles(
    qtbot: QtBot, console: Console
) -> None:
    put_event(console.db.conn, "far", at=MONDAY_9, lon=FAR[0], lat=FAR[1], severity=1,
              category="fire_alarm", title="山林起火")  # fmt: skip
    start(qtbot, console, 1)
    waiting = console.wall.wall.waiting
    qtbot.waitUntil(lambda: len(waiting.cases) == 1)
    assert not console.wall.wall.popup.open, "no pop-up with no picture"
    assert waiting.cases[0].no_camera
    assert waiting.cases[0].code == code_of(console, "山林起火")
    assert "no camera near" in waiting.rows.item(0).text()
    assert console.incidents.pinned is None
    # Beside the camera tree, not over the tiles.
    console.switch.show_wall()
    qtbot.waitUntil(lambda: waiting.isVisible())
    assert not console.wall.wall.isAncestorOf(waiting.parentWidget())
    tiles = console.wall.wall.grid
    top_left = tiles.mapTo(console.window, tiles.rect().topLeft())
    assert waiting.mapTo(console.window, waiting.rect().topRight()).x() < top_left.x()

    # Asked for, it shows what there is: no camera, said in a slim bar, and no 抓图 to offer.
    waiting.rows.setCurrentRow(0)
    QTest.keyClick(waiting.rows, Qt.Key.Key_Return)
    popup = console.wall.wall.popup
    assert popup.open
    assert popup.title.text().endswith("No camera near the scene")
    assert popup.snapshot_button.isHidden()
    assert waiting.cases == (), "on the pop-up now, so off the list"

    console.switch.show_desk()
    console.press(Qt.Key.Key_A)  # acknowledged: the list forgets it
    qtbot.waitUntil(lambda: console.incidents.pinned is None)
    assert waiting.isHidden()


def test_a_selected_case_no_camera_sees_opens_no_pop_up(qtbot: QtBot, console: Console) -> None:
    put_case_at(console, "near", 20, title="人民路井盖缺失")
    put_event(console.db.conn, "far", at=MONDAY_9 + 60, lon=FAR[0], lat=FAR[1], title="郊外路灯不亮",
              category="street_light")  # fmt: skip
    start(qtbot, console, 2)
    panel, popup = console.desk.panel, console.wall.wall.popup

    def select(title: str) -> None:
        case_id = console.db.execute("SELECT id FROM cases WHERE title = ?", [title]).fetchone()[0]
        console.desk.queue.select_case(case_id)
        qtbot.waitUntil(lambda: panel.case_file is not None and panel.case_file.case.id == case_id)
        qtbot.waitUntil(lambda: not console.incidents.settling)

    select("人民路井盖缺失")
    assert popup.open
    select("郊外路灯不亮")
    assert not popup.open, "the cameras of the case before are not left up, and no empty pop-up either"
    assert console.wall.wall.waiting.cases == (), "only severe cases are listed"


def test_a_burst_of_severe_cases_changes_the_pop_up_once_per_interval(qtbot: QtBot, console: Console) -> None:
    incidents, popup = console.incidents, console.wall.wall.popup
    assert incidents.min_interval_s == POPUP_INTERVAL_S
    put_case_at(console, "fire", 3, severity=1, category="fire_alarm", title="仓库起火")
    start(qtbot, console, 1)
    qtbot.waitUntil(lambda: console.popup_cameras()[:1] == [CITY.cameras[3].id])
    fire = code_of(console, "仓库起火")
    assert popup.title.text().startswith(fire)

    # Two more a few seconds later: the wall does not flash; they wait in the list.
    for seconds, (event, camera, title) in enumerate([("gas", 20, "燃气泄漏"), ("flood", 30, "隧道积水")]):
        console.clock.advance(2.0)
        place = CITY.cameras[camera]
        put_event(console.db.conn, event, at=MONDAY_9 + 2 * (seconds + 1), lon=place.lon, lat=place.lat,
                  severity=1, category=event, title=title)  # fmt: skip
        poll_until(qtbot, console, lambda n=seconds + 1: len(waiting_codes(console)) == n)  # type: ignore[misc]
    gas, flood = code_of(console, "燃气泄漏"), code_of(console, "隧道积水")
    assert waiting_codes(console) == [flood, gas], "newest first"
    assert popup.title.text().startswith(fire), "the first one stays up"
    assert not any(case.no_camera for case in console.wall.wall.waiting.cases)
    assert incidents.gate.active
    assert incidents.gate.check() is False, "not before the interval is over"

    console.clock.advance(POPUP_INTERVAL_S - 4.0)
    assert incidents.gate.check()
    newest = console.wall.wall.waiting.cases
    assert popup.title.text().startswith(flood), "the newest held back takes the pop-up"
    assert [case.code for case in newest] == [gas, fire], "the others stay listed, newest first"
    assert not incidents.gate.active


def test_the_pop_up_interval_and_the_grace_are_settings(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, settings: QSettings
) -> None:
    settings.setValue("video_wall/popup_interval_seconds", "15")
    settings.setValue("video_wall/warm_seconds", "not a number")
    made = make_console(qtbot, qapp, tmp_path, settings, DEAD_BASE)
    made_console = next(made)
    try:
        assert made_console.incidents.min_interval_s == 15.0
        assert made_console.wall.warm_s == 60.0, "an unreadable value falls back to the default"
    finally:
        next(made, None)


@hsettings(max_examples=80, deadline=None)
@given(st.one_of(st.text(max_size=12), st.floats(), st.integers(-(2**63), 2**63 - 1), st.none()))
def test_any_setting_value_gives_a_usable_number_of_seconds(value: object) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        store = QSettings(str(Path(scratch) / "wall.ini"), QSettings.Format.IniFormat)
        if value is not None:
            store.setValue("video_wall/x", value)
            store.sync()
        # Read back from the file, as the cockpit finds it at the next start.
        seconds = seconds_setting(QSettings(store.fileName(), QSettings.Format.IniFormat), "x", 42.0)
    assert 0.0 <= seconds <= 3600.0
    if isinstance(value, int | float) and 0 <= value <= 3600:
        assert seconds == float(value)


@pytest.fixture
def live_console(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path, settings: QSettings
) -> Iterator[tuple[Console, DemoStreamServer]]:
    with DemoStreamServer([c.id for c in CITY.cameras], fps=10.0) as server:
        yield from ((c, server) for c in make_console(qtbot, qapp, tmp_path, settings, server.base_url,
                                                      real=True))  # fmt: skip


@pytest.mark.slow
def test_a_snapshot_says_what_was_saved_and_to_which_case(
    qtbot: QtBot, live_console: tuple[Console, DemoStreamServer]
) -> None:
    console = live_console[0]
    put_case_at(console, "e1", 20, title="人民路井盖缺失")
    start(qtbot, console, 1)
    camera = CITY.cameras[20]
    qtbot.waitUntil(lambda: console.popup_cameras()[:1] == [camera.id])
    console.switch.show_wall()
    wall = console.wall
    qtbot.waitUntil(lambda: wall.manager.latest(camera.id, Quality.MAIN) is not None, timeout=20_000)
    toast = wall.wall.toast
    assert toast.isHidden()
    QTest.keyClick(wall.wall, Qt.Key.Key_S)
    code = code_of(console, "人民路井盖缺失")
    qtbot.waitUntil(lambda: f"attached to case {code}" in toast.text(), timeout=10_000)
    assert toast.isVisible()
    assert camera.name in toast.text()
    saved = next((wall.snapshots.directory or Path()).glob("*.jpg"))
    assert saved.name in toast.text()

    # A grid tile's snapshot belongs to no case: the toast names the camera and the file.
    popup = wall.wall.popup
    popup.dismiss()
    toast.dismiss()
    wall.wall.set_current(0)
    first = wall.camera_on(0)
    assert first is not None
    qtbot.waitUntil(lambda: wall.manager.latest(first, Quality.SUB) is not None, timeout=20_000)
    QTest.keyClick(wall.wall, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: toast.text().startswith("Snapshot saved:"), timeout=10_000)
    assert wall.registry.get(first).name in toast.text()
    # Nothing on the tile, nothing offered.
    wall.put_camera(0, None)
    assert wall.wall.snapshot_button.isHidden()
