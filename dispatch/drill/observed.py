"""What the players did, read from the drill store's audit: each action on the case an inject opened."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import NamedTuple

from dispatch.casework.model import Action
from dispatch.drill.expectations import Observed


class EventKey(NamedTuple):
    """How the intake names the event an inject became: (source, id)."""

    source: str
    event_id: str


def observed_actions(
    conn: sqlite3.Connection, keys: Mapping[EventKey, str], origin: float, unit_kinds: Mapping[str, str]
) -> list[Observed]:
    """Audit rows of every case linked to an inject's event, as Observed at scenario seconds.

    `keys` maps each event the drill sent to the inject that opened it (revisions share the first's key).
    """
    cases: dict[int, set[str]] = {}
    for key, inject in keys.items():
        rows = conn.execute(
            "SELECT case_id FROM case_events WHERE source = ? AND event_id = ?", (key.source, key.event_id)
        )
        for (case_id,) in rows.fetchall():
            cases.setdefault(int(case_id), set()).add(inject)
    out: list[Observed] = []
    for case_id, injects in cases.items():
        rows = conn.execute(
            "SELECT action, at, payload, role FROM audit WHERE case_id = ? ORDER BY id", (case_id,)
        )
        for action_text, at, payload, role in rows.fetchall():
            try:
                action = Action(action_text)
            except ValueError:
                continue
            unit = ""
            if action is Action.DISPATCH:
                try:
                    unit = str(json.loads(payload).get("unit", ""))
                except (ValueError, AttributeError):
                    unit = ""
            for inject in injects:
                kind = unit_kinds.get(unit, "")
                out.append(Observed(inject, action, float(at) - origin, unit, kind, str(role)))
    return out


def inject_of_case(conn: sqlite3.Connection, code: str, keys: Mapping[EventKey, str]) -> str:
    """The inject whose event opened the case with this code (its earliest linked one), or ""."""
    rows = conn.execute(
        "SELECT ce.source, ce.event_id FROM cases c JOIN case_events ce ON ce.case_id = c.id "
        "WHERE c.code = ? ORDER BY ce.linked_at",
        (code,),
    ).fetchall()
    for source, event_id in rows:
        inject = keys.get(EventKey(str(source), str(event_id)))
        if inject:
            return inject
    return ""
