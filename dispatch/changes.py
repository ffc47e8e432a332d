"""What changed in the closed loop: one immutable value, published at most once a beat and once a command.

Panels and controllers subscribe to it instead of polling the store on timers of their own; each decides
from the value whether it has anything to redraw (which cases, which kinds of change, from where).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Origin(enum.StrEnum):
    """Where a change came from."""

    CONSOLE = "console"  # a command given at this console
    LOOP = "loop"  # this console's beat: events became cases, units' reports, cards, alarms
    ELSEWHERE = "elsewhere"  # another process on the same store, seen through SQLite's data_version


@dataclass(frozen=True, slots=True)
class CasesChanged:
    """Cases that changed since the last value: their ids, the audit actions that changed them, where
    from, and the audit watermark after them (every change to a case writes one audit row)."""

    mark: int
    cases: frozenset[int] = frozenset()
    actions: frozenset[str] = frozenset()
    origins: frozenset[Origin] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.cases)

    def touches(self, case_id: int | None) -> bool:
        return case_id is not None and case_id in self.cases

    def merged(self, later: CasesChanged) -> CasesChanged:
        """This value and a later one as one (the later watermark wins)."""
        return CasesChanged(
            max(self.mark, later.mark),
            self.cases | later.cases,
            self.actions | later.actions,
            self.origins | later.origins,
        )

    @classmethod
    def from_rows(cls, mark: int, rows: Iterable[tuple[int, int, str]], origin: Origin) -> CasesChanged:
        """From audit rows (id, case id, action) newer than `mark`, all from one origin."""
        cases: set[int] = set()
        actions: set[str] = set()
        for row_id, case_id, action in rows:
            mark = max(mark, row_id)
            cases.add(case_id)
            actions.add(action)
        return cls(mark, frozenset(cases), frozenset(actions), frozenset({origin}) if cases else frozenset())
