"""Supervision (督办): the beat's card sweep, a case at a time, and the board's query of carded cases."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from dispatch.casework.board import GROUP_ORDER, Board, BoardCase, BoardGroup
from dispatch.casework.jobs import Job
from dispatch.casework.model import HANDLING_STATES, SYSTEM_ACTOR, Action, Applied, Card, CaseState, Command
from dispatch.casework.records import failures
from dispatch.casework.records.cases import CASE_COLUMNS, case_from_row
from dispatch.casework.records.commands import CaseDesk

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


@dataclass(slots=True)
class SweepResult:
    """What one card sweep did: cards raised, cases set aside (failures.Job.SUPERVISION), retries through."""

    raised: list[Applied] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retried: int = 0


# The same bounds as sla.card_level: the light at its mark, a card only past its limit. Naming both
# exercise values lets the planner range-scan cases_timers instead of every open case. Cases set aside
# stay out until an operator asks for a retry, so one bad row is not tried again every beat.
_DUE_SQL = f"""
SELECT {CASE_COLUMNS} FROM cases WHERE is_open = 1 AND light_at IS NOT NULL
    AND exercise IN (0, 1) AND light_at <= :at AND parked_since IS NULL AND state IN ({_HANDLING})
    AND card < (CASE WHEN red_at < :at THEN 3 WHEN yellow_at < :at THEN 2 ELSE 1 END)
    AND id NOT IN (SELECT CAST(item AS INTEGER) FROM failed_items WHERE job = :job AND retry = 0)
ORDER BY light_at LIMIT :limit
"""
_ONE_SQL = f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ?"


def sweep_cards(desk: CaseDesk, now: float | None = None, *, limit: int = 500) -> SweepResult:
    """Raise the supervision card of every case whose running handling clock has passed a mark (system
    actor), in one transaction; a case that fails is set aside and the sweep goes on with the next."""
    at = desk.clock.now() if now is None else now
    result = SweepResult()
    with desk.transaction() as conn:
        for item in failures.retries_due(conn, Job.SUPERVISION, limit):
            row = conn.execute(_ONE_SQL, (int(item),)).fetchone() if item.isdigit() else None
            if row is None or _attempt(desk, row, at, result):
                failures.clear(conn, Job.SUPERVISION, item)
                result.retried += row is not None
        params = {"at": at, "job": Job.SUPERVISION.value, "limit": limit}
        for row in conn.execute(_DUE_SQL, params).fetchall():
            _attempt(desk, row, at, result)
    return result


def _attempt(desk: CaseDesk, row: tuple[object, ...], at: float, result: SweepResult) -> bool:
    raised: list[Applied] = []

    def work() -> None:
        case = case_from_row(row)
        level = desk.timers.card(case, at)
        if level > case.card:
            command = Command(case.id, case.version, Action.CARD, SYSTEM_ACTOR, payload={"card": int(level)})
            raised.append(desk.act_in_transaction(command))

    case_id = row[0]
    if failures.attempt(desk.conn, Job.SUPERVISION, str(case_id), work, desk.clock.now()) is not None:
        result.failed.append(int(case_id))  # type: ignore[call-overload]
        return False
    result.raised.extend(raised)
    return True
