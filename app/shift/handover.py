"""Drives the handover panel: the shift to hand over, storing and receiving handovers, the PDF."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, QTimer
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QFileDialog, QWidget

from app.shell.change_bus import ChangeBus
from app.shell.gui_call import GuiCall
from app.shift.session import Session
from dispatch.casework.model import Actor
from dispatch.casework.records.handover import count_open_cases, recent_handovers
from dispatch.casework.shifts import (
    DEFAULT_SHIFTS,
    Handover,
    HandoverError,
    HandoverProblem,
    Shift,
    ShiftPattern,
    shift_to_hand_over,
)
from dispatch.service import ClosedLoop, LoopContext
from widgets.common.style import fill
from widgets.shift.handover_panel import HandoverPanel, HandoverReport

log = logging.getLogger(__name__)

# The shift to hand over turns with the clock, and other consoles write their notes: read again this
# often while in view. The open cases it counts follow the change bus.
REFRESH_MS = 60_000
HISTORY = 20
AskPath = Callable[[QWidget, str], Path | None]


@dataclass(frozen=True, slots=True)
class HandoverView:
    """What the panel shows, read in one job."""

    shift: Shift
    open_count: int
    handovers: tuple[Handover, ...]


def ask_pdf_path(parent: QWidget, suggested: str) -> Path | None:
    title = QCoreApplication.translate("HandoverControl", "Export handover")
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, "PDF (*.pdf)")
    return Path(name) if name else None


def write_pdf(html: str, path: Path, title: str) -> None:
    """Print `html` to an A4 PDF at `path` (on the GUI thread: text layout uses the application fonts)."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Tianshu")
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(f"could not write {path}")


class HandoverControl(QObject):
    """Owns the panel's jobs; shifts are counted in the policy's time zone."""

    def __init__(
        self,
        panel: HandoverPanel,
        report: HandoverReport,
        loop: ClosedLoop,
        bus: ChangeBus,
        session: Session,
        *,
        tz: str,
        pattern: ShiftPattern = DEFAULT_SHIFTS,
        exercise: bool = False,
        ask_path: AskPath = ask_pdf_path,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self._report = report
        self._loop = loop
        self._session = session
        self._tz = tz
        self._pattern = pattern
        self._exercise = exercise
        self._ask_path = ask_path
        self._gui = GuiCall(self)
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        # The open cases it counts change with the cases; the shift and other consoles' notes with time.
        bus.changed.connect(self._on_bus_changed)
        panel.handover_submitted.connect(self._on_panel_handover_submitted)
        panel.receipt_confirmed.connect(self._on_panel_receipt_confirmed)
        panel.export_requested.connect(self._on_panel_export_requested)
        session.actor_changed.connect(self._on_session_actor_changed)
        session.lock_changed.connect(self._on_session_lock_changed)
        panel.set_actor(session.actor)

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self) -> None:
        """Read the shift and the recent handovers (not while the console is locked: nobody sees them)."""
        if self._session.locked:
            return
        tz, pattern, exercise = self._tz, self._pattern, self._exercise

        def read(ctx: LoopContext) -> HandoverView:
            conn = ctx.desk.conn
            shift = shift_to_hand_over(ctx.clock.now(), tz, pattern)
            return HandoverView(
                shift, count_open_cases(conn, exercise=exercise), tuple(recent_handovers(conn, HISTORY))
            )

        self._gui.when_done(self._loop.query(read), self._on_view_read, self._on_failed)

    def _on_bus_changed(self, _: object) -> None:
        if self.panel.isVisible():
            self.refresh()

    def _on_view_read(self, view: HandoverView) -> None:
        self.panel.show_shift(view.shift, view.open_count)
        self.panel.show_handovers(view.handovers)

    def _on_session_lock_changed(self, locked: bool) -> None:
        if not locked:
            self.refresh()

    def _on_session_actor_changed(self, actor: Actor | None) -> None:
        self.panel.set_actor(actor)

    def _on_panel_handover_submitted(self, note: str) -> None:
        actor = self._session.actor
        if actor is None:
            return
        shift = shift_to_hand_over(self._loop.clock.now(), self._tz, self._pattern)
        written = self._loop.hand_over(shift, actor, note, exercise=self._exercise)
        self._gui.when_done(written, self._on_written, self._on_failed)

    def _on_written(self, handover: Handover) -> None:
        self.panel.clear_note()
        self.panel.show_outcome(
            fill(self.tr("Handed over with %1 open cases."), len(handover.open_cases)), ok=True
        )
        self.refresh()

    def _on_panel_receipt_confirmed(self, handover_id: int) -> None:
        actor = self._session.actor
        if actor is None:
            return

        received = self._loop.receive_handover(handover_id, actor)
        self._gui.when_done(received, self._on_received, self._on_failed)

    def _on_received(self, handover: Handover) -> None:
        self.panel.show_outcome(
            fill(self.tr("Receipt of %1's handover recorded."), handover.author_name), ok=True
        )
        self.refresh()

    def _on_panel_export_requested(self, handover_id: int) -> None:
        handover = self.panel.current()
        if handover is None or handover.id != handover_id:
            return
        stamp = time.strftime("%Y%m%d-%H%M", time.localtime(handover.shift_start))
        path = self._ask_path(self.panel, f"handover-{stamp}.pdf")
        if path is None:
            return
        try:
            write_pdf(self._report.html(handover), path, self.tr("Shift handover"))
        except OSError as error:
            self.panel.show_outcome(fill(self.tr("The PDF could not be written: %1"), error), ok=False)
            return
        self.panel.show_outcome(fill(self.tr("Saved %1"), path), ok=True)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, HandoverError):
            self.panel.show_outcome(self.problem(error.code), ok=False)
        else:
            log.error("handover job failed: %s", error)
            self.panel.show_outcome(fill(self.tr("The handover could not be saved: %1"), error), ok=False)
        self.refresh()

    def problem(self, code: HandoverProblem) -> str:
        words = {
            HandoverProblem.FORBIDDEN: self.tr("Only a shift lead writes or receives a handover."),
            HandoverProblem.NOTE_REQUIRED: self.tr("Write the handover note first."),
            HandoverProblem.ALREADY_WRITTEN: self.tr("This shift has already been handed over."),
            HandoverProblem.UNKNOWN_HANDOVER: self.tr("That handover no longer exists."),
            HandoverProblem.ALREADY_RECEIVED: self.tr("That handover has already been received."),
            HandoverProblem.OWN_HANDOVER: self.tr(
                "The next shift's lead signs for a handover, not its author."
            ),
        }
        return words[code]
