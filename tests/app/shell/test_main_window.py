"""Main window: stable object names, the dock layout saved and restored only for its own version, and a
default arrangement that fits a 1280×720 laptop and a 1920×1080 console without growing the window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel
from pytestqt.qtbot import QtBot

from app.shell.main_window import LAYOUT_VERSION, MainWindow, layout_keys
from app.shell.theme import apply_theme
from dispatch.casework.board import GROUP_ORDER, Board
from dispatch.casework.model import Card, CaseState, Role
from dispatch.feed.values import MetricSample
from tests.app.consoles import bare_console
from tests.widgets.duty_values import NOW as T0
from tests.widgets.duty_values import case, case_file, page, row
from widgets.desk.duty_desk import DutyDesk
from widgets.shift.supervision_board import SupervisionBoard


def open_window(qtbot: QtBot, qapp: QApplication, settings: QSettings) -> MainWindow:
    window = MainWindow(palette=apply_theme(qapp), settings=settings)
    qtbot.addWidget(window)
    return window


def test_every_dock_has_a_stable_name(window: MainWindow) -> None:
    names = sorted(dock.objectName() for dock in window.findChildren(QDockWidget))
    assert names == ["eventStreamDock", "feedHealthDock", "vitalSignsDock", "vitalTrendsDock"]
    assert window.objectName() == "cockpitMainWindow"
    assert window.windowTitle() == "Tianshu City Operations Cockpit"


def test_layout_round_trip(qtbot: QtBot, qapp: QApplication, window: MainWindow, settings: QSettings) -> None:
    window.tabifyDockWidget(window.trends_dock, window.health_dock)
    window.vitals_dock.hide()
    # Within the offscreen screen (800x600): restoreGeometry keeps a window on its screen.
    window.resize(700, 500)
    size = window.size()
    window.save_layout()

    again = open_window(qtbot, qapp, settings)
    assert again.restore_layout()
    again.show()

    assert again.vitals_dock.isHidden()
    assert again.health_dock in again.tabifiedDockWidgets(again.trends_dock)
    assert again.size() == size


def test_a_layout_from_another_version_is_ignored(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    window.vitals_dock.hide()
    here = layout_keys(window.screen().geometry().size())
    settings.setValue(here[1], window.saveState(LAYOUT_VERSION + 1))

    again = open_window(qtbot, qapp, settings)
    assert not again.restore_layout()
    again.show()
    assert not again.vitals_dock.isHidden()


def test_nothing_saved_yet_means_the_default_layout(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    window = open_window(qtbot, qapp, QSettings(str(tmp_path / "none.ini"), QSettings.Format.IniFormat))
    assert not window.restore_layout()
    window.resize(1600, 900)
    window.show()
    qtbot.waitUntil(lambda: window.event_dock.width() > window.trends_dock.width() * 1.2)


@dataclass
class Console:
    """The cockpit as `python main.py` builds it, with a busy shift on screen."""

    window: MainWindow
    desk: DutyDesk
    board: SupervisionBoard


@pytest.fixture(params=["en", "zh_CN"])
def console(
    request: pytest.FixtureRequest, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[Console]:
    with bare_console(qtbot, qapp, tmp_path, request.param) as bare:
        yield Console(bare.window, bare.desk, bare.parts.panels.board)


def busy_shift(console: Console) -> None:
    """The widest things the demo city shows: big numbers with long units, a long severe alert, a carded
    case in a long state, three-digit card counts."""
    readings = [
        ("open_incidents", 1_234, None),
        ("hotline_calls_per_hour", 8_765, "calls/h"),
        ("congestion_index", 9.87, None),
        ("aqi", 345, None),
        ("water_level_max", 12.3, "m"),
        ("power_load", 48_765, "MW"),
        ("metro_passenger_flow", 987_654, "passengers/h"),
    ]
    console.window.vitals.apply(
        [MetricSample(seq=0, name=n, value=v, at=T0, unit=u, labels=()) for n, v, u in readings]
    )
    desk = console.desk
    title = "解放路与人民路交叉口东北角地下通道积水严重，车辆无法通行，行人被困"
    desk.banner.show_alerts(tuple(row(n, severity=1, title=title, acknowledged=False) for n in (1, 2, 3)))
    desk.queue.show_page(page([row(n, title=title) for n in range(1, 31)], desk.queue.query()))
    desk.panel.set_role(Role.SHIFT_LEAD)
    desk.panel.show_file(case_file(case(state=CaseState.RETURN_REQUESTED, card=Card.RED_CARD)))
    console.board.show_board(Board(T0, (), dict.fromkeys(GROUP_ORDER, 888)))


@pytest.mark.parametrize("size", [QSize(1280, 720), QSize(1920, 1080)], ids=["laptop", "console"])
def test_the_cockpit_keeps_the_size_asked_for_and_every_shown_dock_is_usable(
    qtbot: QtBot, qapp: QApplication, console: Console, size: QSize
) -> None:
    window = console.window
    busy_shift(console)
    window.resize(size)
    window.show()
    qtbot.waitExposed(window)
    qapp.processEvents()

    assert window.size() == size
    shown = [d for d in window.findChildren(QDockWidget) if not d.visibleRegion().isEmpty()]
    assert {d.objectName() for d in shown} >= {"vitalSignsDock", "dutyDock", "supervisionBoardDock"}
    for dock in shown:
        name = dock.objectName()
        least = dock.minimumSizeHint()
        assert dock.width() >= least.width(), name
        assert dock.height() >= least.height(), name
        if dock is not window.vitals_dock:  # a strip, exactly as tall as its tiles
            assert dock.width() >= 200, name
            assert dock.height() >= 120, name
    # The desk takes most of the width; the vital signs stay one row of whole numbers.
    assert window.duty_dock is not None
    assert window.duty_dock.width() > window.width() // 2
    tiles = list(window.vitals.tiles.values())
    assert len({tile.y() for tile in tiles}) == 1
    for tile in tiles:
        assert tile.value.width() >= tile.value.sizeHint().width(), tile.caption.text()
    # The case panel is never cut: it is at least as wide as its header row needs.
    panel = console.desk.panel
    assert panel.width() >= panel.minimumSizeHint().width()
    for chip in console.board.counts.values():
        assert chip.width() >= chip.sizeHint().width(), chip.text()


def test_a_laptop_keeps_the_board_in_front_of_its_column(qtbot: QtBot, console: Console) -> None:
    window = console.window
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)

    tabbed = {d.objectName() for d in window.tabifiedDockWidgets(window.trends_dock)}
    assert tabbed == {
        "supervisionBoardDock", "handoverDock", "metricsDock", "feedHealthDock", "situationMapDock"
    }  # fmt: skip
    board_dock = console.board.parentWidget()
    assert isinstance(board_dock, QDockWidget)
    assert not board_dock.visibleRegion().isEmpty()
    assert window.trends_dock.visibleRegion().isEmpty()


def test_a_console_shows_the_map_over_the_board_with_trends_and_health_a_tab_away(
    qtbot: QtBot, console: Console
) -> None:
    window = console.window
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)

    assert window.map_dock is not None
    tabbed = {d.objectName() for d in window.tabifiedDockWidgets(window.map_dock)}
    assert tabbed == {"vitalTrendsDock", "feedHealthDock"}
    assert not window.map_dock.visibleRegion().isEmpty()
    board_dock = console.board.parentWidget()
    assert isinstance(board_dock, QDockWidget)
    assert not board_dock.visibleRegion().isEmpty()
    # The column's shares are set once the layout has placed the docks, on the next event-loop turn.
    qtbot.waitUntil(lambda: window.map_dock is not None and window.map_dock.height() >= window.height() // 3)


def test_a_big_panel_beside_the_desk_leaves_the_desk_in_front(qtbot: QtBot, console: Console) -> None:
    window = console.window
    wall = QDockWidget("Video wall", window)
    wall.setObjectName("videoWallDock")
    wall.setWidget(QLabel("wall"))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, wall)
    window.add_desk_tab(wall)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)

    assert window.size() == QSize(1280, 720)
    assert window.duty_dock is not None
    assert wall in window.tabifiedDockWidgets(window.duty_dock)
    assert not window.duty_dock.visibleRegion().isEmpty()
    assert wall.visibleRegion().isEmpty()
