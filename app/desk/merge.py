"""Merge and split on the duty desk: both cases shown side by side, the command sent once confirmed."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject

from dispatch.casework.model import Action, Actor, Case, CaseState, Command, Refusal
from dispatch.casework.records.cases import load_case
from dispatch.service import LoopContext
from widgets.desk.duty_desk import DutyDesk
from widgets.desk.merge_dialog import MergeDialog, MergeQuestion

Submit = Callable[[Callable[[LoopContext], Any], Callable[[Any], None]], None]


def merge_pair(absorbed_id: int, master_id: int, ctx: LoopContext) -> tuple[Case, Case] | None:
    """Both cases of a merge (or split) as they are now, for the confirmation; None when either is gone."""
    absorbed, master = load_case(ctx.desk.conn, absorbed_id), load_case(ctx.desk.conn, master_id)
    return None if absorbed is None or master is None else (absorbed, master)


class MergeControl(QObject):
    """Owns the merge dialog; `submit` runs a job on the desk thread, `send` carries out a command for the
    officer `actor` names (None: nobody signed in, nothing is sent)."""

    def __init__(
        self, desk: DutyDesk, submit: Submit, send: Callable[[Command, str], None],
        actor: Callable[[], Actor | None],
    ) -> None:  # fmt: skip
        super().__init__(desk)
        self.desk = desk
        self.dialog = MergeDialog(desk.words, desk.vocabulary, desk)
        self._submit = submit
        self._send = send
        self._actor = actor
        self.dialog.merge_confirmed.connect(self._on_dialog_merge_confirmed)
        self.dialog.finished.connect(self._on_dialog_finished)

    def ask(self, action: Action, absorbed_id: int, master_id: int, back_to: CaseState | None = None) -> None:
        """Read both cases as they are now and show them side by side; nothing changes until confirmed."""

        def show(pair: tuple[Case, Case] | None) -> None:
            if pair is None:
                self.desk.show_notice(
                    self.desk.words.refusal(Refusal.UNKNOWN_CASE, action, "", None, ""), "error"
                )
                return
            self.dialog.ask(MergeQuestion(action, pair[0], pair[1], back_to))

        self._submit(partial(merge_pair, absorbed_id, master_id), show)

    def _on_dialog_finished(self, _: int) -> None:
        # As after the desk's other dialogs: the keys go back to the queue.
        self.desk.activateWindow()
        self.desk.queue.focus_table()

    def _on_dialog_merge_confirmed(self, question: MergeQuestion) -> None:
        actor = self._actor()
        if actor is None:
            return
        absorbed, master = question.absorbed, question.master
        payload: dict[str, object] = {"master_id": master.id}
        if question.action is Action.SPLIT:
            # The master as the officer saw it: a change since refuses the split (stale) rather than undo it.
            payload["master_version"] = master.version
        self._send(
            Command(absorbed.id, absorbed.version, question.action, actor, payload=payload), master.code
        )
