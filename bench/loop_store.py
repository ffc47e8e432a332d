"""Builds the `bench loop` store: a million historical cases and ten thousand open ones from the demo city."""

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from core.clock import iso_utc
from dispatch.casework.model import OPEN_STATES, Action, CaseState, Role
from dispatch.casework.policy import Policy
from dispatch.casework.records.audit import GENESIS, row_hash
from dispatch.casework.routing import Router
from dispatch.casework.search import index_text
from dispatch.store.database import open_store
from sim import catalog
from sim.city import demo_city
from sim.places import Places

S = CaseState
A = Action
BATCH = 50_000
POOL = 20_000
DAY = 86_400.0
HISTORY_DAYS = 3 * 365
# How finished work ends, and where open work stands, in shares of cases.
_HISTORY = ((S.CLOSED, 0.55), (S.EVALUATED, 0.25), (S.ARCHIVED, 0.08), (S.VOID, 0.08), (S.MERGED, 0.04))
_OPEN = ((S.DISCOVERED, 0.15), (S.VERIFYING, 0.05), (S.REGISTERED, 0.20), (S.DISPATCHED, 0.15),
         (S.SIGNED, 0.10), (S.IN_PROGRESS, 0.15), (S.REWORK, 0.03), (S.RETURN_REQUESTED, 0.02),
         (S.HANDLED, 0.08), (S.CHECKING, 0.07))  # fmt: skip
# The audit path that leads to each state (history keeps only its first and last step, see below).
_PATH = (
    (A.REGISTER, S.DISCOVERED, S.REGISTERED, "shift_lead"),
    (A.DISPATCH, S.REGISTERED, S.DISPATCHED, "dispatcher"),
    (A.SIGN, S.DISPATCHED, S.SIGNED, "unit"),
    (A.PROGRESS, S.SIGNED, S.IN_PROGRESS, "unit"),
    (A.HANDLE, S.IN_PROGRESS, S.HANDLED, "unit"),
    (A.START_CHECK, S.HANDLED, S.CHECKING, "supervisor"),
    (A.FAIL_CHECK, S.CHECKING, S.REWORK, "supervisor"),
)
_STEPS_TO = {S.DISCOVERED: 0, S.REGISTERED: 1, S.DISPATCHED: 2, S.SIGNED: 3, S.IN_PROGRESS: 4, S.HANDLED: 5,
             S.CHECKING: 6, S.REWORK: 7}  # fmt: skip
_CASE_COLUMNS = (
    "id, code, state, is_open, version, exercise, category, severity, urgency, area, title, description, "
    "address, lon, lat, district, grid, source, camera_id, discovered_at, updated_at, updated_by, unit, "
    "master_id, register_due, sign_due, handle_due, check_due, handle_unit, handle_budget_s, light_at, "
    "yellow_at, red_at, card, acknowledged, verified"
)
_ENCODER = msgspec.json.Encoder(order="sorted")


@dataclass(frozen=True, slots=True)
class Report:
    """One believable report of the demo city, reused across many cases with other times and codes."""

    category: str
    source: str
    severity: int
    title: str
    description: str
    address: str
    lon: float
    lat: float
    grid: str
    camera_id: str
    terms: str


def report_pool(seed: int, size: int = POOL) -> list[Report]:
    rng = random.Random(seed)
    city = demo_city()
    places = Places(city, rng)
    weights = [c.weight for c in catalog.CATEGORIES]
    pool = []
    for _ in range(size):
        category = rng.choices(catalog.CATEGORIES, weights)[0]
        source = rng.choices([s for s, _ in category.sources], [w for _, w in category.sources])[0]
        spot = places.spot(category, source)
        severity = catalog.severity_for(category, rng)
        title, description = catalog.wording(category.code, source, severity, spot.place, spot.address, rng)
        pool.append(Report(category.code, source, severity, title, description, spot.address, spot.lon,
                           spot.lat, spot.grid, spot.camera_id or "",
                           index_text(title, description, spot.address)))  # fmt: skip
    return pool


