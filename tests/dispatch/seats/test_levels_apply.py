"""Levels at apply, without a hub: a transfer from another centre is taken once, only on its sender's
subject, whatever its body says; a console on one store cannot escalate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dispatch.casework.model import Action, CaseState, Command, Refusal, Refused
from dispatch.casework.records import audit, levels
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import district_from_grid
from dispatch.casework.timers import Timers
from dispatch.seats.apply import Applier
from dispatch.seats.entries import command_entry, encode, relayed_entry, transfer_entry
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY
from tests.dispatch.seats.test_apply import register, report

CITY_INBOUND = "tianshu.city.log.from.jiangan"


def escalation(**change: Any) -> dict[str, Any]:
    body = {
        "case_id": 7, "code": "JA-7", "category": "waterlogging", "severity": 2, "title": "京汉大道积水",
        "discovered_at": MONDAY_9, "address": "京汉大道", "district": "江岸区", "reason": "超出区级处置能力",
        "by": "lead-ja",
    }  # fmt: skip
    return {**body, **change}


class City:
    def __init__(self, path: Path) -> None:
        self.db = open_store(path)
        self.conn = self.db.conn
        self.applier = Applier(self.conn, POLICY, district_from_grid)
        self.seq = 0

    def deliver(self, data: bytes, subject: str | None = CITY_INBOUND, at: float = MONDAY_9) -> Any:
        self.seq += 1
        delivery = (self.seq, data, at + 1, subject) if subject is not None else (self.seq, data, at + 1)
        return self.applier.apply_batch([delivery]).outcomes[0]

    def cases(self) -> list[tuple[int, str, str]]:
        return [tuple(row) for row in self.conn.execute("SELECT id, state, source FROM cases ORDER BY id")]


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    opened = City(tmp_path / "city.sqlite3")
    yield opened
    opened.db.close()


def test_an_escalation_opens_a_registered_case_once_saying_where_it_came_from(city: City) -> None:
    entry = transfer_entry("jiangan", 1, levels.ESCALATE, escalation(), "ja-1", MONDAY_9)
    outcome = city.deliver(encode(entry))
    assert outcome.refused is None
    assert len(outcome.opened) == 1
    # The same transfer again (a new district leader sending it after the hub forgot its id): no new case.
    again = city.deliver(encode(entry))
    assert again.refused is None
    assert again.opened == ()
    assert city.cases() == [(outcome.opened[0], "registered", "centre:jiangan")]
    rows = audit.timeline(city.conn, [outcome.opened[0]])
    assert [row.action for row in rows] == [Action.DISCOVER, Action.REGISTER]
    assert rows[0].payload["from"] == "jiangan"
    assert rows[0].payload["from_case"] == "JA-7"
    assert "jiangan 上报 JA-7：超出区级处置能力" in rows[1].reason
    assert levels.origin(city.conn, outcome.opened[0]) == levels.Origin("jiangan", 7, "JA-7")


def test_a_transfer_stands_only_on_its_senders_subject(city: City) -> None:
    forged = transfer_entry("wuchang", 1, levels.ESCALATE, escalation(), "ja-1", MONDAY_9)
    # Jiangan may publish only on its own inbound subject: a transfer there naming another centre is refused.
    assert city.deliver(encode(forged)).refused.code is Refusal.FORBIDDEN
    # A district may not slip a command or a report into the city's log through its inbound subject.
    assert city.deliver(report("r1")).refused.code is Refusal.FORBIDDEN
    assert city.deliver(register(1, 1, MONDAY_9)).refused.code is Refusal.FORBIDDEN
    # And a transfer anywhere else in the log is not one.
    honest = transfer_entry("jiangan", 1, levels.ESCALATE, escalation(), "ja-1", MONDAY_9)
    assert city.deliver(encode(honest), "tianshu.city.log.event").refused.code is Refusal.FORBIDDEN
    assert city.cases() == []
    assert city.deliver(encode(honest)).opened  # on its own subject it is taken
    assert city.applier.seq == 5  # every one of them was an entry of the log: the cursor went past all


def test_the_city_hands_down_only_what_came_up(city: City) -> None:
    city.deliver(report("r1"), subject="tianshu.city.log.event")
    own = city.deliver(register(1, 1, MONDAY_9), subject="tianshu.city.log.case.1")
    assert own.refused is None
    hand_down = Command(1, 2, Action.HAND_DOWN, LEAD, "请区级处置")
    refused = city.deliver(encode(command_entry(hand_down, "c1", MONDAY_9)), "tianshu.city.log.case.1")
    assert refused.refused.code is Refusal.ILLEGAL
    assert "did not come up" in refused.refused.detail
    assert levels.pending(city.conn) == []


def test_a_confirmation_under_a_stale_term_marks_nothing(city: City) -> None:
    assert city.deliver(encode(relayed_entry(5, 1, 9, "c1", MONDAY_9)), "tianshu.city.log.lead").refused


def test_a_console_on_one_store_cannot_escalate(tmp_path: Path) -> None:
    db = open_store(tmp_path / "local.sqlite3")
    try:
        from core.clock import ManualClock

        desk = CaseDesk(db.conn, Timers(POLICY), ManualClock(MONDAY_9))
        applier = Applier(db.conn, POLICY, district_from_grid)  # only to open a case as the feed would
        applier.apply(1, report("r1"))
        with pytest.raises(Refused) as refused:
            desk.act(Command(1, 1, Action.ESCALATE, LEAD, "太大", {"to": "city"}))
        assert refused.value.code is Refusal.ILLEGAL
        assert desk.get(1).state is CaseState.DISCOVERED
        assert levels.pending(db.conn) == []
    finally:
        db.close()


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from([levels.ESCALATE, levels.HAND_DOWN, "other"]),
    changes=st.dictionaries(st.sampled_from([*sorted(escalation()), "city_case", "x"]), _VALUES, max_size=5),
    drop=st.sets(st.sampled_from(sorted(escalation()))),
)
# Found by this test: a case opened, then its registration refused (a code no reason may hold), was left
# behind half-made; a refused transfer now leaves nothing.
@example(kind=levels.ESCALATE, changes={"code": "\x1f"}, drop={"address"})
def test_any_transfer_body_is_taken_or_refused_and_the_log_goes_on(
    tmp_path_factory: pytest.TempPathFactory, kind: str, changes: dict[str, Any], drop: set[str]
) -> None:
    city = City(tmp_path_factory.mktemp("city") / "city.sqlite3")
    try:
        body = {key: value for key, value in escalation(**changes).items() if key not in drop}
        outcome = city.deliver(encode(transfer_entry("jiangan", 3, kind, body, "ja-1", MONDAY_9)))
        opened = city.cases()
        if outcome.refused is not None:
            assert opened == []  # a refused transfer leaves nothing behind
            assert not levels.taken(city.conn, "jiangan", 3)
        else:
            assert kind == levels.ESCALATE
            assert [state for _, state, _ in opened] == ["registered"]
        # The next entry is applied whatever became of that one.
        assert city.deliver(report("after"), subject="tianshu.city.log.event").refused is None
    finally:
        city.db.close()
