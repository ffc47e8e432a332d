"""Severe-event takeover: a level I/II case nobody acknowledged covers the wall, the most severe first, until
a duty console in another process acknowledges it on the same store; meanwhile the pages hold."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.theme import apply_theme
from app.wall.launch import add_takeover_maps, demo_cameras
from app.wall.source import StoreReader, WallReading
from dispatch.casework.model import Card, CaseState
from dispatch.casework.readouts import QueueRow
from dispatch.drill.scenario_file import load_scenario
from sim.drill.record import DrillRecord
from tests.app.wall.walls import wall_on
from tests.dispatch.casework.policies import Loop, new_case, open_loop, put_event
from widgets.drill.watermark import DrillWatermark
from widgets.wall.case_board import CaseFigures

ROOT = Path(__file__).resolve().parents[3]


def acknowledge_elsewhere(store: Path, case_id: int) -> None:
    """A duty console in another process acknowledges the case on the same store file."""
    script = (
        "import sys; from pathlib import Path\n"
        "from dispatch.casework.model import Action\n"
        "from tests.dispatch.casework.policies import LEAD, act, open_loop\n"
        "loop = open_loop(Path(sys.argv[1]))\n"
        "act(loop, int(sys.argv[2]), Action.ACKNOWLEDGE, LEAD)\n"
        "loop.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(store), str(case_id)], cwd=ROOT, check=True, timeout=60)


@pytest.fixture
def loop(tmp_path: Path) -> Loop:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


@pytest.mark.slow
def test_severe_cases_take_the_wall_in_turn_until_acknowledged_at_a_console(
    qtbot: QtBot, qapp: QApplication, loop: Loop, caplog: pytest.LogCaptureFixture
) -> None:
    cameras = demo_cameras()
    assert cameras is not None
    camera = next(iter(cameras))
    new_case(loop, "mild", severity=3, lon=121.0)
    second = new_case(loop, "level2", severity=2, title="主干道塌陷", lon=121.2)
    loop.clock.advance(60)
    first = new_case(loop, "level1", severity=1, title="地铁站大客流", lon=camera.lon, lat=camera.lat)
    reader = StoreReader(loop.path, history_s=3600)
    shown: list[dict[str, str | None]] = []
    try:
        with wall_on(qtbot, qapp, registry=cameras) as wall:
            (side_map,) = add_takeover_maps([(wall.window, wall.parts)], apply_theme(qapp))
            wall.controller.takeover_shown.connect(shown.append)
            takeover = wall.window.takeover
            wall.controller.apply(reader.read(loop.clock.now()))
            wall.advance(1)
            assert takeover.isVisible()
            assert "地铁站大客流" in takeover.title.text()
            assert takeover.queue.text() == "1 more waiting"
            # Where it is: the nearest camera by name, and the map beside the words centred on the place.
            assert takeover.camera.text() == f"Nearest camera: {camera.name}"
            assert side_map.isVisibleTo(takeover)
            assert side_map.view.zoom == 15.0
            assert (side_map.view.lon, side_map.view.lat) == pytest.approx((camera.lon, camera.lat), abs=0.01)
            assert shown[-1] == {wall.window.screen_name: first.code}
            # The room is looking at a takeover: the pages underneath do not rotate.
            wall.advance(120)
            assert wall.window.pages.currentIndex() == 0

            acknowledge_elsewhere(loop.path, first.id)
            wall.controller.apply(reader.read(loop.clock.now()))
            assert "主干道塌陷" in takeover.title.text()
            assert takeover.queue.isHidden()
            assert shown[-1] == {wall.window.screen_name: second.code}

            acknowledge_elsewhere(loop.path, second.id)
            with caplog.at_level(logging.INFO, logger="app.wall.controller"):
                wall.controller.apply(reader.read(loop.clock.now()))
            assert takeover.isHidden()
            assert f"wall screen {wall.window.screen_name}: takeover ended" in caplog.text
            assert shown[-1] == {wall.window.screen_name: None}
            wall.advance(1)
            assert not wall.controller.alarm_up
            wall.advance(30)
            assert wall.window.pages.currentIndex() == 1
    finally:
        reader.close()


def test_the_running_wall_reads_the_store_off_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, loop: Loop
) -> None:
    new_case(loop, "level1", severity=1, title="地铁站大客流")
    with wall_on(qtbot, qapp, source=StoreReader(loop.path, history_s=3600)) as wall:
        wall.controller.start()
        try:
            qtbot.waitUntil(wall.window.takeover.isVisible, timeout=10_000)
            assert wall.parts.boards[0].levels[0].text().endswith(" 1")
        finally:
            wall.controller.stop()


def test_a_takeover_nobody_acknowledges_ends_when_it_expires(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp) as wall:
        assert wall.pages.takeover_expires_s == 1800.0
        row = severe_row(discovered_at=wall.clock.now())

        def look() -> None:
            wall.controller.apply(WallReading((), CaseFigures((1, 0, 0, 0), (), 0, 0), (row,), (), (), None))

        look()
        assert wall.window.takeover.isVisible()
        wall.clock.advance(1799)
        look()
        assert wall.window.takeover.isVisible()
        wall.clock.advance(1)
        look()
        assert wall.window.takeover.isHidden()


def severe_row(discovered_at: float) -> QueueRow:
    return QueueRow(
        id=1, code="TS-0001", state=CaseState.DISCOVERED, version=1, severity=1, category="waterlogging",
        title="隧道积水", address="", district="", source="iot", discovered_at=discovered_at, handle_due=None,
        register_due=None, card=Card.NONE, parked=False, overdue=False, unit="", events_count=1,
        acknowledged=False,
    )  # fmt: skip


def test_a_wall_on_a_drill_store_shows_the_drill_marked_as_one(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    """`--wall --db DRILL.sqlite3`: the team's wall during a drill shows the drill's cases (all exercise),
    its severe case takes the wall, and every screen says DRILL; a real store's wall shows only real ones."""
    drill = open_loop(tmp_path / "drill.sqlite3", exercise_store=True)
    scenario = load_scenario(
        Path(__file__).resolve().parents[3] / "resources" / "scenarios" / "typhoon_waterlogging.yaml"
    )
    DrillRecord(drill.conn, scenario, "t1", 5.0, drill.clock.now(), headless=True, unit_kinds={})
    case = new_case(drill, "inject-1", severity=1, title="演练：化工罐车泄漏", exercise=True)
    reader = StoreReader(drill.path, history_s=3600)
    try:
        seen = reader.read(drill.clock.now())
        assert seen.exercise
        assert [row.id for row in seen.severe] == [case.id]
        assert seen.cases.by_level == (1, 0, 0, 0)
        with wall_on(qtbot, qapp) as wall:
            wall.controller.apply(seen)
            wall.advance(1)
            assert wall.window.takeover.isVisible()
            assert "化工罐车泄漏" in wall.window.takeover.title.text()
            assert wall.window.findChild(DrillWatermark) is not None
            out = Path(os.environ.get("WALL_SHOTS", tmp_path))
            out.mkdir(parents=True, exist_ok=True)
            wall.window.grab().save(str(out / "wall-drill-takeover.png"))
    finally:
        reader.close()
        drill.close()

    real = open_loop(tmp_path / "real.sqlite3")
    put_event(real.conn, "drill-leak", at=real.clock.now(), severity=1, exercise=True)  # a stray drill row
    real_case = new_case(real, "e1", severity=1, title="地铁站大客流")
    reader = StoreReader(real.path, history_s=3600)
    try:
        seen = reader.read(real.clock.now())
        assert not seen.exercise
        assert [row.id for row in seen.severe] == [real_case.id]
        assert seen.cases.by_level == (1, 0, 0, 0)
    finally:
        reader.close()
        real.close()
