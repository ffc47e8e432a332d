"""Random actions by random roles on random (sometimes stale) versions never break the desk's invariants."""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from dispatch.casework.machine import RULES, allowed_actions
from dispatch.casework.model import (
    OPEN_STATES,
    Action,
    Actor,
    Card,
    Case,
    Command,
    Refusal,
    Refused,
    Role,
)
from dispatch.casework.records import audit
from dispatch.casework.records.cases import family
from dispatch.casework.records.live import LiveCounters, mismatches
from dispatch.casework.records.orders import ReportAction, ReportOutcome, UnitReport, apply_report
from tests.dispatch.casework.policies import LON, Loop, open_loop, put_event

UNITS = ("U-X", "U-Y")
# Where the handling deadline may move, and the audit rows that move it.
MOVES_DUE = frozenset(
    {Action.DISPATCH, Action.APPROVE_RETURN, Action.REOPEN, Action.UNPARK, Action.APPROVE_EXTENSION}
)
ANNOTATIONS = frozenset(
    {Action.ACKNOWLEDGE, Action.ATTACH, Action.SUPERVISE, Action.CARD, Action.SOURCE_UPDATE}
)
EVENT_KINDS: dict[str, dict[str, Any]] = {
    "grid": {"source": "grid", "category": "manhole_cover"},
    "hotline": {"source": "hotline", "category": "noise"},
    "auto": {"source": "iot", "category": "garbage_overflow"},
    "fire": {"source": "grid", "category": "fire_alarm"},
    "drill": {"source": "grid", "category": "manhole_cover", "exercise": True},
}


