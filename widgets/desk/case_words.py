"""Operator words for the duty desk: actions and their keys, refusals, countdowns, queue filters."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from dispatch.casework.model import Action, AuditRow, CaseState, Refusal
from widgets.common.style import fill
from widgets.shift.shift_words import ShiftWords

A = Action
# One key per action an officer takes from the desk; J/K, N and the brackets stay free for moving around.
ACTION_KEYS: dict[Action, str] = {
    A.ACKNOWLEDGE: "A",
    A.REQUEST_VERIFY: "Q",
    A.CONFIRM: "Y",
    A.REGISTER: "R",
    A.VOID: "V",
    # Beside V, which confirms a 自动消警 proposal: Z keeps the case open instead.
    A.DISMISS_CLEARING: "Z",
    A.MERGE: "M",
    A.SPLIT: "Shift+M",
    A.DISPATCH: "D",
    A.SIGN: "G",
    A.PROGRESS: "W",
    A.REQUEST_RETURN: "B",
    A.APPROVE_RETURN: "O",
    A.REJECT_RETURN: "Shift+O",
    A.REQUEST_EXTENSION: "X",
    A.APPROVE_EXTENSION: "E",
    A.REJECT_EXTENSION: "Shift+E",
    A.PARK: "P",
    A.UNPARK: "U",
    A.HANDLE: "H",
    A.SELF_HANDLE: "L",
    A.START_CHECK: "T",
    A.FAIL_CHECK: "F",
    A.CLOSE: "C",
    A.EVALUATE: "I",
    A.REOPEN: "Shift+R",
    A.ARCHIVE: "Shift+C",
    A.SUPERVISE: "S",
    A.ESCALATE: "Shift+U",  # up
    A.HAND_DOWN: "Shift+D",  # down
}
DESK_ACTIONS = tuple(ACTION_KEYS)


class CaseWords(QObject):
    """Built once after the translator is installed; the shared role, state and card names come from
    ShiftWords so the whole cockpit calls them the same."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shift = ShiftWords(self)
        self._actions = {
            A.DISCOVER: self.tr("Discovered"),
            A.REQUEST_VERIFY: self.tr("Send to verification"),
            A.CONFIRM: self.tr("Confirm report"),
            A.REGISTER: self.tr("Register"),
            A.VOID: self.tr("Void"),
            A.MERGE: self.tr("Merge duplicate"),
            A.SPLIT: self.tr("Split merged case"),
            A.DISPATCH: self.tr("Dispatch"),
            A.SIGN: self.tr("Signed for (by phone)"),
            A.PROGRESS: self.tr("Work started"),
            A.REQUEST_RETURN: self.tr("Unit asks to return"),
            A.APPROVE_RETURN: self.tr("Approve return"),
            A.REJECT_RETURN: self.tr("Reject return"),
            A.REQUEST_EXTENSION: self.tr("Ask for extension"),
            A.APPROVE_EXTENSION: self.tr("Approve extension"),
            A.REJECT_EXTENSION: self.tr("Reject extension"),
            A.PARK: self.tr("Park (pause clock)"),
            A.UNPARK: self.tr("Resume clock"),
            A.HANDLE: self.tr("Handled (by phone)"),
            A.SELF_HANDLE: self.tr("Fixed on the spot"),
            A.START_CHECK: self.tr("Start check"),
            A.FAIL_CHECK: self.tr("Check failed: rework"),
            A.CLOSE: self.tr("Close"),
            A.EVALUATE: self.tr("Record evaluation"),
            A.REOPEN: self.tr("Reopen"),
            A.ARCHIVE: self.tr("Archive"),
            A.SUPERVISE: self.tr("Supervise (督办)"),
            A.CARD: self.tr("Card raised"),
            A.ACKNOWLEDGE: self.tr("Acknowledge alert"),
            A.ATTACH: self.tr("Evidence attached"),
            A.SOURCE_UPDATE: self.tr("Source updated the report"),
            A.DISMISS_CLEARING: self.tr("Keep open (no 自动消警)"),
            A.ESCALATE: self.tr("Escalate to the city"),
            A.HAND_DOWN: self.tr("Hand down to the district"),
            A.TAKE_BACK: self.tr("Taken back from the city"),
            A.CLOSED_ABOVE: self.tr("Closed by the city"),
        }
        self._done = {
            A.REGISTER: self.tr("%1 registered."),
            A.DISPATCH: self.tr("%1 dispatched to %2."),
            A.MERGE: self.tr("%1 merged into %2."),
            A.SPLIT: self.tr("%1 split off %2 again."),
            A.CLOSE: self.tr("%1 closed."),
            A.VOID: self.tr("%1 voided."),
        }
        self._done_other = self.tr("%1: %2 done.")
        self._refusals = {
            Refusal.UNKNOWN_CASE: self.tr("The case no longer exists."),
            Refusal.ILLEGAL: self.tr("%1 is not possible for a case that is %2."),
            Refusal.FORBIDDEN: self.tr("Your role (%1) may not do this: %2."),
            Refusal.REASON_REQUIRED: self.tr("%1 needs a reason."),
            Refusal.BAD_PAYLOAD: self.tr("%1 is missing something it needs."),
            Refusal.EXERCISE_MIX: self.tr("An exercise case and a real case never merge."),
            Refusal.NOTHING_PENDING: self.tr("%1: nothing is waiting for that."),
            Refusal.SIGNED_OUT: self.tr("You are no longer signed in here, or your account was disabled."),
            Refusal.MOVED_ON: self.tr(
                "%1: the cases have been worked on since the merge; it can no longer be undone."
            ),
        }
        self._stale = self.tr(
            "%1 was changed while you were looking at it: %2 (%3) did “%4” at %5. "
            "The case has been refreshed; check it and try again."
        )
        self._stale_unknown = self.tr("%1 was changed while you were looking at it; it has been refreshed.")
        self._failed = self.tr("The desk could not do this: %1")
        self._left = self.tr("%1 left")
        self._over = self.tr("%1 over")
        self._days = self.tr("%1 d %2")
        self.paused = self.tr("paused")
        self.no_clock = "—"
        self.scopes = (
            (self.tr("Open cases"), "open"),
            (self.tr("Needs triage"), "triage"),
            (self.tr("Registered"), "registered"),
            (self.tr("Being handled"), "handling"),
            (self.tr("Handled and checking"), "checking"),
            (self.tr("Closed"), "finished"),
            (self.tr("Void or merged"), "ended"),
            (self.tr("All, with history"), "all"),
        )
        self.any_category = self.tr("All categories")
        self.any_level = self.tr("All levels")
        self.any_district = self.tr("All districts")
        self.any_source = self.tr("All sources")

    def action(self, action: Action) -> str:
        return self._actions[action]

    def action_with_key(self, action: Action) -> str:
        key = ACTION_KEYS.get(action)
        return f"{self._actions[action]} ({key})" if key else self._actions[action]

    def done(self, action: Action, code: str, detail: str = "") -> str:
        template = self._done.get(action)
        if template is None:
            return fill(self._done_other, code, self._actions[action])
        return fill(template, code, detail)

    def refusal(
        self, code: Refusal, action: Action, case_code: str, state: CaseState | None, role_name: str,
        by: AuditRow | None = None,
    ) -> str:  # fmt: skip
        """What went wrong, in the officer's words; a stale version says who changed the case and how."""
        if code is Refusal.STALE:
            if by is None:
                return fill(self._stale_unknown, case_code)
            at = time.strftime("%H:%M:%S", time.localtime(by.at))
            return fill(
                self._stale, case_code, by.actor, self.shift.role(by.role), self._actions[by.action], at
            )
        template = self._refusals[code]
        if code is Refusal.ILLEGAL:
            return fill(template, self._actions[action], self.shift.state(state) if state else "")
        if code is Refusal.FORBIDDEN:
            return fill(template, role_name, self._actions[action])
        return fill(template, self._actions[action])

    def failed(self, detail: str) -> str:
        return fill(self._failed, detail)

    def clock(self, seconds: float) -> str:
        """A countdown at minute precision: 1:23 (hours:minutes), 2 d 03:10 past a day."""
        whole = int(abs(seconds)) // 60
        days, minutes = divmod(whole, 24 * 60)
        text = f"{minutes // 60}:{minutes % 60:02d}"
        return fill(self._days, days, f"{minutes // 60:02d}:{minutes % 60:02d}") if days else text

    def countdown(self, due: float | None, now: float, *, parked: bool = False) -> str:
        """'1:23 left' or '0:12 over' until a deadline; a parked clock says it is paused."""
        if due is None:
            return self.no_clock
        if parked:
            return self.paused
        remaining = due - now
        return fill(self._left if remaining >= 0 else self._over, self.clock(remaining))
