"""Keeping a case open against 自动消警 is the shift lead's audited action, only while a proposal waits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.casework.model import Action, CaseState, Command, Refusal, Refused
from dispatch.casework.readouts import QueueQuery
from dispatch.casework.records import audit, episodes
from dispatch.casework.records.queue import fetch_page
from tests.dispatch.casework.policies import DISPATCHER, LEAD, MONDAY_9, SUPERVISOR, Loop, open_loop
from tests.dispatch.casework.test_discovery_episodes import sensor

S = CaseState


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def dismiss(loop: Loop, case_id: int, actor: object = LEAD) -> object:
    case = loop.desk.get(case_id)
    return loop.desk.act(Command(case.id, case.version, Action.DISMISS_CLEARING, actor))  # type: ignore[arg-type]


def marked(loop: Loop) -> dict[int, bool]:
    page = fetch_page(loop.conn, QueueQuery(), 0, 50, MONDAY_9 + 600)
    return {row.id: row.clearing for row in page.rows}


def test_the_lead_keeps_a_cleared_case_open_on_the_record(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9)
    sensor(loop, "x1", at=MONDAY_9, device="JG-2")
    cleared, other = (c.id for c in loop.discovery.run_once().opened)
    sensor(loop, "a2", at=MONDAY_9 + 60, cleared=True)
    loop.discovery.run_once()
    assert marked(loop) == {cleared: True, other: False}

    for actor in (DISPATCHER, SUPERVISOR):
        with pytest.raises(Refused) as refused:
            dismiss(loop, cleared, actor)
        assert refused.value.code is Refusal.FORBIDDEN
    assert episodes.pending_clearing(loop.conn) == [cleared]

    kept = dismiss(loop, cleared)
    assert kept.case.state is S.DISCOVERED  # type: ignore[attr-defined]
    assert (kept.audit.action, kept.audit.actor) == (Action.DISMISS_CLEARING, "li")  # type: ignore[attr-defined]
    assert episodes.pending_clearing(loop.conn) == []
    assert marked(loop) == {cleared: False, other: False}
    assert audit.verify(loop.conn).ok

    # Nothing waits any more, and a case never proposed has nothing to keep open: refused, nothing written.
    rows = loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    for case_id in (cleared, other):
        with pytest.raises(Refused) as refused:
            dismiss(loop, case_id)
        assert refused.value.code is Refusal.NOTHING_PENDING
    assert loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == rows


def test_a_new_alarm_after_a_dismissal_can_be_proposed_again(loop: Loop) -> None:
    sensor(loop, "a1", at=MONDAY_9)
    (case,) = loop.discovery.run_once().opened
    sensor(loop, "a2", at=MONDAY_9 + 60, cleared=True)
    loop.discovery.run_once()
    dismiss(loop, case.id)
    sensor(loop, "a3", at=MONDAY_9 + 120)
    sensor(loop, "a4", at=MONDAY_9 + 180, cleared=True)
    loop.discovery.run_once()
    assert episodes.pending_clearing(loop.conn) == [case.id]
    assert marked(loop) == {case.id: True}
