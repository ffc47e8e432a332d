"""The after-action review's figures, judged again from the drill store's audit table and drill log."""

from __future__ import annotations

import json
import sqlite3

from dispatch.casework.model import Action
from dispatch.drill.evaluation import read_evaluation
from dispatch.drill.expectations import Observed, Outcome, Verdict, judge_all, matches
from dispatch.drill.observed import EventKey, observed_actions
from dispatch.drill.review_model import (
    STAGES,
    CaseStages,
    LogLine,
    ObjectiveResult,
    Review,
    RoleResult,
    rating,
)
from dispatch.drill.scenario import DrillForm, DrillScope, ExpectedAction, Objective, Scenario

_FIRED = ("scheduled", "sent_now", "contingency")


class ReviewError(ValueError):
    """The store holds no drill to review."""


def read_review(conn: sqlite3.Connection, tag: str | None = None) -> Review:
    """The review of the run `tag`, else of the store's latest drill; ReviewError when there is none."""
    try:
        row = conn.execute(
            "SELECT id, tag, title, form, scope, speed, origin, ended_at, duration_s, objectives, expected, "
            "unit_kinds FROM drill_runs WHERE ? IS NULL OR tag = ? ORDER BY id DESC LIMIT 1",
            (tag, tag),
        ).fetchone()
    except sqlite3.OperationalError as error:
        raise ReviewError(f"this store holds no drill ({error})") from None
    if row is None:
        raise ReviewError(
            "this store holds no drill" if tag is None else f"no drill run {tag!r} in this store"
        )
    (run, tag_, title, form, scope, speed, origin, ended_at, duration_s, objectives_json, expected_json,
     kinds_json) = row  # fmt: skip
    objectives = tuple(Objective(str(i), str(t), 0) for i, t in json.loads(objectives_json))
    expected = tuple(_expected(item) for item in json.loads(expected_json))
    timeline = tuple(
        LogLine(*line)
        for line in conn.execute(
            "SELECT scenario_s, inject, kind, how, by, detail FROM drill_log WHERE run = ? ORDER BY id",
            (run,),
        )
    )
    fired: dict[str, float] = {}
    for line in timeline:
        if line.how in _FIRED and line.inject not in fired:
            fired[line.inject] = line.scenario_s
    keys = {
        EventKey(str(source), str(event_id)): str(inject)
        for source, event_id, inject in conn.execute(
            "SELECT source, event_id, inject FROM drill_events WHERE run = ?", (run,)
        )
    }
    observed = observed_actions(conn, keys, float(origin), json.loads(kinds_json))
    end_s = float(duration_s) if ended_at is None else float(ended_at) - float(origin)
    shell = Scenario(
        str(title), DrillForm(form), DrillScope(scope), "", (), float(duration_s), objectives, (), expected
    )
    verdicts = judge_all(shell, fired, observed, end_s)
    recorded = {str(e): str(o) for e, o in conn.execute(
        "SELECT expected, outcome FROM drill_verdicts WHERE run = ?", (run,))}  # fmt: skip
    return Review(
        tag=str(tag_), title=str(title), form=DrillForm(form), scope=DrillScope(scope), speed=float(speed),
        origin=float(origin), ended_at=None if ended_at is None else float(ended_at),
        duration_s=float(duration_s), timeline=timeline, verdicts=verdicts, recorded=recorded,
        cases=_cases(conn, keys, float(origin)), roles=_roles(conn, keys, verdicts, observed),
        objectives=tuple(_objective(o, verdicts) for o in objectives),
        contingencies=tuple(line.inject for line in timeline if line.how == "contingency"),
        evaluation=read_evaluation(conn, int(run)),
    )  # fmt: skip


def _objective(objective: Objective, verdicts: tuple[Verdict, ...]) -> ObjectiveResult:
    counts = dict.fromkeys(Outcome, 0)
    for verdict in verdicts:
        if verdict.expected.objective == objective.id:
            counts[verdict.outcome] += 1
    return ObjectiveResult(objective, counts, rating(counts))


def _expected(item: dict[str, object]) -> ExpectedAction:
    return ExpectedAction(
        id=str(item["id"]), inject=str(item["inject"]), action=Action(str(item["action"])),
        within_s=float(str(item["within_s"])), line=0, objective=str(item.get("objective", "")),
        unit=str(item.get("unit", "")), unit_kind=str(item.get("unit_kind", "")),
        text=str(item.get("text", "")),
    )  # fmt: skip


def _case_ids(conn: sqlite3.Connection, keys: dict[EventKey, str]) -> dict[int, str]:
    """Each drill case by id, with the inject whose event opened it (the earliest linked)."""
    out: dict[int, tuple[float, str]] = {}
    for key, inject in keys.items():
        for case_id, linked_at in conn.execute(
            "SELECT case_id, linked_at FROM case_events WHERE source = ? AND event_id = ?", key
        ):
            if case_id not in out or linked_at < out[case_id][0]:
                out[int(case_id)] = (float(linked_at), inject)
    return {case_id: inject for case_id, (_, inject) in sorted(out.items())}


def _cases(conn: sqlite3.Connection, keys: dict[EventKey, str], origin: float) -> tuple[CaseStages, ...]:
    out: list[CaseStages] = []
    for case_id, inject in _case_ids(conn, keys).items():
        code, title, discovered = conn.execute(
            "SELECT code, title, discovered_at FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        firsts: dict[str, float] = {}
        for action, at in conn.execute(
            "SELECT action, at FROM audit WHERE case_id = ? ORDER BY id", (case_id,)
        ):
            firsts.setdefault(str(action), float(at) - origin)
        ended = tuple(firsts.get(action.value) for _, action in STAGES)
        out.append(CaseStages(str(code), str(title), inject, float(discovered) - origin, ended))
    return tuple(out)


def _roles(
    conn: sqlite3.Connection,
    keys: dict[EventKey, str],
    verdicts: tuple[Verdict, ...],
    observed: list[Observed],
) -> tuple[RoleResult, ...]:
    actions: dict[str, int] = {}
    for case_id in _case_ids(conn, keys):
        for (role,) in conn.execute("SELECT role FROM audit WHERE case_id = ?", (case_id,)):
            actions[str(role)] = actions.get(str(role), 0) + 1
    met: dict[str, int] = {}
    for verdict in verdicts:
        if verdict.outcome is not Outcome.MET:
            continue
        doer = next(
            (o.role for o in observed if matches(verdict.expected, o) and o.at_s == verdict.done_at_s), ""
        )
        met[doer] = met.get(doer, 0) + 1
    return tuple(RoleResult(role, count, met.get(role, 0)) for role, count in sorted(actions.items()))
