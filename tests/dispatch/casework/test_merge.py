"""Merging (并案): every source event and both histories are kept; exercise and real cases never mix."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.casework.model import Action, CaseState, Command, Refusal, Refused
from dispatch.casework.records import audit
from dispatch.casework.records.cases import family
from tests.dispatch.casework.policies import DISPATCHER, LEAD, LON, Loop, act, new_case, open_loop

S = CaseState
NEAR = LON + 0.0004  # about 40 m east


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def events_of(loop: Loop, case_id: int) -> set[tuple[str, str]]:
    rows = loop.conn.execute("SELECT source, event_id FROM case_events WHERE case_id = ?", (case_id,))
    return {(r[0], r[1]) for r in rows}


def test_a_merge_keeps_every_event_and_both_histories(loop: Loop) -> None:
    master = new_case(loop, "e1", severity=3)
    act(loop, master.id, Action.REGISTER, LEAD)
    loop.clock.advance(300)
    duplicate = new_case(loop, "e2", source="iot", severity=2, lon=NEAR)
    proposal = loop.conn.execute("SELECT case_id, candidate_id, dismissed FROM merge_proposals").fetchall()
    assert proposal == [(duplicate.id, master.id, 0)]

    merged = act(loop, duplicate.id, Action.MERGE, DISPATCHER, "同一井盖", master_id=master.id)
    assert (merged.state, merged.master_id) == (S.MERGED, master.id)
    after = loop.desk.get(master.id)
    assert (after.state, after.version, after.events_count, after.severity) == (S.REGISTERED, 3, 2, 2)
    assert events_of(loop, master.id) == {("grid", "e1"), ("iot", "e2")}
    assert events_of(loop, duplicate.id) == {("iot", "e2")}
    via = loop.conn.execute(
        "SELECT via_case FROM case_events WHERE case_id = ? AND event_id = 'e2'", (master.id,)
    ).fetchone()
    assert via == (duplicate.id,)
    assert loop.conn.execute("SELECT dismissed FROM merge_proposals").fetchone() == (1,)

    story = audit.timeline(loop.conn, family(loop.conn, master.id))
    assert [(r.case_id, r.action.value, r.to_state.value) for r in story] == [
        (master.id, "discover", "discovered"),
        (master.id, "register", "registered"),
        (duplicate.id, "discover", "discovered"),
        (master.id, "merge", "registered"),
        (duplicate.id, "merge", "merged"),
    ]
    assert story[-2].payload == {"absorbed": duplicate.id, "events": 2, "from_severity": 3, "card": 0}
    assert audit.verify(loop.conn).ok


def test_merges_chain_and_the_last_master_holds_everything(loop: Loop) -> None:
    a, b, c = (new_case(loop, f"e{i}", lon=LON + i * 0.0001) for i in range(3))
    act(loop, a.id, Action.MERGE, LEAD, master_id=b.id)
    act(loop, b.id, Action.MERGE, LEAD, master_id=c.id)
    assert events_of(loop, c.id) == {("grid", "e0"), ("grid", "e1"), ("grid", "e2")}
    assert loop.desk.get(c.id).events_count == 3
    assert family(loop.conn, c.id) == [a.id, b.id, c.id]
    assert family(loop.conn, b.id) == [a.id, b.id]


def test_an_event_both_cases_share_is_kept_once(loop: Loop) -> None:
    a, b = new_case(loop, "e1"), new_case(loop, "e2", lon=NEAR)
    loop.conn.execute(
        "INSERT INTO case_events (case_id, source, event_id, event_row, linked_at) "
        "SELECT ?, source, event_id, event_row, linked_at FROM case_events WHERE case_id = ?",
        (b.id, a.id),
    )
    act(loop, a.id, Action.MERGE, LEAD, master_id=b.id)
    assert events_of(loop, b.id) == {("grid", "e1"), ("grid", "e2")}
    assert loop.desk.get(b.id).events_count == 2


def refused(loop: Loop, case_id: int, **payload: object) -> Refused:
    version = loop.desk.get(case_id).version
    before = loop.conn.execute("SELECT count(*) FROM audit").fetchone()
    with pytest.raises(Refused) as caught:
        loop.desk.act(Command(case_id, version, Action.MERGE, LEAD, payload=payload))
    assert loop.conn.execute("SELECT count(*) FROM audit").fetchone() == before
    assert loop.desk.get(case_id).version == version
    return caught.value


def test_exercise_and_real_cases_never_merge(loop: Loop) -> None:
    real = new_case(loop, "e1")
    with loop.desk.transaction():
        drill = loop.desk.open_case(dataclasses.replace(real, id=0, code="", exercise=True))
    assert refused(loop, drill.id, master_id=real.id).code is Refusal.EXERCISE_MIX
    assert refused(loop, real.id, master_id=drill.id).code is Refusal.EXERCISE_MIX
    assert events_of(loop, real.id) == {("grid", "e1")}


def test_a_merge_needs_another_open_master(loop: Loop) -> None:
    a, b = new_case(loop, "e1"), new_case(loop, "e2", lon=NEAR)
    assert refused(loop, a.id, master_id=a.id).code is Refusal.BAD_PAYLOAD
    assert refused(loop, a.id).code is Refusal.BAD_PAYLOAD
    assert refused(loop, a.id, master_id=999).code is Refusal.BAD_PAYLOAD
    act(loop, b.id, Action.VOID, LEAD, "误报")
    assert refused(loop, a.id, master_id=b.id).code is Refusal.BAD_PAYLOAD
    c = new_case(loop, "e3", lon=NEAR)
    act(loop, c.id, Action.REGISTER, LEAD)
    act(loop, c.id, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    # A dispatched case is already someone's work: it can take a duplicate, not become one.
    assert refused(loop, c.id, master_id=a.id).code is Refusal.ILLEGAL
    assert act(loop, a.id, Action.MERGE, LEAD, master_id=c.id).state is S.MERGED
