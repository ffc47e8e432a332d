"""Discovery: stored feed events become cases, exactly once, with merge proposals and auto-routing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from dispatch.casework.desk import CaseDesk
from dispatch.casework.model import OPEN_STATES, SYSTEM_ACTOR, Action, Applied, Case, CaseState, Command
from dispatch.casework.policy import AreaType, Policy, RoutingRule, Urgency
from dispatch.geo import degrees_around, distance_m

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
    auto: list[Applied] = field(default_factory=list)


_EVENT_SQL = (
    "SELECT id, source, event_id, revision, occurred_at, category, severity, title, description, lon, lat, "
    "address, grid, camera_id, exercise, cancelled FROM events WHERE id > ? ORDER BY id LIMIT ?"
)


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
        """Process up to `limit` new event rows in one transaction."""
        result = DiscoveryResult()
        with self.desk.transaction() as conn:
            row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
            cursor = int(row[0]) if row else 0
            events = conn.execute(_EVENT_SQL, (cursor, limit)).fetchall()
            for event in events:
                self._take(event, result)
            if events:
                conn.execute(
                    "INSERT INTO loop_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (CURSOR_KEY, str(events[-1][0])),
                )
        return result

    def _take(self, event: tuple[object, ...], result: DiscoveryResult) -> None:
        (row_id, source, event_id, revision, occurred_at, category, severity, title, description, lon, lat,
         address, grid, camera_id, exercise, cancelled) = event  # fmt: skip
        if bool(exercise) != self.exercise_store:
            result.skipped_exercise += 1
            return
        conn = self.desk.conn
        linked = conn.execute(
            "SELECT case_id FROM case_events WHERE source = ? AND event_id = ?", (source, event_id)
        ).fetchall()
        if linked:
            # A new revision of an event we already have: point its cases at the newest row, and tell
            # the open ones (timeline entry; escalation when it got more severe).
            conn.execute(
                "UPDATE case_events SET event_row = ? WHERE source = ? AND event_id = ?",
                (row_id, source, event_id),
            )
            update = {"source": source, "event_id": event_id, "revision": revision, "severity": severity,
                      "title": title, "cancelled": bool(cancelled)}  # fmt: skip
            for (case_id,) in linked:
                self._tell_case(case_id, update)
            result.linked += 1
            return
        if cancelled:
            return
        assert isinstance(occurred_at, float)
        assert isinstance(severity, int)
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
        result.opened.append(case)
        result.proposals += self._propose_merges(case)
        self._triage(case, result)

    def _tell_case(self, case_id: int, update: dict[str, object]) -> None:
        case = self.desk.get(case_id)
        if case.state not in OPEN_STATES:
            return
        command = Command(case.id, case.version, Action.SOURCE_UPDATE, SYSTEM_ACTOR, payload=dict(update))
        self.desk.act_in_transaction(command)

    def _with_register_due(self, draft: Case) -> Case:
        due = self.desk.timers.register_due(
            draft.category, Urgency(draft.urgency), AreaType(draft.area), draft.discovered_at
        )
        return dataclasses.replace(draft, register_due=due)

    def _propose_merges(self, case: Case) -> int:
        """Open cases of the same category near in place and time become merge proposals."""
        if case.lon is None or case.lat is None:
            return 0
        rule = self.policy.duplicate_rule(case.category)
        conn = self.desk.conn
        # A lon/lat box around the report lets SQLite drop far-away cases before Python measures any.
        dlon, dlat = degrees_around(case.lat, rule.radius_m)
        rows = conn.execute(
            "SELECT id, lon, lat, discovered_at FROM cases WHERE is_open = 1 AND category = ? "
            "AND discovered_at BETWEEN ? AND ? AND id != ? AND exercise = ? "
            "AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?",
            (case.category, case.discovered_at - rule.window_s, case.discovered_at + rule.window_s, case.id,
             int(case.exercise), case.lon - dlon, case.lon + dlon, case.lat - dlat, case.lat + dlat),
        ).fetchall()  # fmt: skip
        count = 0
        for other_id, other_lon, other_lat, other_at in rows:
            gap_m = distance_m(case.lon, case.lat, other_lon, other_lat)
            if gap_m <= rule.radius_m:
                conn.execute(
                    "INSERT OR IGNORE INTO merge_proposals "
                    "(case_id, candidate_id, distance_m, gap_s, created_at) VALUES (?, ?, ?, ?, ?)",
                    (case.id, other_id, gap_m, abs(case.discovered_at - other_at), self.desk.clock.now()),
                )
                count += 1
        return count

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
