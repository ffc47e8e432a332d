"""`bench loop`: the queue's first page, full-text search and one committed transition on a million cases."""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import platformdirs

from core.clock import SystemClock
from dispatch.casework.model import SYSTEM_ACTOR, Action, Actor, Case, CaseState, Command, Role
from dispatch.casework.policy import Policy
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.readouts import PAGE_SIZE, QueueQuery, SortKey
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.queue import fetch_page
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store

HISTORY = 1_000_000
OPEN = 10_000
SEED = 20_261_121
STORE_VERSION = 1
# What an operator types: a trade, a street, a landmark phrase, two words, a case code (added at run time).
SEARCHES = ("积水", "井盖", "人民路", "垃圾桶满溢", "消防通道", "交通 事故")
DISPATCHER = Actor("disp01", Role.DISPATCHER, "派遣员")
# A busy desk does about this many transitions between two beats (a second apart).
CHECKPOINT_EVERY = 100
SQLITE_AUTOCHECKPOINT = 1000  # pages: SQLite's default
SHIFT_LEAD = Actor("lead01", Role.SHIFT_LEAD, "值班长")
SUPERVISOR = Actor("sup01", Role.SUPERVISOR, "监督员")


def _whole(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def add_bench_loop_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench loop` (the store is built once and kept in the cache dir)."""
    parser.add_argument(
        "--store", type=Path, metavar="PATH", help="benchmark store (default: in the cache dir)"
    )
    parser.add_argument("--history", type=_whole, default=HISTORY, help="finished cases (default 1,000,000)")
    parser.add_argument(
        "--open", type=_whole, default=OPEN, dest="open_cases", help="open cases (default 10,000)"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the store again even if it exists")
    parser.add_argument("--repeat", type=_whole, default=200, help="timed runs per query (default 200)")
    parser.add_argument("--transitions", type=_whole, default=1000, help="timed dispatches (default 1,000)")


def default_store(history: int, open_count: int) -> Path:
    name = f"bench-loop-v{STORE_VERSION}-{history}-{open_count}.sqlite3"
    return Path(platformdirs.user_cache_dir("tianshu", appauthor=False)) / name


def _ms(samples: list[float]) -> tuple[float, float]:
    """Median and 99th percentile in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _timed(job: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        samples.append(time.perf_counter() - started)
    return samples


def run_bench_loop(args: argparse.Namespace) -> int:
    # The store is built from the demo city: the simulator loads when the bench runs, not with the CLI.
    from bench.loop_store import build, expected_size_gb

    policy = load_policy(default_policy_path())
    path: Path = args.store or default_store(args.history, args.open_cases)
    if args.rebuild or not path.exists():
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        print(f"building {path} ({args.history:,} + {args.open_cases:,} cases, "
              f"about {expected_size_gb(args.history)} GB, once) …", flush=True)  # fmt: skip
        started = time.perf_counter()
        build(path, policy, history=args.history, open_count=args.open_cases, seed=SEED, now=time.time())
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    db = open_store(path)
    conn = db.conn
    now = time.time()
    open_total = conn.execute("SELECT count(*) FROM cases WHERE is_open = 1").fetchone()[0]
    all_total = conn.execute("SELECT max(id) FROM cases").fetchone()[0]
    print(f"store {path}: {all_total:,} cases, {open_total:,} open")

    cold = _timed(lambda: fetch_page(conn, QueueQuery(), 0, PAGE_SIZE, now), 1)[0] * 1000
    first = _ms(_timed(lambda: fetch_page(conn, QueueQuery(), 0, PAGE_SIZE, now), args.repeat))
    print(f"first page ({PAGE_SIZE} rows + count): median {first[0]:.2f} ms, p99 {first[1]:.2f} ms "
          f"(first call {cold:.2f} ms)")  # fmt: skip

    code = conn.execute("SELECT code FROM cases WHERE is_open = 1 ORDER BY id LIMIT 1").fetchone()[0]
    every_search: list[float] = []
    for text in (*SEARCHES, code):
        for scope, states in (("open", QueueQuery().states), ("all", frozenset[CaseState]())):
            query = QueueQuery(states=states, text=text, sort=SortKey.CODE)
            samples = _timed(partial(fetch_page, conn, query, 0, PAGE_SIZE, now), max(5, args.repeat // 10))
            every_search.extend(samples)
            page = fetch_page(conn, query, 0, PAGE_SIZE, now)
            median, p99 = _ms(samples)
            total = f"{page.total:,}{'' if page.exact else '+'}"
            print(
                f"  search {text!r:>16} in {scope:>4}: {total:>7} found, "
                f"median {median:6.2f} ms, p99 {p99:6.2f} ms"
            )
    search = _ms(every_search)
    print(f"search (all of the above): median {search[0]:.2f} ms, p99 {search[1]:.2f} ms")

    conn.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT}")
    plain, _ = _transitions(conn, policy, args.transitions, checkpoint_every=None)
    print(f"dispatch, SQLite checkpointing inside commits: median {plain[0]:.3f} ms, p99 {plain[1]:.3f} ms")
    # As the duty desk runs it: no checkpoint inside a commit, one passive checkpoint per beat instead.
    conn.execute("PRAGMA wal_autocheckpoint=0")
    dispatch, others = _transitions(conn, policy, args.transitions, checkpoint_every=CHECKPOINT_EVERY)
    print(
        f"dispatch (case + audit + outbox committed): median {dispatch[0]:.3f} ms, p99 {dispatch[1]:.3f} ms"
    )
    print(f"sign/handle/check/close: median {others[0]:.3f} ms, p99 {others[1]:.3f} ms")
    db.close()
    print(
        f"loop: first page {first[0]:.2f} ms, search {search[0]:.2f} ms, transition p99 {dispatch[1]:.3f} ms"
    )
    return 0


def _transitions(
    conn: sqlite3.Connection, policy: Policy, count: int, *, checkpoint_every: int | None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Open and register `count` fresh cases (untimed), dispatch each (timed), then finish them so the store
    keeps its number of open cases from run to run. Every `checkpoint_every` dispatches an untimed passive
    checkpoint stands in for the duty desk's once-a-second one."""
    timers = Timers(policy)
    desk = CaseDesk(conn, timers, SystemClock())
    router = Router(policy.routing)
    rng = random.Random(time.time_ns())
    from bench.loop_store import report_pool

    pool = report_pool(SEED, 500)
    cases: list[Case] = []
    with desk.transaction():
        for _ in range(count):
            report = rng.choice(pool)
            district = report.grid[:6]
            urgency, area = policy.urgency(report.severity), policy.area(district)
            now = time.time()
            draft = Case(
                id=0, code="", state=CaseState.DISCOVERED, version=1, exercise=False,
                category=report.category, severity=report.severity, urgency=urgency.value, area=area.value,
                title=report.title, description=report.description, address=report.address,
                lon=report.lon, lat=report.lat, district=district, grid=report.grid, source=report.source,
                camera_id=report.camera_id, discovered_at=now, updated_at=now, updated_by=SYSTEM_ACTOR.login,
                register_due=timers.register_due(report.category, urgency, area, now),
            )  # fmt: skip
            case = desk.open_case(draft)
            cases.append(desk.act_in_transaction(Command(case.id, 1, Action.REGISTER, SHIFT_LEAD)).case)
    dispatched: list[Case] = []
    timings: list[float] = []
    for case in cases:
        rule = router.route(case.category, case.district)
        unit = rule.unit if rule is not None else "U-CITY-YJ"
        command = Command(case.id, case.version, Action.DISPATCH, DISPATCHER,
                          payload={"unit": unit, "instructions": "请立即处置并反馈"})  # fmt: skip
        started = time.perf_counter()
        applied = desk.act(command)
        timings.append(time.perf_counter() - started)
        dispatched.append(applied.case)
        if checkpoint_every and len(dispatched) % checkpoint_every == 0:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finishing: list[float] = []
    for case in dispatched:
        crew = Actor(case.unit, Role.UNIT)
        current = case
        for action, actor in ((Action.SIGN, crew), (Action.HANDLE, crew), (Action.START_CHECK, SUPERVISOR),
                              (Action.CLOSE, SHIFT_LEAD)):  # fmt: skip
            started = time.perf_counter()
            current = desk.act(Command(current.id, current.version, action, actor)).case
            finishing.append(time.perf_counter() - started)
        if checkpoint_every and len(finishing) % (4 * checkpoint_every) == 0:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        assert current.state is CaseState.CLOSED
    return _ms(timings), _ms(finishing)
