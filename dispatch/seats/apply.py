"""Applying a centre's log to one seat's store, in order, deterministically, the cursor in the same
transaction."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from dispatch.casework.model import Applied, Case, Refusal, Refused
from dispatch.casework.policy import Policy
from dispatch.casework.records import inbox, levels
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery, Locate
from dispatch.casework.records.failures import request_retry
from dispatch.casework.records.handover import acknowledge, insert_handover, load_handover
from dispatch.casework.records.supervision import sweep_cards
from dispatch.casework.routing import Router
from dispatch.casework.shifts import Handover, HandoverError, Shift
from dispatch.casework.timers import Timers
from dispatch.seats import transfers
from dispatch.seats.entries import (
    BadEntry,
    CommandEntry,
    EventEntry,
    EventsEntry,
    HandoverEntry,
    JobsEntry,
    LeaseEntry,
    ReadingEntry,
    ReadingsEntry,
    RelayedEntry,
    ReportEntry,
    RetryEntry,
    TransferEntry,
    decode,
    encode,
    to_command,
    wire_actor,
)
from dispatch.store.rows import COUNT_DUPLICATE
from dispatch.store.savepoint import savepoint

log = logging.getLogger(__name__)
# One delivered entry: its sequence, its bytes and when the hub stored it (None: unknown), and the
# subject it was published on when the hub says (a transfer must come on its sender's subject).
Delivery = tuple[int, bytes, float | None] | tuple[int, bytes, float | None, str]
SEQ_KEY = "seat_applied_seq"
# How far ahead of the hub's own clock an entry may be dated. The log's time never goes back, so one
# entry dated next year would date every later command next year: such an entry is refused (alike on
# every seat: the hub's time is stored with the entry).
MAX_AHEAD_S = 300.0
AT_KEY = "seat_applied_at"
# The lease term in force: the last lease entry's. Jobs under any other term are a stale leader's.
TERM_KEY = "seat_lease_term"
# The periodic jobs a leader may run through the log (each deterministic at the entry's time).
JOBS = ("discovery", "supervision")
# Event rows one run of discovery takes at most on a seat: a run is applied on the store's thread between
# an officer's commands (~0.4 ms a row that opens a case: ~0.2 s), and the leader publishes the next run
# as soon as one leaves rows behind (dispatch/seats/leading.py).
DISCOVERY_LIMIT = 500
_SET = (
    "INSERT INTO loop_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_EVENT_SQL = (
    "INSERT OR IGNORE INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, "
    "category, severity, title, description, lon, lat, address, grid, camera_id, exercise, cancelled, "
    "payload) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one log entry did on this seat (the same on every seat)."""

    seq: int
    entry_id: str  # "" when the bytes were no entry at all
    seat: str
    applied: Applied | None = None
    refused: Refused | None = None
    opened: tuple[int, ...] = ()  # the cases an event (or the discovery job, or an escalation) opened
    raised: tuple[int, ...] = ()  # the cases whose supervision card the jobs raised
    stored: int = 0  # feed events an events entry stored here (not seen before)
    marked: int = 0  # set-aside items a retry entry marked for the jobs' next run
    handover: Handover | None = None  # the handover a handover entry wrote or signed for
    problem: HandoverError | None = None  # … or why it could not (the same on every seat)
    set_aside: int = 0  # … and those that could not be stored (kept in the quarantine)
    # The hub had this entry already (same message id): `seq` is the first one's, applied before.
    duplicate: bool = False


class Gap(Exception):
    """An entry past the next one: an earlier one has not been applied (deliveries of two consumers
    overlapping around a re-follow). Applying it would skip one for good, so it is not applied."""

    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"expected log entry {expected}, got {got}")
        self.expected = expected


@dataclass(frozen=True, slots=True)
class Batch:
    """What one transaction of entries did: their outcomes in order, and the gap it stopped at."""

    outcomes: list[Outcome]
    gap: Gap | None = None


