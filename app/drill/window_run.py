"""A drill or replay window played to its end: shown, stopped by SIGINT/SIGTERM as by closing it, finished."""

from __future__ import annotations

import asyncio
import signal
from typing import Protocol, TypeVar

from app.shell.main_window import MainWindow

R = TypeVar("R", covariant=True)


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
