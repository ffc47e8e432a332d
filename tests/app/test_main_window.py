"""Main window: stable object names, and the dock layout saved and restored only for its own version."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDockWidget
from pytestqt.qtbot import QtBot

from app.main_window import LAYOUT_VERSION, MainWindow
from app.theme import apply_theme


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
    settings.setValue("main_window/state", window.saveState(LAYOUT_VERSION + 1))

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
