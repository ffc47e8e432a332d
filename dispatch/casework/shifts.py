"""Shifts and handovers as values: when a shift runs, what a handover holds, why one was refused."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.casework.checkpoint_stamp import Checkpoint
from dispatch.casework.model import Card, CaseState, Role


@dataclass(frozen=True, slots=True)
class ShiftPattern:
    """When shifts start, in minutes after local midnight, ascending; each runs until the next starts."""

    starts_min: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.starts_min or list(self.starts_min) != sorted(set(self.starts_min)):
            raise ValueError("shift starts must be distinct and ascending")
        if not all(0 <= m < 24 * 60 for m in self.starts_min):
            raise ValueError("shift starts must fall within a day")


# The policy-free default: a day shift 08:00–20:00 and a night shift 20:00–08:00.
DEFAULT_SHIFTS = ShiftPattern((8 * 60, 20 * 60))
# Who writes the handover note and who signs for it on the next shift.
HANDOVER_ROLES = frozenset({Role.SHIFT_LEAD})


@dataclass(frozen=True, slots=True)
class Shift:
    """One shift as absolute UTC instants; `index` says which start of the pattern it is (0: day)."""

    start: float
    end: float
    index: int


def current_shift(now: float, tz: str | dt.tzinfo, pattern: ShiftPattern = DEFAULT_SHIFTS) -> Shift:
    """The shift running at `now` in the time zone `tz` (local days, so DST shortens or lengthens one)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    today = dt.datetime.fromtimestamp(now, zone).date()
    starts = sorted(
        (dt.datetime.combine(today + dt.timedelta(days=days), dt.time(m // 60, m % 60), zone).timestamp(), i)
        for days in (-1, 0, 1)
        for i, m in enumerate(pattern.starts_min)
    )
    for (start, index), (end, _) in itertools.pairwise(starts):
        if start <= now < end:
            return Shift(start, end, index)
    raise AssertionError("a shift always runs within the day before and after")


def shift_to_hand_over(now: float, tz: str | dt.tzinfo, pattern: ShiftPattern = DEFAULT_SHIFTS) -> Shift:
    """The shift a handover written at `now` closes: the one whose end is nearest.

    A lead writes shortly before the change or, when the change was busy, shortly after it.
    """
    running = current_shift(now, tz, pattern)
    previous = current_shift(running.start - 1, tz, pattern)
    return previous if now - previous.end < running.end - now else running


class HandoverProblem(enum.StrEnum):
    """Why a handover operation was refused; widgets turn these into words."""

    FORBIDDEN = "forbidden"
    NOTE_REQUIRED = "note_required"
    ALREADY_WRITTEN = "already_written"
    UNKNOWN_HANDOVER = "unknown_handover"
    ALREADY_RECEIVED = "already_received"
    OWN_HANDOVER = "own_handover"


class HandoverError(Exception):
    def __init__(self, code: HandoverProblem, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class HandoverCase:
    """An open case as the outgoing shift left it; `deadline` is the next one its state runs against."""

    id: int
    code: str
    state: CaseState
    card: Card
    deadline: float | None
    unit: str
    title: str
    category: str
    parked: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "code": self.code, "state": self.state.value, "card": int(self.card),
            "deadline": self.deadline, "unit": self.unit, "title": self.title, "category": self.category,
            "parked": self.parked,
        }  # fmt: skip

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> HandoverCase:
        return cls(
            int(item["id"]), str(item["code"]), CaseState(item["state"]), Card(item["card"]),
            None if item["deadline"] is None else float(item["deadline"]), str(item["unit"]),
            str(item["title"]), str(item["category"]), bool(item["parked"]),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Handover:
    """One stored handover, with the names of the people as the operators table knows them."""

    id: int
    shift_start: float
    shift_end: float
    author: str
    author_name: str
    note: str
    open_cases: tuple[HandoverCase, ...]
    created_at: float
    received_by: str | None = None
    received_by_name: str | None = None
    received_at: float | None = None
    checkpoint: Checkpoint | None = None  # the audit checkpoint signed with it, for the printed report

    @property
    def received(self) -> bool:
        return self.received_by is not None
