"""The case desk: every command is one transaction that checks role and version, changes the case,
appends its audit row and queues any order for the unit."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec

from core.clock import Clock
from dispatch.casework.machine import target_state
from dispatch.casework.model import (
    HANDLING_STATES,
    SYSTEM_ACTOR,
    Action,
    Actor,
    Applied,
    AuditRow,
    Case,
    CaseState,
    Command,
    Refusal,
    Refused,
)
from dispatch.casework.payloads import check_command, check_payload, is_row_id
from dispatch.casework.records import audit
from dispatch.casework.records.attendance import Attendance
from dispatch.casework.records.audit_changes import changes_of
from dispatch.casework.records.cases import CASE_COLUMNS, case_from_row, insert_case, load_case, update_case
from dispatch.casework.records.effects import Effect, effect_of
from dispatch.casework.search import index_text
from dispatch.casework.timers import Timers
from dispatch.store.savepoint import savepoint
from dispatch.store.write_gate import gate_for

_HANDLING = ", ".join(f"'{state.value}'" for state in sorted(HANDLING_STATES))


class CaseDesk:
    """Carries out commands on the cases of one store connection (use one desk per thread)."""

    def __init__(
        self, conn: sqlite3.Connection, timers: Timers, clock: Clock, *, gate: threading.RLock | None = None
    ) -> None:
        """`gate` defaults to the store file's write gate in this process (dispatch.store.write_gate)."""
        self.conn = conn
        self.timers = timers
        self.clock = clock
        self._gate = gate if gate is not None else gate_for(conn)
        # A desk behind a console checks every command's actor against who signed in there (the app sets
        # it up at start); one that serves no console (intake, simulator, benches) acts for whom it is told.
        self.attendance: Attendance | None = None
        # Levels (escalate, hand down) need a centre above or below, through a hub: only a seat's
        # applier turns them on (dispatch/seats/apply.py); a console on one store refuses them.
        self.levels = False

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: the write lock is taken first, so read-check-write cannot interleave.

        Inside a transaction already open on the connection this joins it: the outer one commits.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        with self._gate:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT leaves the transaction open; some errors have already rolled it back.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def get(self, case_id: int) -> Case:
        if not is_row_id(case_id):
            raise Refused(Refusal.UNKNOWN_CASE, f"there is no case {case_id!r}")
        case = load_case(self.conn, case_id)
        if case is None:
            raise Refused(Refusal.UNKNOWN_CASE, f"there is no case {case_id}")
        return case

    def act(self, command: Command) -> Applied:
        """Carry out `command` in its own transaction (or the caller's) or raise Refused; nothing is written
        when it is refused. Whatever the command holds (ids beyond 64 bits, NaN, True as an id, a reason
        of zero-width spaces, an actor whose account was disabled), the answer is Applied or Refused."""
        return self.act_in_transaction(command)

    def act_in_transaction(self, command: Command) -> Applied:
        """`act` for callers that already hold the transaction (intake, sweeps, unit reports).

        A refused command leaves nothing behind even when the caller goes on and commits (a savepoint);
        called outside a transaction it opens its own.
        """
        if not self.conn.in_transaction:
            with self.transaction():
                return self._act(command)
        with savepoint(self.conn, "act"):
            return self._act(command)

    def _act(self, command: Command) -> Applied:
        check_command(command)
        case = self.get(command.case_id)
        if self.attendance is not None:
            problem = self.attendance.problem(self.conn, command.actor)
            if problem is not None:
                raise Refused(Refusal.SIGNED_OUT, problem, current=case)
        if command.version != case.version:
            last = audit.last_change(self.conn, case.id)
            who = (
                f"{last.actor} ({last.role.value}) did {last.action.value}" if last else "someone changed it"
            )
            raise Refused(
                Refusal.STALE,
                f"case {case.code} changed since you saw it "
                f"(version {command.version}, now {case.version}): {who}",
                current=case,
                by=last,
            )
        target = target_state(case, command)
        check_payload(case, command)
        now = self.clock.now()
        effect = effect_of(command.action)(self, case, command, now)
        after = dataclasses.replace(
            effect.case,
            state=effect.state or target,
            version=case.version + 1,
            updated_at=now,
            updated_by=command.actor.login,
        )
        if not update_case(self.conn, case, after):
            raise Refused(Refusal.STALE, f"case {case.code} changed while it was being saved", current=case)
        # The order goes into the outbox first, so that the audit row records it.
        order_id = self._queue_order(after, effect, now) if effect.order is not None else None
        row = self._audit(
            case, after, command.action, command.actor, now, command.reason, effect.payload, order_id
        )
        return Applied(after, row, order_id)

    def annotate(
        self, master: Case, changed: Case, command: Command, payload: dict[str, Any], now: float
    ) -> Case:
        """Write `changed` over `master`, a case touched as a side effect (a merge's master), and audit it."""
        after = dataclasses.replace(
            changed, version=master.version + 1, updated_at=now, updated_by=command.actor.login
        )
        after = self.refresh_card(after, now)
        if not update_case(self.conn, master, after):
            raise Refused(
                Refusal.STALE, f"case {master.code} changed while it was being saved", current=master
            )
        self._audit(
            master,
            after,
            command.action,
            command.actor,
            now,
            command.reason,
            {**payload, "card": int(after.card)},
        )
        return after

    def refresh_card(self, case: Case, now: float) -> Case:
        return dataclasses.replace(case, card=self.timers.card(case, now))

    def open_case(
        self, draft: Case, actor: Actor = SYSTEM_ACTOR, payload: dict[str, Any] | None = None
    ) -> Case:
        """Insert a new Discovered case with its `discover` audit row (inside the caller's transaction)."""
        now = self.clock.now()
        stored = insert_case(self.conn, dataclasses.replace(draft, state=CaseState.DISCOVERED, version=1))
        code = case_code(stored, self.timers)
        self.conn.execute("UPDATE cases SET code = ? WHERE id = ?", (code, stored.id))
        stored = dataclasses.replace(stored, code=code)
        self.conn.execute(
            "INSERT INTO cases_fts (rowid, terms) VALUES (?, ?)",
            (stored.id, index_text(stored.title, stored.description, stored.address, stored.code)),
        )
        self._audit(stored, stored, Action.DISCOVER, actor, now, "", payload or {})
        return stored

    def _audit(
        self, before: Case, after: Case, action: Action, actor: Actor, at: float, reason: str,
        payload: dict[str, Any], order_id: str | None = None,
    ) -> AuditRow:  # fmt: skip
        opened = action is Action.DISCOVER
        return audit.append(
            self.conn,
            case_id=after.id,
            from_state=before.state,
            to_state=after.state,
            action=action,
            actor=actor.login,
            role=actor.role,
            at=at,
            reason=reason,
            payload=payload,
            exercise=after.exercise,
            changes=changes_of(self.conn, None if opened else before, after, order_id),
        )

    def _queue_order(self, case: Case, effect: Effect, now: float) -> str:
        assert effect.order is not None
        count = self.conn.execute("SELECT count(*) FROM outbox WHERE case_id = ?", (case.id,)).fetchone()[0]
        order_id = f"{case.code}-{count + 1}"
        body = {"order_id": order_id, "case_id": case.code, **effect.order}
        self.conn.execute(
            "INSERT INTO outbox (order_id, case_id, unit, body, exercise, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (order_id, case.id, case.unit, msgspec.json.encode(body).decode(), int(case.exercise), now),
        )
        return order_id

    def sweep_cards(self, now: float | None = None, *, limit: int = 500) -> list[Applied]:
        """Raise the supervision card of every case whose running handling clock has passed a mark
        (system actor), in one transaction (or the caller's)."""
        at = self.clock.now() if now is None else now
        raised: list[Applied] = []
        with self.transaction():
            # The same bounds as sla.card_level: the light at its mark, a card only past its limit. Naming
            # both exercise values lets the planner range-scan cases_timers instead of every open case.
            rows = self.conn.execute(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE is_open = 1 AND light_at IS NOT NULL "
                "AND exercise IN (0, 1) AND light_at <= ? "
                f"AND parked_since IS NULL AND state IN ({_HANDLING}) "
                "AND card < (CASE WHEN red_at < ? THEN 3 WHEN yellow_at < ? THEN 2 ELSE 1 END) "
                "ORDER BY light_at LIMIT ?",
                (at, at, at, limit),
            ).fetchall()
            for row in rows:
                case = case_from_row(row)
                level = self.timers.card(case, at)
                if level > case.card:
                    command = Command(
                        case.id, case.version, Action.CARD, SYSTEM_ACTOR, payload={"card": int(level)}
                    )
                    raised.append(self.act_in_transaction(command))
        return raised


def case_code(case: Case, timers: Timers) -> str:
    """The code an operator reads out: local discovery date and the case number, e.g. 20261121-4711."""
    return f"{timers.local_date(case.discovered_at).replace('-', '')}-{case.id}"
