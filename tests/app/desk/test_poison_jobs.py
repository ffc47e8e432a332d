"""One poison item per periodic job of the duty beat: it is set aside and listed, the rest of the beat still
happens (a new case opens, a unit's report is applied, a card rises), it is not tried again every beat,
and an operator's retry takes it again (and clears it once the row is repaired)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from core.clock import ManualClock
from dispatch.casework.jobs import FailedItem, Job
from dispatch.casework.model import Card, CaseState
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.feed.orders_wire import Report
from dispatch.service import Beat, LocalLoop, LoopContext
from tests.dispatch.casework.policies import open_loop, put_event

POLICY = load_policy(default_policy_path())
T0 = 1_767_578_400.0  # Monday 2026-01-05 10:00 in Shanghai
MINUTE = 60.0
GRID = "339901001001"
YEAR_9999 = 253_402_300_799.0  # 9999-12-31T23:59:59Z, as an older version stored it unchecked


@dataclass
class World:
    """A store with three parking cases dispatched at T0 (urgent: handled within 30 minutes, so the light
    is due at 21 minutes): `carded` waits for its card, `reporting` for its unit's report, `spare` is the
    one a poison may spoil. The clock stands at 25 minutes."""

    path: Path
    clock: ManualClock
    worker: LocalLoop
    carded: int
    reporting: int
    spare: int
    order: str

    def sql(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        def job(ctx: LoopContext) -> list[tuple[object, ...]]:
            with ctx.desk.transaction() as conn:
                return conn.execute(statement, params).fetchall()

        return self.worker.call_blocking(job)

    def beat(self) -> Beat:
        return self.worker.beat().result(30)


def report_body(order: str, unit: str, action: str, at: float) -> str:
    return msgspec.json.encode(Report(order, unit, action, datetime.fromtimestamp(at, UTC))).decode()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    path = tmp_path / "store.sqlite3"
    clock = ManualClock(T0)
    loop = open_loop(path, clock, policy=POLICY)
    for i, name in enumerate(("carded", "reporting", "spare")):
        put_event(
            loop.conn, name, at=T0, category="illegal_parking", severity=2, grid=GRID, lon=114.3 + i / 100
        )
    opened = loop.discovery.run_once().opened
    assert [loop.desk.get(c.id).state for c in opened] == [CaseState.DISPATCHED] * 3
    (order,) = [
        r[0] for r in loop.conn.execute("SELECT order_id FROM outbox WHERE case_id = ?", (opened[1].id,))
    ]
    loop.close()
    clock.advance(25 * MINUTE)
    worker = LocalLoop(path, POLICY, clock)
    made = World(path, clock, worker, opened[0].id, opened[1].id, opened[2].id, order)
    yield made
    made.worker.close()


@dataclass(frozen=True)
class Poison:
    """A row an older version, a hand edit or a broken upstream left in the store, and how to mend it."""

    job: Job
    put: Callable[[World], str]  # writes the row, returns the item the job names it by
    mend: Callable[[World, str], None]


def _event_row(world: World, occurred_at: object) -> str:
    world.sql(
        "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, category, "
        "severity, title, lon, lat, grid, exercise, cancelled, payload) VALUES ('grid', 'poison', 1, 'test', "
        "900, ?, ?, 'manhole_cover', 3, '井盖缺失', 114.5, 30.6, ?, 0, 0, '{}')",
        world.clock.now(), occurred_at, GRID,
    )  # fmt: skip
    return str(world.sql("SELECT id FROM events WHERE event_id = 'poison'")[0][0])


def _mend_event(world: World, item: str) -> None:
    world.sql("UPDATE events SET occurred_at = ? WHERE id = ?", world.clock.now(), int(item))


def _report_row(world: World, body: str) -> str:
    world.sql(
        "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('test', 900, ?, ?)",
        body, world.clock.now(),
    )  # fmt: skip
    return str(world.sql("SELECT max(id) FROM report_inbox")[0][0])


def _mend_report(world: World, item: str) -> None:
    (order,) = world.sql("SELECT order_id, unit FROM outbox WHERE case_id = ?", world.spare)
    body = report_body(str(order[0]), str(order[1]), "sign", world.clock.now())
    world.sql("UPDATE report_inbox SET body = ? WHERE id = ?", body, int(item))


def _spoil_card(world: World) -> str:
    world.sql("UPDATE cases SET manual_card = 9 WHERE id = ?", world.spare)
    return str(world.spare)


def _mend_card(world: World, item: str) -> None:
    world.sql("UPDATE cases SET manual_card = 0 WHERE id = ?", int(item))


POISONS = {
    "discovery: a time that is text": Poison(
        Job.DISCOVERY, lambda w: _event_row(w, "yesterday"), _mend_event
    ),
    # H2 bounds new times at intake; a store written before that may still hold such a row.
    "discovery: year 9999": Poison(Job.DISCOVERY, lambda w: _event_row(w, YEAR_9999), _mend_event),
    "discovery: year 1": Poison(Job.DISCOVERY, lambda w: _event_row(w, -62_135_596_800.0), _mend_event),
    "reports: not JSON": Poison(Job.REPORTS, lambda w: _report_row(w, '{"order_id": '), _mend_report),
    "reports: a report that is a number": Poison(Job.REPORTS, lambda w: _report_row(w, "42"), _mend_report),
    "supervision: a card level that does not exist": Poison(Job.SUPERVISION, _spoil_card, _mend_card),
}


def listed(snapshot: Beat, job: Job, item: str) -> FailedItem | None:
    return next((f for f in snapshot.health.failed if (f.job, f.item) == (job, item)), None)


@pytest.mark.parametrize("name", list(POISONS))
def test_a_poison_item_is_set_aside_and_the_rest_of_the_beat_happens(world: World, name: str) -> None:
    poison = POISONS[name]
    item = poison.put(world)
    # Behind the poison: a new report from the street and the unit's answer to its order.
    put_event_row = "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, "
    world.sql(
        put_event_row + "category, severity, title, lon, lat, grid, exercise, cancelled, payload) VALUES "
        "('grid', 'fresh', 1, 'test', 901, ?, ?, 'manhole_cover', 3, '井盖缺失', 114.6, 30.6, ?, 0, 0, '{}')",
        world.clock.now(), world.clock.now(), GRID,
    )  # fmt: skip
    _report_row(world, report_body(world.order, "U-339901-CG", "sign", world.clock.now()))

    first = world.beat()

    assert world.sql("SELECT count(*) FROM case_events WHERE event_id = 'fresh'") == [(1,)]
    assert world.sql("SELECT state FROM cases WHERE id = ?", world.reporting) == [(CaseState.SIGNED.value,)]
    assert world.sql("SELECT card FROM cases WHERE id = ?", world.carded) == [(int(Card.YELLOW_LIGHT),)]
    entry = listed(first, poison.job, item)
    if entry is None:
        # A row that a job can take after all (year 1 fits this calendar) must simply have gone through.
        assert poison.job is Job.DISCOVERY
        assert world.sql("SELECT count(*) FROM case_events WHERE event_id = 'poison'") == [(1,)]
        return
    assert entry.error
    assert (entry.attempts, entry.retry) == (1, False)
    assert first.health.errors == ()

    # Not tried again every beat: the next beat leaves it aside, and the loop goes on.
    world.clock.advance(MINUTE)
    again = listed(world.beat(), poison.job, item)
    assert again is not None
    assert again.attempts == 1

    # An operator's retry takes it once more: still broken, it is listed with two attempts.
    assert world.worker.retry_failed("li.na").result(30) == 1
    retried = listed(world.beat(), poison.job, item)
    assert retried is not None
    assert (retried.attempts, retried.retry) == (2, False)

    # Mended and retried, it goes through and leaves the list.
    poison.mend(world, item)
    world.worker.retry_failed("li.na").result(30)
    assert listed(world.beat(), poison.job, item) is None
    assert world.sql("SELECT count(*) FROM failed_items") == [(0,)]


def test_a_job_that_cannot_run_does_not_keep_the_others_from_running(world: World) -> None:
    """A fault of the store, not of a row (here: discovery's cursor table is gone), stops that job for the
    beat and is reported; the reports and cards still happen, and nothing is set aside."""
    world.sql("ALTER TABLE loop_state RENAME TO loop_state_moved")
    world.sql("CREATE VIEW loop_state AS SELECT * FROM loop_state_moved WHERE 0")
    _report_row(world, report_body(world.order, "U-339901-CG", "sign", world.clock.now()))
    snapshot = world.beat()
    assert [e.split(":")[0] for e in snapshot.health.errors] == ["discovery", "reports"]
    assert world.sql("SELECT card FROM cases WHERE id = ?", world.carded) == [(int(Card.YELLOW_LIGHT),)]
    assert snapshot.health.failed == ()


def test_set_aside_rows_are_kept_across_a_restart(world: World) -> None:
    item = _event_row(world, "yesterday")
    world.beat()
    world.worker.close()
    world.worker = LocalLoop(world.path, POLICY, world.clock)
    snapshot = world.beat()
    entry = listed(snapshot, Job.DISCOVERY, item)
    assert entry is not None
    assert entry.attempts == 1
    with sqlite3.connect(world.path) as conn:
        assert conn.execute("SELECT job, item FROM failed_items").fetchall() == [("discovery", item)]


def test_a_flood_of_poison_rows_is_counted_in_full_and_the_latest_are_listed(world: World) -> None:
    for i in range(60):
        world.sql(
            "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('test', ?, 'garbage', ?)",
            1000 + i, world.clock.now(),
        )  # fmt: skip
    _report_row(world, report_body(world.order, "U-339901-CG", "sign", world.clock.now()))
    snapshot = world.beat()
    assert world.sql("SELECT state FROM cases WHERE id = ?", world.reporting) == [(CaseState.SIGNED.value,)]
    assert (len(snapshot.health.failed), snapshot.health.total) == (50, 60)
    assert {f.job for f in snapshot.health.failed} == {Job.REPORTS}
