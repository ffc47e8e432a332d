"""The case panel's actions: which the officer is offered for a case, the request they make, and the bar of
buttons (with their keys) that offers them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QToolButton, QWidget

from dispatch.casework.machine import RULES, allowed_actions
from dispatch.casework.model import Action, Case, Role
from dispatch.casework.readouts import SEVERE_MAX, MergeProposal, SplitOffer
from widgets.desk.case_words import ACTION_KEYS, DESK_ACTIONS, CaseWords

BUTTON_COLUMNS = 3
FROM_CENTRE = "centre:"  # the source of a case that came up from a district (dispatch/seats/transfers.py)
_EXTENSION = frozenset({Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION})


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """An officer asked for an action on the version of a case the panel showed."""

    action: Action
    case_id: int
    version: int
    proposal: MergeProposal | None = None
    split: SplitOffer | None = None


def desk_actions(
    case: Case,
    role: Role | None,
    proposals: tuple[MergeProposal, ...] = (),
    splits: tuple[SplitOffer, ...] = (),
    clearing: bool = False,
    escalate_to: str | None = None,
) -> tuple[Action, ...]:
    """The actions the panel offers: what the role may do in the case's state, less what cannot apply now;
    a split on the merged case and on its master alike, while the desk would carry it out; keeping a case
    open against 自动消警 only while it is proposed (`clearing`); 上报 only on a seat of a centre with one
    above it (`escalate_to`), 下派 only on a case that came up from a district."""
    if role is None:
        return ()
    offered: list[Action] = []
    for action in allowed_actions(case, role):
        if action not in DESK_ACTIONS or action is Action.SPLIT:
            continue
        if action is Action.PARK and (case.parked_since is not None or case.handle_due is None):
            continue
        if action is Action.UNPARK and case.parked_since is None:
            continue
        if action in _EXTENSION and not case.extension_pending:
            continue
        if action is Action.REQUEST_EXTENSION and (case.extension_pending or case.handle_due is None):
            continue
        if action is Action.ACKNOWLEDGE and (case.acknowledged or case.severity > SEVERE_MAX):
            continue
        if action is Action.MERGE and not any(p.possible for p in proposals):
            continue
        if action is Action.DISMISS_CLEARING and not clearing:
            continue
        if action is Action.ESCALATE and escalate_to is None:
            continue
        if action is Action.HAND_DOWN and not case.source.startswith(FROM_CENTRE):
            continue
        offered.append(action)
    if splits and role in RULES[Action.SPLIT].roles:
        offered.append(Action.SPLIT)
    return tuple(offered)


class ActionBar(QFrame):
    """The case's action buttons, as many to a row as the panel is wide enough for (up to three); each with
    its key, which works anywhere in `owner` (the panel)."""

    def __init__(self, words: CaseWords, owner: QWidget, request: Callable[[Action], None]) -> None:
        super().__init__(owner)
        self.setObjectName("caseActions")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 4, 0, 4)
        self._grid.setColumnStretch(BUTTON_COLUMNS, 1)
        self.columns = BUTTON_COLUMNS
        self.no_actions = QLabel(self.tr("Your role has no actions on this case."), self)
        self.no_actions.setObjectName("caseNoActions")
        self.actions_by_kind: dict[Action, QAction] = {}
        self.buttons: dict[Action, QToolButton] = {}
        for action in DESK_ACTIONS:
            act = QAction(words.action_with_key(action), owner)
            act.setObjectName(f"case_{action.value}")
            act.setToolTip(words.action_with_key(action))
            # The banner's A key acknowledges whatever it names; the button here acknowledges this case.
            if action is not Action.ACKNOWLEDGE:
                act.setShortcut(QKeySequence(ACTION_KEYS[action]))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setEnabled(False)
            act.triggered.connect(lambda _=False, a=action: request(a))
            owner.addAction(act)
            button = QToolButton(self)
            button.setObjectName("caseActionButton")
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.hide()
            self.actions_by_kind[action] = act
            self.buttons[action] = button

    def show_actions(self, offered: tuple[Action, ...], role: Role | None, has_case: bool, room: int) -> None:
        """Show the `offered` actions in rows that fit `room` pixels (the no-actions line if none)."""
        while self._grid.count():
            self._grid.takeAt(0)
        for action, act in self.actions_by_kind.items():
            act.setEnabled(action in offered)
            self.buttons[action].setVisible(action in offered)
        self.columns = columns = self.columns_for(offered, room)
        for index, action in enumerate(offered):
            self._grid.addWidget(self.buttons[action], index // columns, index % columns)
        # The wall's viewer (and nobody signed in) acts on nothing: no bar at all, not a bar of refusals.
        self.setVisible(role not in (None, Role.VIEWER))
        self.no_actions.setVisible(has_case and not offered)
        if not offered:
            self._grid.addWidget(self.no_actions, 0, 0, 1, BUTTON_COLUMNS)

    def widest(self, offered: tuple[Action, ...]) -> int:
        return max((self.buttons[action].sizeHint().width() for action in offered), default=0)

    def columns_for(self, offered: tuple[Action, ...], room: int) -> int:
        """As many buttons to a row as `room` is wide enough for, up to BUTTON_COLUMNS."""
        spacing = max(0, self._grid.horizontalSpacing())
        return max(1, min(BUTTON_COLUMNS, (room + spacing) // max(1, self.widest(offered) + spacing)))
