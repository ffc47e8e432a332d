"""Undoing a merge (拆分): whether a merged case and its master are still as the merge left them, and what
each goes back to."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import msgspec

from dispatch.casework.model import Action, Case, CaseState, Refusal, Refused
from dispatch.casework.readouts import SplitOffer
from dispatch.casework.records import audit
from dispatch.casework.records.cases import load_case

# Rows after a merge that do not move a case on: they change neither its state, nor its work, nor its
# events (an acknowledged alert, a photo attached, the supervision card a running clock raised).
QUIET = frozenset({Action.ACKNOWLEDGE, Action.ATTACH, Action.CARD})
_QUIET_VALUES = tuple(action.value for action in QUIET)
_QUIET_SQL = ", ".join("?" * len(QUIET))


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """What a split restores: the merged case's state before the merge, and its master's severity."""

    absorbed: Case
    master: Case
    state: CaseState
    severity: int


def plan_split(conn: sqlite3.Connection, absorbed: Case) -> SplitPlan:
    """The plan for splitting `absorbed` off its master, or Refused: ILLEGAL when it is not merged,
    MOVED_ON when either case was worked on (anything but QUIET rows) since the merge."""
    if absorbed.state is not CaseState.MERGED or absorbed.master_id is None:
        raise Refused(Refusal.ILLEGAL, f"case {absorbed.code} is not merged into another", current=absorbed)
    own = conn.execute(
        "SELECT id, from_state FROM audit WHERE case_id = ? AND action = 'merge' AND to_state = 'merged' "
        "ORDER BY id DESC LIMIT 1",
        (absorbed.id,),
    ).fetchone()
    if own is None:
        raise Refused(Refusal.ILLEGAL, f"case {absorbed.code} has no merge in its history", current=absorbed)
    _still(conn, absorbed, own[0], absorbed)
    master = load_case(conn, absorbed.master_id)
    if master is None:
        raise Refused(Refusal.ILLEGAL, f"case {absorbed.master_id} is gone", current=absorbed)
    row = conn.execute(
        "SELECT id, payload, changes FROM audit WHERE case_id = ? AND action = 'merge' "
        "AND to_state != 'merged' AND json_extract(payload, '$.absorbed') = ? ORDER BY id DESC LIMIT 1",
        (master.id, absorbed.id),
    ).fetchone()
    if row is None:
        raise Refused(
            Refusal.ILLEGAL, f"case {master.code} has no record of taking {absorbed.code}", current=absorbed
        )
    _still(conn, master, row[0], absorbed)
    return SplitPlan(absorbed, master, CaseState(own[1]), _severity_before(master, row[1], row[2]))


def _still(conn: sqlite3.Connection, case: Case, merge_row: int, absorbed: Case) -> None:
    """Refuse (MOVED_ON) when `case` has a row after its merge row that moved it on. A merge that a split
    undid since is as if it never happened (so merges come apart last one first)."""
    pending: list[str] = []
    for (action,) in conn.execute(
        f"SELECT action FROM audit WHERE case_id = ? AND id > ? AND action NOT IN ({_QUIET_SQL}) ORDER BY id",
        (case.id, merge_row, *_QUIET_VALUES),
    ):
        if action == Action.SPLIT.value and pending and pending[-1] == Action.MERGE.value:
            pending.pop()
        else:
            pending.append(action)
    if pending:
        last = audit.last_change(conn, case.id)
        who = f": {last.actor} ({last.role.value}) did {last.action.value}" if last is not None else ""
        raise Refused(
            Refusal.MOVED_ON,
            f"case {case.code} has moved on since the merge ({pending[0]}){who}",
            current=absorbed,
            by=last,
        )


def _severity_before(master: Case, payload_text: str, changes_text: str | None) -> int:
    """The master's severity before it took the merge: its merge row says so (payload, else the recorded
    column change); a merge recorded before either kept it as it is now, unchanged by the merge."""
    payload: Any = msgspec.json.decode(payload_text)
    if isinstance(payload, dict) and _level(payload.get("from_severity")):
        return int(payload["from_severity"])
    if changes_text is not None:
        changes: Any = msgspec.json.decode(changes_text)
        severity = changes.get("case", {}).get("severity") if isinstance(changes, dict) else None
        if isinstance(severity, list) and len(severity) == 2 and _level(severity[0]):
            return int(severity[0])
    return master.severity


def _level(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4


def split_offers(conn: sqlite3.Connection, case: Case) -> tuple[SplitOffer, ...]:
    """The splits the case panel may offer on `case`: itself off its master when it is merged, or, as a
    master, the case it took last, while neither has moved on (roles are the panel's to check)."""
    if case.state is CaseState.MERGED:
        candidates = [case]
    else:
        # Cases merged into this one and still merged; plan_split keeps those neither moved on from.
        rows = conn.execute(
            "SELECT DISTINCT json_extract(payload, '$.absorbed') FROM audit WHERE case_id = ? "
            "AND action = 'merge' AND to_state != 'merged'",
            (case.id,),
        )
        found = (load_case(conn, row[0]) for row in rows if isinstance(row[0], int))
        candidates = [
            c for c in found if c is not None and c.master_id == case.id and c.state is CaseState.MERGED
        ]
    offers = []
    for absorbed in candidates:
        try:
            plan = plan_split(conn, absorbed)
        except Refused:
            continue
        offers.append(
            SplitOffer(
                absorbed_id=absorbed.id,
                absorbed_version=absorbed.version,
                absorbed_code=absorbed.code,
                master_id=plan.master.id,
                master_version=plan.master.version,
                master_code=plan.master.code,
                state=plan.state,
            )
        )
    return tuple(offers)