class _Writer:
    """Accumulates rows per table and writes each batch with executemany; chains the audit as it goes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.audit_id = 0
        self.prev = GENESIS
        self.rows: dict[str, list[tuple[Any, ...]]] = {"cases": [], "fts": [], "audit": [], "outbox": []}

    def audit(self, case_id: int, before: S, after: S, action: A, actor: str, role: str, at: float,
              payload: dict[str, Any]) -> None:  # fmt: skip
        self.audit_id += 1
        fields = (self.audit_id, case_id, before.value, after.value, action.value, actor, role, float(at), "",
                  _ENCODER.encode(payload).decode(), 0)  # fmt: skip
        digest = row_hash(self.prev, fields)
        self.rows["audit"].append((*fields, self.prev, digest))
        self.prev = digest

    def flush(self) -> None:
        conn = self.conn
        conn.execute("BEGIN")
        marks = ", ".join("?" * len(_CASE_COLUMNS.split(",")))
        conn.executemany(f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES ({marks})", self.rows["cases"])
        conn.executemany("INSERT INTO cases_fts (rowid, terms) VALUES (?, ?)", self.rows["fts"])
        conn.executemany(
            "INSERT INTO audit (id, case_id, from_state, to_state, action, actor, role, at, reason, payload, "
            "exercise, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.rows["audit"],
        )
        conn.executemany(
            "INSERT INTO outbox (order_id, case_id, unit, body, exercise, created_at, sent_at, attempts, "
            "acked_at) VALUES (?, ?, ?, ?, 0, ?, ?, 1, ?)",
            self.rows["outbox"],
        )
        conn.execute("COMMIT")
        for rows in self.rows.values():
            rows.clear()


def _states(rng: random.Random, shares: tuple[tuple[S, float], ...], count: int) -> Iterator[S]:
    states = [s for s, _ in shares]
    weights = [w for _, w in shares]
    for _ in range(count):
        yield rng.choices(states, weights)[0]


def build(path: Path, policy: Policy, *, history: int, open_count: int, seed: int, now: float,
          progress: bool = True) -> None:  # fmt: skip
    """Write a new store at `path` with `history` finished and `open_count` open cases."""
    started = time.perf_counter()
    pool = report_pool(seed)
    rng = random.Random(seed + 1)
    router = Router(policy.routing)
    db = open_store(path)
    conn = db.conn
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    writer = _Writer(conn)
    history_start = now - HISTORY_DAYS * DAY
    history_span = (HISTORY_DAYS - 3) * DAY
    open_start = now - 3 * DAY
    total = history + open_count
    for n in range(1, total + 1):
        finished = n <= history
        if finished:
            discovered = history_start + history_span * (n - 1 + rng.random()) / history
            state = next(_states(rng, _HISTORY, 1))
        else:
            discovered = open_start + 3 * DAY * (n - history - 1 + rng.random()) / open_count
            state = next(_states(rng, _OPEN, 1))
        _case(writer, rng, pool[rng.randrange(len(pool))], router, policy, n, state, discovered, now)
        if n % BATCH == 0 or n == total:
            writer.flush()
            if progress:
                print(f"  built {n:,} of {total:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    conn.execute("PRAGMA optimize")
    db.close()


def _local_day(t: float) -> str:
    return time.strftime("%Y%m%d", time.gmtime(t + 8 * 3600))


def _case(writer: _Writer, rng: random.Random, report: Report, router: Router, policy: Policy, case_id: int,
          state: S, discovered: float, now: float) -> None:  # fmt: skip
    code = f"{_local_day(discovered)}-{case_id}"
    district = report.grid[:6]
    urgency = policy.urgency(report.severity).value
    area = policy.area(district).value
    rule = router.route(report.category, district)
    unit = rule.unit if rule is not None else "U-CITY-YJ"
    register_due = discovered + (600.0 if urgency == "urgent" else 1800.0)
    dispatched = discovered + rng.uniform(300.0, 1500.0)
    budget = 4 * 3600.0 if urgency == "urgent" else 16 * 3600.0
    handle_due = dispatched + budget
    handled_at = dispatched + budget * rng.uniform(0.2, 1.3)
    is_open = state in OPEN_STATES
    clocked = state not in (S.DISCOVERED, S.VERIFYING, S.REGISTERED, S.VOID, S.MERGED)
    versions = 1
    source = {"source": report.source, "event_id": f"{report.source}-{case_id}", "revision": 1}
    writer.audit(case_id, S.DISCOVERED, S.DISCOVERED, A.DISCOVER, "system", "system", discovered, source)
    if is_open:
        versions += _open_path(writer, case_id, state, unit, discovered, dispatched, handled_at, now)
    else:
        # History keeps its first and last audit step only: enough rows to weigh on every index a
        # transition writes to, without spending minutes hashing seven million of them.
        action = {S.CLOSED: A.CLOSE, S.EVALUATED: A.EVALUATE, S.ARCHIVED: A.ARCHIVE, S.VOID: A.VOID,
                  S.MERGED: A.MERGE}[state]  # fmt: skip
        before = {S.CLOSED: S.CHECKING, S.EVALUATED: S.CLOSED, S.ARCHIVED: S.EVALUATED, S.VOID: S.DISCOVERED,
                  S.MERGED: S.DISCOVERED}[state]  # fmt: skip
        ended = handled_at + rng.uniform(600.0, 7200.0) if clocked else discovered + rng.uniform(60, 900)
        writer.audit(case_id, before, state, action, "lead01", "shift_lead", ended, {})
        versions += 1
    card = 0
    if clocked and is_open and now > handle_due:
        card = 3 if now > dispatched + 1.5 * budget else 2
    elif clocked and rng.random() < 0.08:
        card = rng.choice((1, 2, 3))
    master = max(1, case_id - rng.randint(1, 40)) if state is S.MERGED else None
    writer.rows["cases"].append((
        case_id, code, state.value, int(is_open), versions, 0, report.category, report.severity, urgency,
        area, report.title, report.description, report.address, report.lon, report.lat, district,
        report.grid, report.source, report.camera_id, discovered, now if is_open else discovered, "system",
        unit if clocked else "", master, register_due, dispatched + 3600.0 if clocked else None,
        handle_due if clocked else None, handled_at + 3600.0 if clocked and not is_open else None,
        "working_hours" if clocked else "", budget if clocked else None,
        dispatched + 0.7 * budget if clocked else None, handle_due if clocked else None,
        dispatched + 1.5 * budget if clocked else None, card,
        int(report.severity > 2 or not is_open or rng.random() < 0.98), int(report.source != "hotline"),
    ))  # fmt: skip
    writer.rows["fts"].append((case_id, f"{report.terms} {code.lower()}"))
    if clocked:
        body = {"order_id": f"{code}-1", "case_id": code, "unit": unit, "category": report.category,
                "title": report.title, "location": {"lon": report.lon, "lat": report.lat,
                "address": report.address}, "deadline": iso_utc(handle_due), "instructions": "",
                "exercise": False}  # fmt: skip
        acked = None if is_open and rng.random() < 0.01 else dispatched + 1.0
        writer.rows["outbox"].append(
            (f"{code}-1", case_id, unit, _ENCODER.encode(body).decode(), dispatched, dispatched, acked)
        )


def _open_path(writer: _Writer, case_id: int, state: S, unit: str, discovered: float, dispatched: float,
               handled_at: float, now: float) -> int:  # fmt: skip
    """Audit rows from discovery to an open case's state, at plausible times; returns how many."""
    if state is S.VERIFYING:
        writer.audit(case_id, S.DISCOVERED, S.VERIFYING, A.REQUEST_VERIFY, "system", "system",
                     discovered + 1, {})  # fmt: skip
        return 1
    if state is S.RETURN_REQUESTED:
        steps = list(_PATH[:3])
        steps.append((A.REQUEST_RETURN, S.SIGNED, S.RETURN_REQUESTED, "unit"))
    else:
        steps = list(_PATH[: _STEPS_TO[state]])
    span = max(60.0, min(now, handled_at) - dispatched)
    for index, (action, before, after, role) in enumerate(steps):
        at = discovered + 60.0 if index == 0 else dispatched + span * (index - 1) / max(1, len(steps))
        actor = (
            unit if role == "unit" else {"shift_lead": "lead01", "dispatcher": "disp01"}.get(role, "sup01")
        )
        payload = {"unit": unit} if action is A.DISPATCH else {}
        writer.audit(case_id, before, after, action, actor, Role(role).value, at, payload)
    return len(steps)


def expected_size_gb(history: int) -> float:
    """A rough size of the built store, for the message before a long build."""
    return math.ceil(history * 1.7 / 1_000_000 * 10) / 10
