"""App test fixtures: a qasync loop per test (closed and reset afterwards) and a themed main window."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QSettings, SignalInstance
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.main_window import MainWindow
from app.shell.theme import apply_theme


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop for `run_until_complete`; other tests see asyncio exactly as before."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.set_event_loop(None)
        asyncio.set_event_loop_policy(None)
        # qasync's timer object still holds Qt timers for cancelled sleeps (a 15 s feed timeout...). Delete
        # it here, on the GUI thread: freed later by a garbage collection that happens to run on another
        # thread (a test's server thread), its timers would outlive it and crash the next processEvents.
        shiboken6.delete(loop._timer)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, qapp: QApplication, settings: QSettings) -> Iterator[MainWindow]:
    window = MainWindow(palette=apply_theme(qapp), settings=settings)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    yield window
    qapp.setStyleSheet("")


async def wait_for(predicate: Callable[[], bool], signal: SignalInstance, timeout: float = 10.0) -> None:
    """Wake on every emission of `signal` until `predicate` holds (the asyncio twin of waitUntil)."""
    if predicate():
        return
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def check(*_: object) -> None:
        if not done.done() and predicate():
            done.set_result(None)

    signal.connect(check)
    try:
        await asyncio.wait_for(done, timeout)
    finally:
        signal.disconnect(check)
