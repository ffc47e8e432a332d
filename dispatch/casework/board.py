"""The supervision board's values (督办): cases by card level and time to deadline; the 督办 command."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from dispatch.casework.machine import RULES
from dispatch.casework.model import Action, Actor, Card, CaseState, Command, Role


class BoardGroup(enum.StrEnum):
    """A column of the board. Manual: raised by hand (督办) above what the timers say."""

    RED_CARD = "red_card"
    YELLOW_CARD = "yellow_card"
    MANUAL = "manual"
    YELLOW_LIGHT = "yellow_light"


GROUP_ORDER = (BoardGroup.RED_CARD, BoardGroup.YELLOW_CARD, BoardGroup.MANUAL, BoardGroup.YELLOW_LIGHT)
# Cards a supervisor raises by hand (effects: supervise takes 2 or 3).
MANUAL_CARDS = (Card.YELLOW_CARD, Card.RED_CARD)


@dataclass(frozen=True, slots=True)
class BoardCase:
    """One case on the board. `remaining_s` is to the handling deadline (negative: overdue), frozen
    while the case is parked."""

    id: int
    version: int
    code: str
    state: CaseState
    title: str
    category: str
    severity: int
    district: str
    unit: str
    group: BoardGroup
    card: Card
    manual_card: Card
    handle_due: float | None
    remaining_s: float | None
    parked: bool


@dataclass(frozen=True, slots=True)
class Board:
    """The board at `as_of`: at most `limit` cases per group, and how many each group really holds."""

    as_of: float
    cases: tuple[BoardCase, ...]
    counts: dict[BoardGroup, int]

    def group(self, group: BoardGroup) -> tuple[BoardCase, ...]:
        return tuple(c for c in self.cases if c.group is group)


def may_supervise(role: Role) -> bool:
    """Whether `role` may raise a 督办 card (the state machine's rule, not a UI guess)."""
    return role in RULES[Action.SUPERVISE].roles


class CaseRef(Protocol):
    """A case as a screen showed it: enough to name it and to act on that version (a BoardCase, a Case)."""

    @property
    def id(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...


def supervise_command(case: CaseRef, actor: Actor, card: Card, note: str) -> Command:
    """The 督办 command for a case as the board showed it (its version guards against stale views)."""
    if card not in MANUAL_CARDS:
        raise ValueError(f"督办 raises a yellow or red card, not {card!r}")
    return Command(case.id, case.version, Action.SUPERVISE, actor, reason=note, payload={"card": int(card)})
