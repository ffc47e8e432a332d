"""Operator words for the session, the supervision board and the handover: roles, states, cards, times."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from dispatch.casework.board import BoardGroup
from dispatch.casework.model import Card, CaseState, Role
from widgets.common.style import fill

MINUTE = 60
HOUR = 3600
DAY = 86400


class ShiftWords(QObject):
    """Built once after the translator is installed, so each lookup is a dict hit."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roles = {
            Role.INTAKE: self.tr("Intake operator"),
            Role.SHIFT_LEAD: self.tr("Shift lead"),
            Role.DISPATCHER: self.tr("Dispatcher"),
            Role.SUPERVISOR: self.tr("Field supervisor"),
            Role.UNIT: self.tr("Responsible unit"),
            Role.SUPERVISION: self.tr("Supervision"),
            Role.VIEWER: self.tr("Wall viewer"),
            Role.SYSTEM: self.tr("System"),
        }
        self._states = {
            CaseState.DISCOVERED: self.tr("Discovered"),
            CaseState.VERIFYING: self.tr("Verifying"),
            CaseState.REGISTERED: self.tr("Registered"),
            CaseState.VOID: self.tr("Void"),
            CaseState.MERGED: self.tr("Merged"),
            CaseState.DISPATCHED: self.tr("Dispatched"),
            CaseState.SIGNED: self.tr("Signed"),
            CaseState.RETURN_REQUESTED: self.tr("Return requested"),
            CaseState.IN_PROGRESS: self.tr("In progress"),
            CaseState.HANDLED: self.tr("Handled"),
            CaseState.CHECKING: self.tr("Checking"),
            CaseState.REWORK: self.tr("Rework"),
            CaseState.CLOSED: self.tr("Closed"),
            CaseState.EVALUATED: self.tr("Evaluated"),
            CaseState.ARCHIVED: self.tr("Archived"),
            CaseState.ESCALATED: self.tr("Escalated"),
            CaseState.HANDED_DOWN: self.tr("Handed down"),
        }
        self._cards = {
            Card.NONE: "",
            Card.YELLOW_LIGHT: self.tr("Yellow light"),
            Card.YELLOW_CARD: self.tr("Yellow card"),
            Card.RED_CARD: self.tr("Red card"),
        }
        self._groups = {
            BoardGroup.RED_CARD: self.tr("Red card"),
            BoardGroup.YELLOW_CARD: self.tr("Yellow card"),
            BoardGroup.MANUAL: self.tr("Raised by hand"),
            BoardGroup.YELLOW_LIGHT: self.tr("Yellow light"),
        }
        self._days = self.tr("%1 d %2 h")
        self._hours = self.tr("%1 h %2 min")
        self._minutes = self.tr("%1 min")
        self._overdue = self.tr("Overdue %1")
        self._left = self.tr("%1 left")
        self._parked = self.tr("Parked · %1")
        self.no_deadline = self.tr("No deadline")

    def role(self, role: Role) -> str:
        return self._roles[role]

    def state(self, state: CaseState) -> str:
        return self._states[state]

    def card(self, card: Card) -> str:
        return self._cards[card]

    def group(self, group: BoardGroup) -> str:
        return self._groups[group]

    def duration(self, seconds: float) -> str:
        """A length of time at the precision an operator acts on: minutes, hours and minutes, days."""
        whole = int(abs(seconds)) // MINUTE * MINUTE
        if whole >= DAY:
            return fill(self._days, whole // DAY, whole % DAY // HOUR)
        if whole >= HOUR:
            return fill(self._hours, whole // HOUR, f"{whole % HOUR // MINUTE:02d}")
        return fill(self._minutes, whole // MINUTE)

    def time_left(self, remaining_s: float | None, *, parked: bool = False) -> str:
        """'Overdue 1 h 02 min' or '35 min left'; a parked clock says so."""
        if remaining_s is None:
            return self.no_deadline
        text = (
            fill(self._overdue, self.duration(remaining_s))
            if remaining_s < 0
            else fill(self._left, self.duration(remaining_s))
        )
        return fill(self._parked, text) if parked else text

    def shift_span(self, start: float, end: float) -> str:
        """'2026-01-05 08:00–20:00' in local time; the end's date only when it differs from the start's."""
        first, last = time.localtime(start), time.localtime(end)
        tail = time.strftime("%H:%M" if first[:3] == last[:3] else "%m-%d %H:%M", last)
        return f"{time.strftime('%Y-%m-%d %H:%M', first)}–{tail}"


def local_time(t: float | None, pattern: str = "%m-%d %H:%M") -> str:
    return "—" if t is None else time.strftime(pattern, time.localtime(t))