class EntryClock:
    """The desk's clock while it applies an entry: the entry's time, never this machine's."""

    def __init__(self, at: float) -> None:
        self.at = at

    def now(self) -> float:
        return self.at

    def monotonic(self) -> float:
        return self.at


def read_cursor(conn: sqlite3.Connection) -> tuple[int, float]:
    """The last applied sequence and the time it was applied at (0, 0.0 on a store that never joined)."""
    rows = dict(conn.execute("SELECT key, value FROM loop_state WHERE key IN (?, ?)", (SEQ_KEY, AT_KEY)))
    return int(rows.get(SEQ_KEY, 0)), float(rows.get(AT_KEY, 0.0))


def read_term(conn: sqlite3.Connection) -> int:
    """The lease term in force in this replica (0: no leader ever)."""
    row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (TERM_KEY,)).fetchone()
    return int(row[0]) if row else 0


class Applier:
    """On the store's own thread: takes log entries in sequence order and applies each exactly once.

    Determinism is the whole point: an entry's outcome depends only on the store (itself the result of
    the entries before it) and the entry, so every seat that applies the same log holds the same cases
    and the same audit chain. Hence the entry's time, not the clock, and a time that never goes back (a
    seat whose clock runs behind cannot date a command before the one applied before it).
    """

    def __init__(self, conn: sqlite3.Connection, policy: Policy, locate: Locate) -> None:
        self.clock = EntryClock(0.0)
        self.desk = CaseDesk(conn, Timers(policy), self.clock)
        self.desk.levels = True  # a seat's centre may escalate and hand down (through its hub)
        self.policy = policy
        self.discovery = Discovery(self.desk, policy, Router(policy.routing).route, locate)
        self.seq, self.at = read_cursor(conn)
        self.term = read_term(conn)
        # Events stored that discovery has not taken yet (as far as this seat knows: True after a start,
        # when it has not looked). The leader publishes runs of discovery while its replica says so.
        self.undiscovered = True

    def apply(self, seq: int, data: bytes, stored_at: float | None = None) -> Outcome | None:
        """Apply the entry at `seq`; None when it was applied before (a delivery repeated after a
        reconnect), Gap when it is not the next one. A sqlite3.OperationalError (disk full, I/O)
        leaves the cursor where it was and propagates: the seat must not skip an entry others applied.
        `stored_at`: when the hub stored the entry (None: no bound on the entry's time)."""
        batch = self.apply_batch([(seq, data, stored_at)])
        if batch.gap is not None:
            raise batch.gap
        return batch.outcomes[0] if batch.outcomes else None

    def apply_batch(self, entries: Sequence[Delivery]) -> Batch:
        """`apply` for entries delivered one after another, in ONE transaction (a commit per entry
        would cost a third of the time in a catch-up). The outcomes are those of applying them one by
        one; the cursor ends at the last one applied. Entries after a gap are not applied."""
        before = self.seq, self.at, self.term
        outcomes: list[Outcome] = []
        gap: Gap | None = None
        try:
            with self.desk.transaction() as conn:
                for delivery in entries:
                    seq, data, stored_at = delivery[0], delivery[1], delivery[2]
                    subject = delivery[3] if len(delivery) > 3 else None
                    if seq <= self.seq:
                        continue
                    if seq != self.seq + 1:
                        # The centre's stream never deletes entries, and de-duplication takes no
                        # sequence: every number is an entry, so a jump means one was missed here.
                        gap = Gap(self.seq + 1, seq)
                        break
                    outcomes.append(self._apply(seq, data, stored_at, subject))
                    self.seq, self.at = seq, self.clock.at
                if outcomes:
                    conn.execute(_SET, (SEQ_KEY, str(self.seq)))
                    conn.execute(_SET, (AT_KEY, repr(self.at)))
                    conn.execute(_SET, (TERM_KEY, str(self.term)))
        except BaseException:
            self.seq, self.at, self.term = before  # rolled back: the store is where it was
            raise
        return Batch(outcomes, gap)

    def _apply(self, seq: int, data: bytes, stored_at: float | None, subject: str | None = None) -> Outcome:
        self.clock.at = self.at
        try:
            entry = decode(data)
        except BadEntry as error:
            return Outcome(seq, "", "", refused=Refused(Refusal.BAD_PAYLOAD, str(error)))
        if stored_at is not None and entry.at > stored_at + MAX_AHEAD_S:
            ahead = f"the entry is dated {entry.at - stored_at:.0f} s ahead of the hub's clock"
            return Outcome(seq, entry.id, entry.seat, refused=Refused(Refusal.BAD_PAYLOAD, ahead))
        self.clock.at = max(entry.at, self.at)
        problem = transfers.misrouted(entry, subject)
        if problem is not None:
            return Outcome(seq, entry.id, entry.seat, refused=Refused(Refusal.FORBIDDEN, problem))
        try:
            if isinstance(entry, CommandEntry):
                applied = self.desk.act_in_transaction(to_command(entry))
                return Outcome(seq, entry.id, entry.seat, applied=applied)
            if isinstance(entry, LeaseEntry):
                return self._lease(seq, entry)
            if isinstance(entry, JobsEntry):
                return self._jobs(seq, entry)
            if isinstance(entry, TransferEntry):
                return self._transfer(seq, entry)
            if isinstance(entry, RelayedEntry):
                return self._relayed(seq, entry)
            if isinstance(entry, ReportEntry):
                return self._report(seq, entry)
            if isinstance(entry, ReadingEntry):
                return self._reading(seq, entry)
            if isinstance(entry, EventsEntry):
                return self._events(seq, entry)
            if isinstance(entry, ReadingsEntry):
                return self._readings(seq, entry)
            if isinstance(entry, RetryEntry):
                return Outcome(seq, entry.id, entry.seat, marked=request_retry(self.desk.conn))
            if isinstance(entry, HandoverEntry):
                return self._handover(seq, entry)
            return Outcome(seq, entry.id, entry.seat, opened=self._event(seq, entry, data))
        except Refused as refused:
            return Outcome(seq, entry.id, entry.seat, refused=refused)
        except BadEntry as error:
            return Outcome(seq, entry.id, entry.seat, refused=Refused(Refusal.BAD_PAYLOAD, str(error)))
        except sqlite3.OperationalError:
            raise
        except Exception as error:  # the same entry fails alike everywhere; the log goes on
            log.error("log entry %d (%s) failed on this seat: %s", seq, entry.id, error, exc_info=error)
            return Outcome(seq, entry.id, entry.seat, refused=Refused(Refusal.BAD_PAYLOAD, str(error)))

    def _event(self, seq: int, entry: EventEntry, data: bytes) -> tuple[int, ...]:
        conn = self.desk.conn
        with savepoint(conn, "seat_event"):  # a failing event leaves no row behind, like a refused command
            cursor = conn.execute(_EVENT_SQL, (
                entry.source, entry.event_id, entry.revision, f"seat:{entry.seat}", seq, self.clock.at,
                entry.occurred_at, entry.category, entry.severity, entry.title, entry.description, entry.lon,
                entry.lat, entry.address, entry.grid, entry.camera_id, int(entry.exercise),
                int(entry.cancelled), data.decode(),
            ))  # fmt: skip
            if cursor.rowcount == 0:
                conn.execute(COUNT_DUPLICATE, (entry.source, entry.event_id, entry.revision))
                opened: tuple[int, ...] = ()
            else:
                opened = tuple(case.id for case in self.discovery.run_once().opened)
        return opened

    def _events(self, seq: int, entry: EventsEntry) -> Outcome:
        """Store a feed's events (each revision once); discovery takes them in the leader's next run. An
        event whose row cannot be written is set aside in the quarantine, alike on every seat, and the
        others are stored: one bad event must not cost the rest of its entry."""
        conn = self.desk.conn
        rows = [self._event_row(seq, event) for event in entry.events]
        try:
            with savepoint(conn, "seat_events"):
                stored, set_aside = sum(conn.execute(_EVENT_SQL, row).rowcount for row in rows), 0
        except sqlite3.OperationalError:
            raise
        except sqlite3.Error:  # one by one, to find the one that fails
            stored, set_aside = self._events_one_by_one(seq, entry, rows)
        if stored:
            self.undiscovered = True
        return Outcome(seq, entry.id, entry.seat, stored=stored, set_aside=set_aside)

    def _event_row(self, seq: int, event: EventEntry) -> tuple[object, ...]:
        return (
            event.source, event.event_id, event.revision, f"seat:{event.seat}", seq, self.clock.at,
            event.occurred_at, event.category, event.severity, event.title, event.description, event.lon,
            event.lat, event.address, event.grid, event.camera_id, int(event.exercise), int(event.cancelled),
            encode(event).decode(),
        )  # fmt: skip

    def _events_one_by_one(
        self, seq: int, entry: EventsEntry, rows: list[tuple[object, ...]]
    ) -> tuple[int, int]:
        conn = self.desk.conn
        stored = set_aside = 0
        for event, row in zip(entry.events, rows, strict=True):
            try:
                with savepoint(conn, "seat_one_event"):
                    stored += conn.execute(_EVENT_SQL, row).rowcount
            except sqlite3.OperationalError:
                raise
            except sqlite3.Error as error:
                set_aside, raw = set_aside + 1, str(row[-1])
                conn.execute(
                    "INSERT INTO quarantine (feed, received_at, seq, reason, detail, raw, raw_size) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (f"seat:{event.seat}", self.clock.at, seq, "store", str(error), raw, len(raw)),
                )  # fmt: skip
                log.error("log entry %d: event %s set aside: %s", seq, event.id, error)
        return stored, set_aside

    def _handover(self, seq: int, entry: HandoverEntry) -> Outcome:
        """Write a handover (the open cases as they are at the entry's time) or sign for one; refused
        alike on every seat when the handover rules say no. Not signed with an audit checkpoint here:
        checkpoints are signed with a console's own key (docs/seats.md, Not done)."""
        actor, conn, now = wire_actor(entry.actor), self.desk.conn, self.clock.at
        try:
            with savepoint(conn, "seat_handover"):
                if entry.kind == "write":
                    shift = Shift(entry.shift_start, entry.shift_end, 0)
                    handover_id = insert_handover(
                        conn, shift=shift, author=actor, note=entry.note, now=now, exercise=entry.exercise
                    )
                    written = load_handover(conn, handover_id)
                elif entry.kind == "receive":
                    written = acknowledge(conn, entry.handover, actor, now)
                else:
                    raise BadEntry(f"unknown handover kind {entry.kind!r}")
        except HandoverError as problem:
            return Outcome(seq, entry.id, entry.seat, problem=problem)
        return Outcome(seq, entry.id, entry.seat, handover=written)

    def _lease(self, seq: int, entry: LeaseEntry) -> Outcome:
        if entry.term <= self.term:
            # The hub's revisions only grow: a term at or below the one in force is an old one again.
            raise Refused(Refusal.STALE, f"lease term {entry.term} is not after term {self.term}")
        self.term = entry.term
        return Outcome(seq, entry.id, entry.seat)

    def _jobs(self, seq: int, entry: JobsEntry) -> Outcome:
        """Fencing: a leader that lost its lease without knowing (paused, cut off) may still publish; its
        jobs come after the new leader's lease entry in the log, so every seat refuses them alike."""
        if entry.term != self.term:
            raise Refused(Refusal.STALE, f"jobs under lease term {entry.term}; term {self.term} is in force")
        unknown = sorted(set(entry.jobs) - set(JOBS))
        if unknown:
            raise BadEntry(f"unknown jobs: {', '.join(unknown)}")
        # A failing job leaves nothing behind, like a refused command.
        with savepoint(self.desk.conn, "seat_jobs"):
            # Each job sets a failing item aside by itself; the order of JOBS, whatever the entry's.
            opened = self._discover() if "discovery" in entry.jobs else []
            raised = sweep_cards(self.desk).raised if "supervision" in entry.jobs else []
        return Outcome(
            seq, entry.id, entry.seat, opened=tuple(case.id for case in opened),
            raised=tuple(applied.case.id for applied in raised),
        )  # fmt: skip

    def _discover(self) -> list[Case]:
        result = self.discovery.run_once(DISCOVERY_LIMIT)
        self.undiscovered = result.read >= DISCOVERY_LIMIT  # rows left for the next run
        return result.opened

    # -- levels ------------------------------------------------------------------------------------------

    def _transfer(self, seq: int, entry: TransferEntry) -> Outcome:
        """Another centre's escalation opens a case here; its return takes the escalated case back."""
        conn = self.desk.conn
        if entry.kind == levels.WARNING:  # stored once by its identity, like any report
            warning = transfers.warning_event(entry)
            return Outcome(seq, entry.id, entry.seat, opened=self._event(seq, warning, encode(warning)))
        if levels.taken(conn, entry.sender, entry.transfer):
            return Outcome(seq, entry.id, entry.seat)  # sent again (a new leader): taken once
        with savepoint(conn, "seat_transfer"):  # a refused transfer leaves no half-opened case behind
            if entry.kind == levels.ESCALATE:
                case = transfers.take_escalation(self.desk, self.policy, entry)
                return Outcome(seq, entry.id, entry.seat, opened=(case.id,))
            if entry.kind in (levels.HAND_DOWN, levels.CLOSED):
                closed = entry.kind == levels.CLOSED
                return Outcome(
                    seq, entry.id, entry.seat, applied=transfers.take_return(self.desk, entry, closed=closed)
                )
            raise BadEntry(f"unknown transfer kind {entry.kind!r}")

    def _report(self, seq: int, entry: ReportEntry) -> Outcome:
        """A unit's report: applied to its order's case at the entry's time, once (a report seen before,
        from another seat's feed, changes nothing); one that is no report is refused alike everywhere."""
        try:
            result = inbox.apply_stored(self.desk, f"seat:{entry.seat}", seq, entry.body)
        except msgspec.DecodeError as error:  # ValidationError is one
            raise BadEntry(f"not a unit's report: {error}") from None
        return Outcome(seq, entry.id, entry.seat, applied=result.applied)

    def _reading(self, seq: int, entry: ReadingEntry) -> Outcome:
        """A vital-sign reading into the replica's metrics (once by its name, time and labels)."""
        self._hold_reading(seq, entry)
        return Outcome(seq, entry.id, entry.seat)

    def _readings(self, seq: int, entry: ReadingsEntry) -> Outcome:
        """Readings a feed brought together: held all, or (refused) none, alike on every seat."""
        with savepoint(self.desk.conn, "seat_readings"):
            for reading in entry.readings:
                self._hold_reading(seq, reading)
        return Outcome(seq, entry.id, entry.seat)

    def _hold_reading(self, seq: int, entry: ReadingEntry) -> None:
        conn = self.desk.conn
        labels = msgspec.json.encode(entry.labels, order="sorted").decode() if entry.labels else None
        seen = conn.execute(
            "SELECT 1 FROM metrics WHERE name = ? AND at = ? AND labels IS ?",
            (entry.name, entry.taken_at, labels),
        ).fetchone()
        if seen is None:
            conn.execute(
                "INSERT INTO metrics (feed, seq, name, value, unit, at, labels) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (f"seat:{entry.seat}", seq, entry.name, entry.value, entry.unit, entry.taken_at, labels),
            )

    def _relayed(self, seq: int, entry: RelayedEntry) -> Outcome:
        if entry.term != self.term:  # fenced like a run of the jobs
            raise Refused(
                Refusal.STALE, f"relayed under lease term {entry.term}; term {self.term} is in force"
            )
        levels.mark_relayed(self.desk.conn, entry.transfer, entry.remote_seq, self.clock.at)
        return Outcome(seq, entry.id, entry.seat)
