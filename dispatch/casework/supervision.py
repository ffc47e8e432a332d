"""The supervision board's query (督办): open cases by card level, read from their timer marks."""

from __future__ import annotations

import sqlite3

from dispatch.casework.board import GROUP_ORDER, Board, BoardCase, BoardGroup
from dispatch.casework.model import HANDLING_STATES, Card, CaseState

_HANDLING = ", ".join(f"'{state.value}'" for state in sorted(HANDLING_STATES))
# The level the timers give, as Timers.card does: a running handling clock is read at `now`, a parked one
# at its parking instant, and a stopped one (before dispatch, handled, checking) keeps its stored card.
_TIMED = f"""CASE
    WHEN state NOT IN ({_HANDLING}) OR light_at IS NULL
        THEN (CASE WHEN card > manual_card THEN card ELSE 0 END)
    WHEN coalesce(parked_since, :now) > red_at THEN 3
    WHEN coalesce(parked_since, :now) > yellow_at THEN 2
    WHEN coalesce(parked_since, :now) >= light_at THEN 1
    ELSE 0 END"""
# The level a case shows at :now, manual 督办 included (what the board and a handover call its card).
CARD_LEVEL_SQL = f"max(manual_card, {_TIMED})"

_QUERY = f"""
WITH flagged AS (
    SELECT id, version, code, state, title, category, severity, district, unit, manual_card, handle_due,
           parked_since, handle_remaining_s, {_TIMED} AS timed
    FROM cases
    WHERE is_open = 1 AND exercise = :exercise
      AND ((light_at IS NOT NULL AND light_at <= :now) OR card > 0 OR manual_card > 0)
), grouped AS (
    SELECT *,
        CASE WHEN manual_card > timed THEN 'manual'
             WHEN timed = 3 THEN 'red_card' WHEN timed = 2 THEN 'yellow_card' ELSE 'yellow_light' END AS grp,
        CASE WHEN manual_card > timed THEN manual_card ELSE timed END AS level
    FROM flagged WHERE timed > 0 OR manual_card > 0
), ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY grp ORDER BY handle_due IS NULL, handle_due, id) AS place,
        count(*) OVER (PARTITION BY grp) AS total
    FROM grouped
)
SELECT id, version, code, state, title, category, severity, district, unit, grp, level, manual_card,
       handle_due, parked_since, handle_remaining_s, total
FROM ranked WHERE place <= :limit ORDER BY grp, place
"""


def supervision_board(
    conn: sqlite3.Connection, now: float, *, exercise: bool = False, limit: int = 200
) -> Board:
    """Open cases with a light or card at `now`, computed from their timer marks (not the last sweep)."""
    rows = conn.execute(_QUERY, {"now": now, "exercise": int(exercise), "limit": limit}).fetchall()
    cases: list[BoardCase] = []
    counts = dict.fromkeys(GROUP_ORDER, 0)
    for (
        case_id, version, code, state, title, category, severity, district, unit, grp, level, manual,
        handle_due, parked_since, remaining, total,
    ) in rows:  # fmt: skip
        group = BoardGroup(grp)
        counts[group] = int(total)
        parked = parked_since is not None
        left = remaining if parked else None if handle_due is None else handle_due - now
        case = BoardCase(
            int(case_id), int(version), str(code), CaseState(state), str(title), str(category),
            int(severity), str(district), str(unit), group, Card(level), Card(manual), handle_due,
            left, parked,
        )  # fmt: skip
        cases.append(case)
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    cases.sort(key=lambda c: order[c.group])
    return Board(now, tuple(cases), counts)
