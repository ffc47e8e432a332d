"""Drives the supervision board: reads it on the desk thread while visible, carries out 督办 for the actor."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from app.shell.change_bus import ChangeBus
from app.shell.gui_call import GuiCall
from app.shift.session import Session
from dispatch.casework.board import Board, may_supervise, supervise_command
from dispatch.casework.model import Actor, Applied, Refusal, Refused
from dispatch.casework.records.supervision import supervision_board
from dispatch.changes import CasesChanged
from dispatch.service import ClosedLoop, LoopContext
from widgets.common.style import fill
from widgets.shift.shift_words import ShiftWords
from widgets.shift.supervision_board import SuperviseRequest, SupervisionBoard

log = logging.getLogger(__name__)

# Time alone moves a case into 黄灯 (no audit row is written for a light, so no change is published): the
# board is read again this often while in view. Every card, 督办 and state change arrives by the bus.
REGROUP_MS = 30_000
TICK_MS = 1000


class SupervisionControl(QObject):
    """Owns the board's timers and jobs; the board itself only renders and asks."""

    supervised = Signal(object)
    """A 督办 was carried out (carries the Applied), so other views of the case can refresh."""

    def __init__(
        self,
        board: SupervisionBoard,
        loop: ClosedLoop,
        bus: ChangeBus,
        session: Session,
        words: ShiftWords,
        *,
        exercise: bool = False,
        regroup_ms: int = REGROUP_MS,
    ) -> None:
        super().__init__(board)
        self.board = board
        self._loop = loop
        self._session = session
        self._words = words
        self._exercise = exercise
        self._gui = GuiCall(self)
        self._reading = False
        self._stale = True
        bus.changed.connect(self._on_bus_changed)
        self._regroup = QTimer(self)
        self._regroup.setInterval(regroup_ms)
        self._regroup.timeout.connect(self._on_regroup_timeout)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick_timeout)
        board.supervise_requested.connect(self._on_board_supervise_requested)
        session.actor_changed.connect(self._on_session_actor_changed)
        session.lock_changed.connect(self._on_session_lock_changed)
        self._on_session_actor_changed(session.actor)

    def start(self) -> None:
        self._regroup.start()
        self._tick.start()
        self.refresh()

    def stop(self) -> None:
        self._regroup.stop()
        self._tick.stop()

    def refresh(self) -> None:
        """Read the board again (one read at a time; a hidden board or a locked console is not read, but
        is read as soon as it is in view again)."""
        if self._reading or self._session.locked or not self.board.isVisible():
            return
        self._reading = True
        self._stale = False
        exercise = self._exercise
        self._gui.when_done(
            self._loop.query(lambda ctx: _read_board(ctx, exercise)),
            self._on_board_read,
            self._on_board_read_failed,
        )

    def _on_board_read(self, board: Board) -> None:
        self._reading = False
        self.board.show_board(board)

    def _on_board_read_failed(self, error: BaseException) -> None:
        self._reading = False
        log.error("reading the supervision board failed: %s", error)

    def _on_bus_changed(self, changes: CasesChanged) -> None:
        self._stale = True
        self.refresh()

    def _on_regroup_timeout(self) -> None:
        self._stale = True
        self.refresh()

    def _on_tick_timeout(self) -> None:
        if self.board.isVisible():
            self.board.show_time(self._loop.clock.now())
            if self._stale:
                self.refresh()

    def _on_session_lock_changed(self, locked: bool) -> None:
        if not locked:
            self.refresh()

    def _on_session_actor_changed(self, actor: Actor | None) -> None:
        self.board.set_can_supervise(actor is not None and may_supervise(actor.role))

    def _on_board_supervise_requested(self, request: SuperviseRequest) -> None:
        actor = self._session.actor
        if actor is None or not may_supervise(actor.role):
            self.board.show_outcome(self.tr("Your role cannot raise supervision cards."), ok=False)
            return
        command = supervise_command(request.case, actor, request.card, request.note)
        self._gui.when_done(
            self._loop.act(command),
            self._on_supervise_applied,
            self._on_supervise_failed,
        )

    def _on_supervise_applied(self, applied: Applied) -> None:
        self.board.show_outcome(
            fill(
                self.tr("%1 raised on %2."),
                self._words.card(applied.case.manual_card),
                applied.case.code,
            ),
            ok=True,
        )
        # The board reads the card back when the change bus brings it.
        self.supervised.emit(applied)

    def _on_supervise_failed(self, error: BaseException) -> None:
        if isinstance(error, Refused):
            self.board.show_outcome(self.refusal(error), ok=False)
        else:
            log.error("督办 failed: %s", error)
            self.board.show_outcome(fill(self.tr("The card could not be raised: %1"), error), ok=False)
        # Whatever the reason, the board was out of date or wrong: read it again.
        self.refresh()

    def refusal(self, refused: Refused) -> str:
        """A desk refusal in the operator's words."""
        code = refused.current.code if refused.current is not None else ""
        if refused.code is Refusal.STALE:
            by = refused.by
            who = fill(self.tr("%1 (%2)"), by.actor, self._words.role(by.role)) if by else self.tr("someone")
            return fill(self.tr("%1 was changed by %2 since the board showed it; check it again."), code, who)
        if refused.code is Refusal.ILLEGAL:
            return fill(self.tr("%1 is no longer open."), code)
        if refused.code is Refusal.FORBIDDEN:
            return self.tr("Your role cannot raise supervision cards.")
        if refused.code is Refusal.REASON_REQUIRED:
            return self.tr("Write a note: the unit reads it with the card.")
        return fill(self.tr("Refused: %1"), refused.detail)


def _read_board(ctx: LoopContext, exercise: bool) -> Board:
    return supervision_board(ctx.desk.conn, ctx.clock.now(), exercise=exercise)
