"""The duty desk's jobs on the desk thread: the beat (discovery, reports, cards, WAL and audit checkpoints),
the reads the screens need, and carrying out a command. Each takes immutable inputs and returns plain
values."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from app.desk.worker import DeskContext
from dispatch.atlas import Atlas, load_atlas
from dispatch.casework.jobs import FailedItem
from dispatch.casework.model import Applied, Command
from dispatch.casework.readouts import CaseFile, DispatchOptions, Page, PageRequest, QueueRow, RosterUnit
from dispatch.casework.recommend import RoadNetwork
from dispatch.casework.records.case_file import dispatch_options, load_case_file
from dispatch.casework.records.failures import count_failed, describe, failed_items, request_retry
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.live import live_counts
from dispatch.casework.records.queue import fetch_request, severe_unacknowledged, watermark
from dispatch.casework.records.supervision import sweep_cards

log = logging.getLogger(__name__)
SOURCES = ("iot", "video_ai", "hotline", "grid", "cap")
# New events become cases in short transactions, for at most this long per beat. A flood (a storm, a
# blast benchmark) then waits a few beats instead of holding the interpreter and the store's write lock
# for seconds while the feed and the screens wait: at 5,000 events/s an unbounded pass took the live
# event view from 35 ms to 470 ms behind the feed; 100 ms per beat still left p99 at 80–210 ms, 50 ms
# brings it to 76–94 ms (alone: 57–176 ms, the noise of this machine). 50 ms still turns a few hundred
# events a second into cases, far above a city's rate even in a storm.
DISCOVERY_SLICE = 20
DISCOVERY_BUDGET_S = 0.05
# Between slices the desk steps aside so the feed writer, queued on the store's write gate
# (dispatch/store/write_gate.py), gets in at once.
DISCOVERY_YIELD_S = 0.002


@dataclass(frozen=True, slots=True)
class UnitDirectory:
    """Who the desk can dispatch to and what the filters offer, with names for codes."""

    roster: tuple[RosterUnit, ...]
    network: RoadNetwork | None
    names: Mapping[str, str]  # district codes and unit ids → names
    districts: Mapping[str, str]  # district code → name, in the order the filter lists them
    categories: tuple[str, ...]
    sources: tuple[str, ...] = SOURCES


def demo_atlas_path() -> Path:
    """The demo city as an atlas, shipped in resources/atlas/demo (scripts/make_demo_atlas.py)."""
    return Path(str(resources.files("resources") / "atlas" / "demo"))


def atlas_names(atlas: Atlas) -> dict[str, str]:
    """District codes and unit ids → names, for the desk, the board and the handover."""
    return {**{d.code: d.name for d in atlas.districts}, **{u.id: u.name for u in atlas.units}}


def atlas_directory(atlas: Atlas) -> UnitDirectory:
    """A city's units, districts, categories and road network from its atlas (the road graph takes a
    moment: build it on the desk thread)."""
    roster = tuple(
        RosterUnit(u.id, u.name, u.kind, u.base.lon if u.base else None, u.base.lat if u.base else None)
        for u in atlas.units
    )
    districts = {d.code: d.name for d in atlas.districts}
    categories = tuple(c.code for c in atlas.categories)
    return UnitDirectory(roster, RoadNetwork.from_atlas(atlas), atlas_names(atlas), districts, categories)


def demo_directory() -> UnitDirectory:
    """The demo city's units, districts and road network, read from its atlas."""
    return atlas_directory(load_atlas(demo_atlas_path()))


@dataclass(frozen=True, slots=True)
class JobHealth:
    """How the periodic jobs fare: the items they set aside (latest first), and the jobs that could not
    run at all in the last beat, with the store's or the machine's error (a full disk, a lock)."""

    failed: tuple[FailedItem, ...] = ()
    errors: tuple[str, ...] = ()
    total: int = 0  # how many items are set aside in all (`failed` lists the latest 50)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one read of the store gave the desk: a page, the waiting severe cases and the open case."""

    mark: int
    page: Page | None
    alerts: tuple[QueueRow, ...] | None
    case_file: CaseFile | None
    case_id: int | None
    health: JobHealth = JobHealth()
    open_cases: int | None = None  # 在办: the store's open cases, as the queue and 综合评价 count them


def prepare(directory: Callable[[], UnitDirectory] | None, ctx: DeskContext) -> UnitDirectory | None:
    """The unit directory, built here: the demo city's road graph takes a moment."""
    return directory() if directory is not None else None


