"""The change bus: the closed loop's `CasesChanged` values, delivered on the GUI thread to every subscriber.

A panel that shows cases subscribes instead of polling the store on a timer of its own:

    bus.changed.connect(self._on_cases_changed)

    def _on_cases_changed(self, changes: CasesChanged) -> None:
        if not self.isVisible():
            self._stale = True          # read again when shown
        elif changes.touches(self._case_id) or Action.REGISTER in changes.actions:
            self._read()                # one query on the loop's thread (loop.query)
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from dispatch.changes import CasesChanged
from dispatch.service import ClosedLoop


class ChangeBus(QObject):
    """Hears the loop on its own thread and says it again on the GUI thread, once per value."""

    changed = Signal(object)
    """Cases changed (carries a dispatch.changes.CasesChanged); emitted on the GUI thread."""

    _arrived = Signal(object)  # from the loop's thread; queued to this object's (the GUI) thread

    def __init__(self, loop: ClosedLoop, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self._deliver)
        self._unsubscribe: Callable[[], None] | None = loop.subscribe(self._arrived.emit)

    def _deliver(self, changes: CasesChanged) -> None:
        self.changed.emit(changes)

    def close(self) -> None:
        """Stop hearing the loop (before it closes); values already on their way are still delivered."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
