"""Discovery: stored feed events become cases exactly once; repeated alarms fold, duplicates cluster."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from dispatch.casework.jobs import Job
from dispatch.casework.model import OPEN_STATES, SYSTEM_ACTOR, Action, Applied, Case, CaseState, Command
from dispatch.casework.policy import AreaType, Policy, RoutingRule, Urgency
from dispatch.casework.records import clusters, episodes, failures
from dispatch.casework.records.commands import CaseDesk

CURSOR_KEY = "discovery_cursor"
Route = Callable[[str, str], RoutingRule | None]
Locate = Callable[[float | None, float | None, str], str]


def district_from_grid(lon: float | None, lat: float | None, grid: str) -> str:
    """A grid code (GB/T 30428) starts with the six-digit county-level code: that is the district."""
    return grid[:6] if len(grid) >= 6 else ""


@dataclass(slots=True)
class DiscoveryResult:
    """What one pass over new events did."""

    opened: list[Case] = field(default_factory=list)
    linked: int = 0
    skipped_exercise: int = 0
    proposals: int = 0
    folded: int = 0  # repeated alarms that updated the open case of their episode
    clearing: int = 0  # cases newly proposed for 自动消警 because their alarms cleared
    cleared_alone: int = 0  # cleared reports of no open episode: nothing to clear, no case
    auto: list[Applied] = field(default_factory=list)
    read: int = 0  # event rows taken past the cursor, whatever became of them
    failed: list[int] = field(default_factory=list)  # event rows set aside (failures.Job.DISCOVERY)
    retried: int = 0  # set-aside event rows that went through on an operator's retry

    def add(self, other: DiscoveryResult) -> None:
        self.opened.extend(other.opened)
        self.linked += other.linked
        self.skipped_exercise += other.skipped_exercise
        self.proposals += other.proposals
        self.folded += other.folded
        self.clearing += other.clearing
        self.cleared_alone += other.cleared_alone
        self.auto.extend(other.auto)


_EVENT_COLUMNS = (
    "id, source, event_id, revision, occurred_at, category, severity, title, description, lon, lat, "
    "address, grid, camera_id, exercise, cancelled"
)
_EVENT_SQL = f"SELECT {_EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?"
_ONE_EVENT_SQL = f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?"


class Discovery:
    """Turns event rows past a durable cursor into cases; the cursor moves in the same transaction.

    Real stores never open cases for exercise events (CAP Exercise/Test or `exercise: true`): those are
    counted and skipped. A drill store (`exercise_store=True`) opens them as exercise cases instead.
    """

    def __init__(
        self, desk: CaseDesk, policy: Policy, route: Route, locate: Locate = district_from_grid,
        *, exercise_store: bool = False,
    ) -> None:  # fmt: skip
        self.desk = desk
        self.policy = policy
        self.route = route
        self.locate = locate
        self.exercise_store = exercise_store

    def run_once(self, limit: int = 2000) -> DiscoveryResult:
        """Process up to `limit` new event rows in one transaction, and any set-aside rows an operator asked
        to retry. A row that fails is set aside (failures.Job.DISCOVERY) and the cursor moves past it."""
        result = DiscoveryResult()
        now = self.desk.clock.now()
        with self.desk.transaction() as conn:
            for item in failures.retries_due(conn, Job.DISCOVERY, limit):
                event = conn.execute(_ONE_EVENT_SQL, (int(item),)).fetchone() if item.isdigit() else None
                if event is None or self._attempt(event, result, now):
                    failures.clear(conn, Job.DISCOVERY, item)
                    result.retried += event is not None
            row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
            cursor = int(row[0]) if row else 0
            events = conn.execute(_EVENT_SQL, (cursor, limit)).fetchall()
            result.read = len(events)
            for event in events:
                self._attempt(event, result, now)
            if events:
                conn.execute(
                    "INSERT INTO loop_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (CURSOR_KEY, str(events[-1][0])),
                )
        return result

    def _attempt(self, event: tuple[object, ...], result: DiscoveryResult, now: float) -> bool:
        """Take one event row in a savepoint; what it did counts only when it went through."""
        mine = DiscoveryResult()
        row_id = int(event[0])  # type: ignore[call-overload]
        error = failures.attempt(
            self.desk.conn, Job.DISCOVERY, str(row_id), lambda: self._take(event, mine), now
        )
        if error is not None:
            result.failed.append(row_id)
            return False
        result.add(mine)
        return True

    def _take(self, event: tuple[object, ...], result: DiscoveryResult) -> None:
        (row_id, source, event_id, revision, occurred_at, category, severity, title, description, lon, lat,
         address, grid, camera_id, exercise, cancelled) = event  # fmt: skip
        if bool(exercise) != self.exercise_store:
            result.skipped_exercise += 1
            return
        conn = self.desk.conn
        rule = self.policy.episodes
        # Only machine sources have episodes: their payload says which device spoke and whether it cleared.
        alarm = (
            episodes.read_signal(
                conn.execute("SELECT payload FROM events WHERE id = ?", (row_id,)).fetchone()[0]
            )
            if source in rule.sources
            else episodes.Alarm()
        )
        key = episodes.episode_key(
            rule, str(source), str(category), alarm.device, str(camera_id or ""), str(address or "")
        )
        update = {"source": source, "event_id": event_id, "revision": revision, "severity": severity,
                  "title": title, "cancelled": bool(cancelled)}  # fmt: skip
        if alarm.cleared:
            update["cleared"] = True
        linked = conn.execute(
            "SELECT case_id FROM case_events WHERE source = ? AND event_id = ?", (source, event_id)
        ).fetchall()
        if linked:
            # A new revision of an event we already have: point its cases at the newest row, and tell
            # the open ones (timeline entry; escalation when it got more severe; a clearing proposal).
            conn.execute(
                "UPDATE case_events SET event_row = ? WHERE source = ? AND event_id = ?",
                (row_id, source, event_id),
            )
            for (case_id,) in linked:
                self._tell_case(case_id, update, key, occurred_at, int(row_id), alarm, result)  # type: ignore[call-overload]
            result.linked += 1
            return
        if cancelled:
            return
        if not isinstance(occurred_at, float):
            raise TypeError(f"occurred_at is {occurred_at!r}, not a time")
        if not isinstance(severity, int):
            raise TypeError(f"severity is {severity!r}, not a level")
        if key is not None:
            folded_into = episodes.find_open(
                conn,
                rule,
                key,
                exercise=bool(exercise),
                at=occurred_at,
                lon=_opt_float(lon),
                lat=_opt_float(lat),
            )
            if folded_into is not None:
                conn.execute(
                    "INSERT INTO case_events (case_id, source, event_id, event_row, linked_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (folded_into, source, event_id, row_id, self.desk.clock.now()),
                )
                update["repeat"] = True
                if alarm.device is not None:
                    update["device"] = alarm.device
                self._tell_case(folded_into, update, key, occurred_at, int(row_id), alarm, result)  # type: ignore[call-overload]
                result.folded += 1
                return
        if alarm.cleared:
            result.cleared_alone += 1
            return
        district = self.locate(_opt_float(lon), _opt_float(lat), str(grid or ""))
        draft = Case(
            id=0, code="", state=CaseState.DISCOVERED, version=1, exercise=bool(exercise),
            category=str(category), severity=severity,
            urgency=self.policy.urgency(severity).value, area=self.policy.area(district).value,
            title=str(title), description=str(description or ""), address=str(address or ""),
            lon=_opt_float(lon), lat=_opt_float(lat), district=district, grid=str(grid or ""),
            source=str(source), camera_id=str(camera_id or ""), discovered_at=occurred_at,
            updated_at=occurred_at, updated_by=SYSTEM_ACTOR.login,
        )  # fmt: skip
        draft = self._with_register_due(draft)
        case = self.desk.open_case(
            draft, payload={"source": source, "event_id": event_id, "revision": revision}
        )
        conn.execute(
            "INSERT INTO case_events (case_id, source, event_id, event_row, linked_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (case.id, source, event_id, row_id, self.desk.clock.now()),
        )
        if key is not None:
            episodes.begin(conn, key, case, occurred_at)
        result.opened.append(case)
        result.proposals += clusters.place(
            self.desk.conn, case, self.policy.duplicate_rule(case.category), self.desk.clock.now()
        )
        self._triage(case, result)

    def _tell_case(
        self, case_id: int, update: dict[str, object], key: str | None, at: object, row_id: int,
        alarm: episodes.Alarm, result: DiscoveryResult,
    ) -> None:  # fmt: skip
        """An open case hears its source again: a timeline entry by system, and its episode moves on."""
        case = self.desk.get(case_id)
        if case.state not in OPEN_STATES:
            return
        command = Command(case.id, case.version, Action.SOURCE_UPDATE, SYSTEM_ACTOR, payload=dict(update))
        told = self.desk.act_in_transaction(command).case
        if isinstance(at, float):
            episodes.extend(self.desk.conn, key, case_id, at, cleared=alarm.cleared)
        if alarm.cleared:
            result.clearing += episodes.propose_clearing(self.desk.conn, told, row_id, self.desk.clock.now())

    def _with_register_due(self, draft: Case) -> Case:
        due = self.desk.timers.register_due(
            draft.category, Urgency(draft.urgency), AreaType(draft.area), draft.discovered_at
        )
        return dataclasses.replace(draft, register_due=due)

    def _triage(self, case: Case, result: DiscoveryResult) -> None:
        """Reports that need checking go to Verifying; auto-routed categories are registered, dispatched."""
        if self.policy.needs_verification(case.source):
            self.desk.act_in_transaction(Command(case.id, case.version, Action.REQUEST_VERIFY, SYSTEM_ACTOR))
            return
        rule = self.route(case.category, case.district)
        if rule is None or not rule.auto:
            return
        registered = self.desk.act_in_transaction(
            Command(case.id, case.version, Action.REGISTER, SYSTEM_ACTOR, payload={"auto": True})
        )
        dispatched = self.desk.act_in_transaction(
            Command(case.id, registered.case.version, Action.DISPATCH, SYSTEM_ACTOR,
                    payload={"unit": rule.unit, "auto": True})
        )  # fmt: skip
        result.auto.append(dispatched)


def _opt_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