def read(request: PageRequest, case_id: int | None, exercise: bool, mark: int, ctx: DeskContext) -> Snapshot:
    """Read what the desk shows, unless nothing changed since `mark` (then only the new mark)."""
    return _read(request, case_id, exercise, mark, ctx, ())


def _read(
    request: PageRequest, case_id: int | None, exercise: bool, mark: int, ctx: DeskContext,
    errors: tuple[str, ...],
) -> Snapshot:  # fmt: skip
    now = ctx.clock.now()
    conn = ctx.desk.conn
    current = watermark(conn)
    # Read every time: a handful of rows at most, and setting an item aside moves no audit watermark.
    failed = failed_items(conn)
    health = JobHealth(failed, errors, count_failed(conn) if failed else 0)
    if current == mark:
        return Snapshot(current, None, None, None, case_id, health)
    return Snapshot(
        current,
        fetch_request(conn, request, now),
        severe_unacknowledged(conn, now, exercise=exercise),
        load_case_file(conn, case_id) if case_id is not None else None,
        case_id,
        health,
        live_counts(conn, now, exercise=exercise).open,
    )


def discover(ctx: DeskContext) -> None:
    """Turn new events into cases, a slice at a time, until none are left or the beat's budget is spent."""
    deadline = time.perf_counter() + DISCOVERY_BUDGET_S
    while time.perf_counter() < deadline:
        done = ctx.discovery.run_once(DISCOVERY_SLICE)
        if not done.read:
            return
        time.sleep(DISCOVERY_YIELD_S)


def reports(ctx: DeskContext) -> None:
    apply_inbox(ctx.desk)


def cards(ctx: DeskContext) -> None:
    sweep_cards(ctx.desk)


def fold_wal(ctx: DeskContext) -> None:
    ctx.desk.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def audit_checkpoint(ctx: DeskContext) -> None:
    """Sign the audit chain's head when its period is up (under the write lock: see sign_checkpoint)."""
    checkpoints = ctx.audit_checkpoints
    if checkpoints is None or not checkpoints.due(ctx.clock.now()):
        return
    with ctx.desk.transaction() as conn:
        checkpoints.sign(conn, ctx.clock.now(), "periodic")


# The beat's jobs in order. Each sets a failing item aside by itself and goes on; a job that cannot run
# at all (the store is full or locked) does not keep the others from running.
BEAT_JOBS: tuple[tuple[str, Callable[[DeskContext], None]], ...] = (
    ("discovery", discover),
    ("reports", reports),
    ("supervision", cards),
    ("wal", fold_wal),
    ("audit checkpoint", audit_checkpoint),
)


def run_jobs(ctx: DeskContext) -> tuple[str, ...]:
    """Run every job of the beat; the errors of jobs that failed as a whole, as `job: error`."""
    errors: list[str] = []
    for name, job in BEAT_JOBS:
        try:
            job(ctx)
        except Exception as error:
            log.error("the %s job failed this beat: %s", name, error, exc_info=error)
            errors.append(f"{name}: {describe(error)}")
    return tuple(errors)


def beat(request: PageRequest, case_id: int | None, exercise: bool, mark: int, ctx: DeskContext) -> Snapshot:
    """Once a second: new events become cases, units' reports move theirs, timers raise cards, the WAL is
    folded back, then a read."""
    errors = run_jobs(ctx)
    return _read(request, case_id, exercise, mark, ctx, errors)


def retry_failed(ctx: DeskContext) -> int:
    """Mark every failed item for another try by its job's next beat; how many were marked."""
    with ctx.desk.transaction() as conn:
        return request_retry(conn)


def page(request: PageRequest, ctx: DeskContext) -> Page:
    return fetch_request(ctx.desk.conn, request, ctx.clock.now())


def case_file(case_id: int, ctx: DeskContext) -> CaseFile | None:
    return load_case_file(ctx.desk.conn, case_id)


def options(case_id: int, version: int, directory: UnitDirectory | None, ctx: DeskContext) -> DispatchOptions:
    case = ctx.desk.get(case_id)
    roster = directory.roster if directory is not None else ()
    network = directory.network if directory is not None else None
    options = dispatch_options(ctx.desk.conn, case, ctx.router, roster, network)
    # The order is made against the version the officer looked at, so a change meanwhile is caught.
    return DispatchOptions(options.case_id, version, options.code, options.title, options.category,
                           options.address, options.routed_unit, options.choices)  # fmt: skip


def act(command: Command, ctx: DeskContext) -> Applied:
    return ctx.desk.act(command)
