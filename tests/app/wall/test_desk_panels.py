"""At a desk the wall's panels dock beside the queue: vital signs with their rules' states, the case board
and the warnings, read from the desk's store when cases change or readings arrive."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from app.desk.jobs import demo_atlas_path
from app.shell.gui import build_window
from app.shell.theme import apply_theme
from app.wall.desk_panels import WallDeskPanels, install_desk_wall, install_wall_panels
from dispatch.atlas import load_atlas
from dispatch.feed.values import MetricSample
from dispatch.store.rows import insert_others
from dispatch.vitals.rules import AlertRule, RuleKind
from tests.dispatch.casework.policies import Loop, new_case, open_loop
from widgets.common.vocabulary import Vocabulary

HIGH = AlertRule("high", "water_level_max", RuleKind.THRESHOLD, 4.0, recovery=3.8, level=2)


class Bus(QObject):
    changed = Signal(object)


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def test_the_walls_panels_dock_beside_the_map_and_follow_the_store(
    qtbot: QtBot, qapp: QApplication, loop: Loop
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    map_dock = QDockWidget("map", window)
    map_dock.setObjectName("situationMapDock")
    map_dock.setWidget(QLabel("map"))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, map_dock)
    panels = WallDeskPanels(loop.path, loop.clock, Vocabulary(qapp), [HIGH], {"339901": "钟楼区"})
    bus = Bus()
    panels.follow(bus.changed)
    try:
        docks = install_wall_panels(window, map_dock, apply_theme(qapp), panels)
        window.resize(1600, 900)
        window.show()
        qtbot.waitExposed(window)
        assert [d.objectName() for d in docks] == ["wallVitalsDock", "wallCasesDock", "wallWarningsDock"]
        # Beside the map, which stays in front: a tab away, not on top of the desk.
        assert set(window.tabifiedDockWidgets(map_dock)) == set(docks)
        assert not map_dock.visibleRegion().isEmpty()

        case = new_case(loop, "e1", severity=2, title="主干道塌陷")
        now = loop.clock.now()
        insert_others(loop.conn, "demo", [MetricSample(0, "water_level_max", 4.3, now, "m", ())], [], [])
        loop.conn.commit()
        with qtbot.waitSignal(panels.reading_arrived, timeout=10_000):
            bus.changed.emit(object())
        assert panels.board.levels[1].text().endswith(" 1")
        assert case.district == "339901"
        assert any("钟楼区" in label.text() for label in panels.board.districts)
        tile = panels.vitals.tiles["water_level_max"]
        assert tile.value.text() == "4.30"
        # The rule's state on the tile, in words as on the wall (pending until its `for` runs out).
        assert tile.property("alert") in {"pending", "firing"}
    finally:
        panels.close()


class Clocked(QObject):
    summary_flushed = Signal(object)


def test_the_duty_console_keeps_its_wall_panels_for_as_long_as_its_window(
    qtbot: QtBot, qapp: QApplication, loop: Loop, tmp_path: Path
) -> None:
    window = build_window(qapp, QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    map_dock = QDockWidget("map", window)
    map_dock.setObjectName("situationMapDock")
    map_dock.setWidget(QLabel("map"))
    window.add_map_dock(map_dock)
    bus, frames = Bus(), Clocked()
    cockpit = SimpleNamespace(db_path=loop.path, clock=loop.clock, bus=bus, frame_clock=frames)
    assert install_desk_wall(window, cockpit, load_atlas(demo_atlas_path())) is not None  # type: ignore[arg-type]
    # Nobody but the window holds the panels (as in the console): they must still follow the loop.
    gc.collect()
    (panels,) = window.findChildren(WallDeskPanels)
    new_case(loop, "e1", severity=3)
    with qtbot.waitSignal(panels.reading_arrived, timeout=10_000):
        frames.summary_flushed.emit(object())
    assert panels.board.levels[2].text().endswith(" 1")
    window.close()
    panels.close()
