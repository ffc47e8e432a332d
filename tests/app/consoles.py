"""A whole console (main window, duty desk, shift panels, the city map) on an empty store and no feed, in
one language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.application import install_translations
from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.gui import Console, install_console
from app.shell.main_window import MainWindow
from app.shell.theme import apply_theme
from app.situation.controller import install_situation_map
from core.clock import ManualClock
from dispatch.atlas import load_atlas
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.service import LocalLoop
from dispatch.store.database import open_store
from tests.widgets.duty_values import NOW as T0
from widgets.desk.duty_desk import DutyDesk

DEMO_ATLAS = Path(__file__).resolve().parents[2] / "resources" / "atlas" / "demo"


@dataclass
class BareConsole:
    window: MainWindow
    desk: DutyDesk
    parts: Console


@contextmanager
def bare_console(qtbot: QtBot, qapp: QApplication, tmp_path: Path, language: str) -> Iterator[BareConsole]:
    translators = install_translations(qapp, language)
    store = tmp_path / "store.sqlite3"
    open_store(store).close()
    worker = LocalLoop(store, load_policy(default_policy_path()), ManualClock(T0))
    window = MainWindow(
        palette=apply_theme(qapp),
        settings=QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    cockpit = Cockpit(
        window,
        db_path=store,
        feed_url="ws://127.0.0.1:9",
        pipeline_factory=make_pipeline_factory(None, None),
        loop=worker,
    )
    parts = install_console(qapp, window, cockpit, demo=False)
    assert cockpit.duty is not None
    assert cockpit.bus is not None
    situation = install_situation_map(
        window, worker, cockpit.bus, cockpit.duty, load_atlas(DEMO_ATLAS), cockpit.frame_clock.ticked
    )
    assert window.duty_dock is not None
    desk = window.duty_dock.widget()
    assert isinstance(desk, DutyDesk)
    try:
        yield BareConsole(window, desk, parts)
    finally:
        situation.stop()
        parts.stop()
        worker.close()
        for translator in translators:
            QCoreApplication.removeTranslator(translator)
        qapp.setStyleSheet("")
