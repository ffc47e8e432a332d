"""Results of desk-thread jobs handed back to the GUI thread through a queued signal (no asyncio needed)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")


class GuiCall(QObject):
    """Lives on the GUI thread; `when_done` runs a handler there once a future finishes anywhere."""

    _posted = Signal(object)
    """A finished job's handler, posted from the thread that finished it (carries a callable)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._on_self_posted)

    def when_done(
        self,
        future: concurrent.futures.Future[T],
        on_result: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        # The callback runs on the worker thread; emitting a signal is the one thing it may do there.
        future.add_done_callback(lambda done: self._posted.emit(partial(_settle, done, on_result, on_error)))

    def _on_self_posted(self, handler: Callable[[], None]) -> None:
        handler()


def _settle(
    future: concurrent.futures.Future[T],
    on_result: Callable[[T], None],
    on_error: Callable[[BaseException], None],
) -> None:
    error = future.exception()
    if error is not None:
        on_error(error)
    else:
        on_result(future.result())