def payloads(action: Action, case_ids: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads for `action`: mostly sensible, sometimes missing or wrong."""
    options: dict[Action, st.SearchStrategy[dict[str, Any]]] = {
        Action.DISPATCH: st.sampled_from([{"unit": u} for u in UNITS * 3] + [{}, {"unit": ""}]),
        Action.MERGE: st.sampled_from(case_ids).map(lambda i: {"master_id": i}) | st.just({}),
        Action.REQUEST_EXTENSION: st.sampled_from([1, 2.5, 1, 0, -1, True]).map(lambda a: {"amount": a}),
        Action.APPROVE_EXTENSION: st.sampled_from([{}, {}, {"amount": 1}, {"amount": -2}]),
        Action.EVALUATE: st.sampled_from([{"satisfied": True}, {"satisfied": False}] * 2 + [{}]),
        Action.SUPERVISE: st.sampled_from([{"card": 2}, {"card": 3}, {"card": 1}, {}]),
        Action.CARD: st.sampled_from([{"card": c} for c in range(5)] + [{}]),
        Action.ATTACH: st.sampled_from([{"path": "photo.jpg", "kind": "photo"}, {}]),
        Action.SOURCE_UPDATE: st.sampled_from(
            [{"severity": s, "cancelled": s == 4} for s in range(1, 5)] + [{}]
        ),
    }
    return options.get(action, st.just({}))


class DeskMachine(RuleBasedStateMachine):
    """Several cases in a real store file; invariants are checked against the database after every step."""

    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.loop: Loop = open_loop(Path(self._dir.name) / "store.sqlite3")
        self.events = 0
        self.dues: dict[int, tuple[float | None, int]] = {}
        # Counters kept row by row as the cockpit would, for real and for drill cases.
        self.counters = (LiveCounters(exercise=False), LiveCounters(exercise=True))

    def teardown(self) -> None:
        self.loop.close()
        self._dir.cleanup()

    # -- reading the store -------------------------------------------------------------------------

    @property
    def conn(self) -> Any:
        return self.loop.conn

    def case_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM cases ORDER BY id")]

    def rows(self) -> list[tuple[Any, ...]]:
        return list(self.conn.execute("SELECT * FROM cases ORDER BY id"))

    def counts(self) -> tuple[int, ...]:
        return tuple(
            self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("audit", "outbox", "case_events", "merge_proposals")
        )

    def events_of(self, case_id: int) -> set[tuple[str, str]]:
        rows = self.conn.execute("SELECT source, event_id FROM case_events WHERE case_id = ?", (case_id,))
        return {(r[0], r[1]) for r in rows}

    # -- rules -------------------------------------------------------------------------------------

    @initialize()
    def seed(self) -> None:
        for kind in ("grid", "fire", "auto", "hotline"):
            self.discover(kind, near=False)
        # One drill case by hand: real and exercise cases must never merge.
        with self.loop.desk.transaction():
            first = self.loop.desk.get(1)
            drill = self.loop.desk.open_case(dataclasses.replace(first, id=0, code="", exercise=True))
            self.conn.execute(
                "INSERT INTO case_events (case_id, source, event_id, event_row, linked_at) "
                "VALUES (?, 'drill', 'd1', 0, 0)",
                (drill.id,),
            )

    @rule(kind=st.sampled_from(sorted(EVENT_KINDS)), near=st.booleans())
    def discover(self, kind: str, near: bool) -> None:
        self.events += 1
        lon = LON if near else LON + self.events * 0.01
        put_event(self.conn, f"e{self.events}", at=self.loop.clock.now(), lon=lon, **EVENT_KINDS[kind])
        self.loop.discovery.run_once()

    @rule(minutes=st.sampled_from([1, 10, 45, 70, 240, 1440]))
    def advance(self, minutes: int) -> None:
        self.loop.clock.advance(minutes * 60)

    @rule()
    def sweep(self) -> None:
        for applied in self.loop.desk.sweep_cards():
            assert applied.audit.action is Action.CARD
            assert applied.case.card > Card(applied.audit.payload["from"])

    @rule(data=st.data(), count=st.integers(1, 6))
    def commands(self, data: st.DataObject, count: int) -> None:
        for _ in range(count):
            self.command(data)

    def command(self, data: st.DataObject) -> None:
        ids = self.case_ids()
        case = self.loop.desk.get(data.draw(st.sampled_from(ids), label="case"))
        legal = [(a, r) for r in Role for a in allowed_actions(case, r)]
        # Mostly moves along the loop, so that runs reach its far end; annotations and nonsense too.
        moves = [(a, r) for a, r in legal if a not in ANNOTATIONS]
        pick = data.draw(st.integers(0, 9), label="kind")
        if moves and pick < 6:
            action, role = data.draw(st.sampled_from(moves), label="move, role")
        elif legal and pick < 8:
            action, role = data.draw(st.sampled_from(legal), label="action, role")
        else:
            action = data.draw(st.sampled_from(list(Action)), label="action")
            role = data.draw(st.sampled_from(list(Role)), label="role")
        login = role.value
        if role is Role.UNIT:
            login = data.draw(st.sampled_from([case.unit or "U-X", case.unit or "U-X", *UNITS]), label="unit")
        version = case.version + data.draw(st.sampled_from([0] * 18 + [-1, 1]), label="version offset")
        reason = data.draw(st.sampled_from(["理由", "理由", "理由", "", "  "]), label="reason")
        payload = data.draw(payloads(action, ids), label="payload")
        if action is Action.SPLIT and data.draw(st.integers(0, 3), label="split's master") > 0:
            payload = {"master_id": case.master_id}
        command = Command(case.id, version, action, Actor(login, role), reason, payload)
        self.carry_out(case, command)

    @rule(data=st.data())
    def unit_report(self, data: st.DataObject) -> None:
        orders = [r[0] for r in self.conn.execute("SELECT order_id FROM outbox")] or ["none-1"]
        report = UnitReport(
            data.draw(st.sampled_from(orders), label="order"),
            data.draw(st.sampled_from(UNITS), label="unit"),
            data.draw(st.sampled_from(list(ReportAction)), label="report"),
            self.loop.clock.now() + data.draw(st.integers(0, 3), label="at"),
        )
        before, counts = self.rows(), self.counts()
        result = apply_report(self.loop.desk, report, feed="f", seq=None)
        if result.outcome is ReportOutcome.APPLIED:
            assert result.applied is not None
            assert self.counts()[0] == counts[0] + 1
        else:
            assert (self.rows(), self.counts()) == (before, counts)

    def carry_out(self, case: Case, command: Command) -> None:
        before, counts = self.rows(), self.counts()
        rule_ = RULES[command.action]
        try:
            applied = self.loop.desk.act(command)
        except Refused as refused:
            self.check_refusal(case, command, refused, before, counts)
            return
        assert command.version == case.version
        assert command.actor.role in rule_.roles
        assert case.state in rule_.sources
        if command.action is Action.REJECT_RETURN:
            assert applied.case.state is case.resume_state
        elif command.action is Action.SPLIT:
            # Back to where the merge found it: a state a merge may start from, with no master.
            assert applied.case.state in RULES[Action.MERGE].sources
            assert applied.case.master_id is None
        else:
            assert applied.case.state is (rule_.target or case.state)
        assert not rule_.reason_required or command.reason.strip()
        assert applied.case == self.loop.desk.get(case.id)
        assert applied.case.version == case.version + 1
        grew = self.counts()[0] - counts[0]
        assert grew == (2 if command.action in (Action.MERGE, Action.SPLIT) else 1)
        assert (applied.order_id is not None) == (command.action in (Action.DISPATCH, Action.FAIL_CHECK))

    def check_refusal(
        self, case: Case, command: Command, refused: Refused, before: list[Any], counts: tuple[int, ...]
    ) -> None:
        # Nothing at all changed: no case (a merge's master neither), no audit, order, event or proposal.
        assert (self.rows(), self.counts()) == (before, counts)
        assert refused.current is not None
        expected = self.first_refusal(case, command)
        if expected is not None:
            assert refused.code is expected, (refused, expected)

    @staticmethod
    def first_refusal(case: Case, command: Command) -> Refusal | None:
        """The refusal the desk must give first, or None when only the payload or clock can decide."""
        rule_ = RULES[command.action]
        if command.version != case.version:
            return Refusal.STALE
        if command.actor.role not in rule_.roles:
            return Refusal.FORBIDDEN
        if command.actor.role is Role.UNIT and command.actor.login != case.unit:
            return Refusal.FORBIDDEN
        if case.state not in rule_.sources:
            return Refusal.ILLEGAL
        if rule_.reason_required and not command.reason.strip():
            return Refusal.REASON_REQUIRED
        return None

    # -- invariants --------------------------------------------------------------------------------

    @invariant()
    def the_chain_verifies(self) -> None:
        report = audit.verify(self.conn)
        assert report.ok, report

    @invariant()
    def every_case_agrees_with_its_history(self) -> None:
        for case_id in self.case_ids():
            case = self.loop.desk.get(case_id)
            rows = audit.timeline(self.conn, [case_id])
            # The discover row opens the case at version 1; every later row of the case bumped it once.
            assert case.version == 1 + len(rows[1:])
            assert rows[0].action is Action.DISCOVER
            assert case.state is rows[-1].to_state
            assert all(a.to_state is b.from_state for a, b in itertools.pairwise(rows))
            assert case.exercise == all(r.exercise for r in rows)
            actions = [r.action for r in rows]
            assert case.rework_count == actions.count(Action.FAIL_CHECK)
            assert case.reopen_count == actions.count(Action.REOPEN)
            assert case.return_count == actions.count(Action.APPROVE_RETURN)
            assert case.events_count == len(self.events_of(case_id))
            is_open = self.conn.execute("SELECT is_open FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
            assert bool(is_open) == (case.state in OPEN_STATES)
            assert case.card >= case.manual_card
            assert (case.parked_since is None) == (case.handle_remaining_s is None)
            orders = self.conn.execute("SELECT count(*) FROM outbox WHERE case_id = ?", (case_id,)).fetchone()
            assert orders[0] == actions.count(Action.DISPATCH) + actions.count(Action.FAIL_CHECK)

    @invariant()
    def deadlines_move_only_by_an_audited_change(self) -> None:
        for case_id in self.case_ids():
            case = self.loop.desk.get(case_id)
            rows = audit.timeline(self.conn, [case_id])
            due, seen = self.dues.get(case_id, (None, 0))
            movers = [r for r in rows[seen:] if r.action in MOVES_DUE]
            if case.handle_due != due:
                assert movers, (case_id, due, case.handle_due, [r.action for r in rows[seen:]])
            if movers:
                # The row that moved it last says where to: a new deadline, or none (back to registered).
                last = movers[-1]
                told = last.payload.get("new_due", last.payload.get("handle_due"))
                assert case.handle_due == (
                    None if last.action in (Action.APPROVE_RETURN, Action.REOPEN) else told
                )
            self.dues[case_id] = (case.handle_due, len(rows))

    @invariant()
    def merges_keep_every_event_and_never_mix_drills(self) -> None:
        for case_id, master_id in self.conn.execute("SELECT id, master_id FROM cases WHERE state = 'merged'"):
            assert master_id is not None
            assert self.events_of(master_id) >= self.events_of(case_id)
            merged, master = self.loop.desk.get(case_id), self.loop.desk.get(master_id)
            assert merged.exercise == master.exercise
        # Each case's family, as the case panel reads it from the audit, is what master_id links say.
        masters = dict(self.conn.execute("SELECT id, master_id FROM cases").fetchall())
        for case_id in masters:
            members, grown = {case_id}, True
            while grown:
                more = {m for m, master in masters.items() if master in members} - members
                members, grown = members | more, bool(more)
            assert family(self.conn, case_id) == sorted(members)
        # Drill events never opened a case in this real store: the only drill case is the one made by hand.
        assert self.conn.execute("SELECT count(*) FROM cases WHERE exercise = 1").fetchone() == (1,)

    @invariant()
    def metrics_recomputed_from_the_audit_match_the_live_counters(self) -> None:
        now = self.loop.clock.now()
        for counters in self.counters:
            counters.catch_up(self.conn)
            assert mismatches(self.conn, counters, now) == []


DeskMachine.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_desk_machine = DeskMachine.TestCase
