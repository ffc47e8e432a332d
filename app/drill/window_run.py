"""A drill or replay window played to its end: shown, stopped by SIGINT/SIGTERM as by closing it, finished."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, TypeVar

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.shell.application import no_display_reason
from app.shell.gui import build_window, dispose, prepare_application
from app.shell.main_window import MainWindow

log = logging.getLogger(__name__)
R = TypeVar("R", covariant=True)


class _Fed(Protocol):
    @property
    def fed(self) -> bool: ...


F = TypeVar("F", bound=_Fed | None)


class _Cockpit(Protocol):
    def request_stop(self) -> None: ...
    async def wait_closed(self) -> None: ...


class WindowRun(Protocol[R]):
    """What a drill window and a replay window both are: a cockpit, and a start and finish of their own."""

    @property
    def cockpit(self) -> _Cockpit: ...
    async def start(self) -> None: ...
    async def finish(self) -> R: ...


async def play_in_window(window: MainWindow, run: WindowRun[R]) -> R:
    """Show the window (maximised, its saved layout restored), start the run and wait until the window is
    closed — or until SIGINT/SIGTERM asks it to close — then finish the run and return what it says."""
    window.restore_layout()
    window.showMaximized()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, run.cockpit.request_stop)
    try:
        await run.start()
        await run.cockpit.wait_closed()
    finally:
        result = await run.finish()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
    return result


def run_exercise_window(
    what: str, db_path: Path, opened: Callable[[QApplication, MainWindow], Awaitable[WindowRun[F]]]
) -> int:
    """A drill or replay window (`what`) on a display until it is closed: its layout kept beside the drill
    stores, not in the cockpit's settings. `opened` builds the run on the window under the running loop.
    Exit 0 once it closes, 1 without a display, on an error, or when the feed was never read."""
    reason = no_display_reason()
    if reason is not None:
        print(f"tianshu: {reason}", file=sys.stderr)
        return 1
    app = prepare_application()
    app.setQuitOnLastWindowClosed(False)
    settings = QSettings(str(db_path.parent / "drill-window.ini"), QSettings.Format.IniFormat)
    window = build_window(app, settings)
    outcome: list[F] = []

    async def main() -> None:
        outcome.append(await play_in_window(window, await opened(app, window)))

    try:
        qasync.run(main())
    except Exception as error:
        log.error("the %s window stopped on an error: %s", what, error, exc_info=error)
        return 1
    finally:
        dispose(window)
    print(f"drill store: {db_path}", flush=True)
    result = outcome[0] if outcome else None
    if result is None or not result.fed:
        print(f"tianshu: the intake never reached the {what}'s feed on 127.0.0.1", file=sys.stderr)
        return 1
    return 0
