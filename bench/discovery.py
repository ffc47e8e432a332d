"""`bench discovery`: a burst of co-located reports turned into cases: time, rows written, store growth."""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from core.clock import SystemClock
from dispatch.beat import DISCOVERY_SLICE
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store

SEED = 20_261_207
# A flood at one street corner: public reports of waterlogging (which also ask for verification, one more
# transition each), spread over ten minutes and ±30 m, all well inside one duplicate window and radius.
CATEGORY = "waterlogging"
SOURCE = "hotline"
LON, LAT = 114.30, 30.60
GRID = "339901001001"
SPREAD_S = 600.0
SPREAD_DEG = 0.0003


def _whole(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def add_bench_discovery_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench discovery`."""
    parser.add_argument("--burst", type=_whole, default=4000, help="co-located reports (default 4,000)")
    parser.add_argument(
        "--slice",
        type=_whole,
        default=DISCOVERY_SLICE,
        help=f"events per transaction (default {DISCOVERY_SLICE})",
    )
    parser.add_argument("--store", type=Path, metavar="PATH", help="store file (default: a temporary one)")


def _put_burst(conn: sqlite3.Connection, count: int, now: float) -> None:
    rng = random.Random(SEED)
    rows = []
    for i in range(count):
        at = now - SPREAD_S + SPREAD_S * i / count
        lon = LON + rng.uniform(-SPREAD_DEG, SPREAD_DEG)
        lat = LAT + rng.uniform(-SPREAD_DEG, SPREAD_DEG)
        rows.append((f"burst-{i}", i + 1, at, at, lon, lat))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, category, "
        "severity, title, description, lon, lat, address, grid, camera_id, exercise, cancelled, payload) "
        f"VALUES ('{SOURCE}', ?, 1, 'bench', ?, ?, ?, '{CATEGORY}', 3, '路面积水', '', ?, ?, '人民路18号', "
        f"'{GRID}', '', 0, 0, '{{}}')",
        rows,
    )
    conn.execute("COMMIT")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def _rows(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'"
        )
    ]
    return {t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}


def run_bench_discovery(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-discovery-") as scratch:
        path: Path = args.store or Path(scratch) / "burst.sqlite3"
        return _run(path, args.burst, args.slice)


def _run(path: Path, burst: int, slice_size: int) -> int:
    db = open_store(path)
    conn = db.conn
    try:
        clock = SystemClock()
        policy = load_policy(default_policy_path())
        desk = CaseDesk(conn, Timers(policy), clock)
        discovery = Discovery(desk, policy, Router(policy.routing).route)
        _put_burst(conn, burst, clock.now())
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size_before, rows_before, changes_before = _size(path), _rows(conn), conn.total_changes
        holds: list[float] = []
        cpu_holds: list[float] = []
        opened = failed = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        while True:
            # One run_once is one BEGIN IMMEDIATE … COMMIT: its duration is how long the write lock is held.
            slice_started, slice_cpu = time.perf_counter(), time.process_time()
            result = discovery.run_once(slice_size)
            holds.append(time.perf_counter() - slice_started)
            cpu_holds.append(time.process_time() - slice_cpu)
            opened += len(result.opened)
            failed += len(result.failed)
            if not result.read:
                break
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        written = conn.total_changes - changes_before
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        growth = _size(path) - size_before
        rows_after = _rows(conn)
        print(f"store: {path}")
        print(f"cases opened: {opened:,} in {len(holds):,} transactions of ≤{slice_size} events")
        if failed:
            print(f"events set aside as failed items: {failed:,}")
        for table, count in sorted(rows_after.items()):
            grown = count - rows_before.get(table, 0)
            if grown:
                print(f"  {table}: +{grown:,} rows")
        print(f"rows written (inserted or updated): {written:,} ({written / burst:.1f} per report)")
        print(f"store growth: {growth / 1e6:.1f} MB ({growth / burst / 1e3:.1f} kB per report)")
        print(f"CPU time of this process: {cpu:.2f} s (the machine's other load is not in it)")
        print(
            f"write lock held per transaction: median {sorted(holds)[len(holds) // 2] * 1000:.1f} ms, "
            f"max {max(holds) * 1000:.1f} ms (CPU of this process in it: max {max(cpu_holds) * 1000:.1f} ms)"
        )
        lock_max = max(holds) * 1000
        print(f"discovery: {burst} reports in {elapsed:.2f} s, {written} rows, lock max {lock_max:.1f} ms")
    finally:
        db.close()
    return 0
