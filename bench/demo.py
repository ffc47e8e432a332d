"""`bench demo`: the demo city's queue over simulated time, through the real intake, store and discovery."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from core.argtypes import positive_number
from core.clock import ManualClock
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.records.episodes import pending_clearing
from dispatch.casework.records.live import live_counts
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.feed.intake import Intake
from dispatch.store.database import open_store
from dispatch.store.write_items import CommitResult
from dispatch.store.writer import StoreWriter

if TYPE_CHECKING:
    # The simulator is imported when the bench runs: the command line (and with it the cockpit on a
    # city's own atlas) never loads it.
    from sim.feed_items import FeedItem

# The cockpit's duty beat runs discovery once a second; a coarser step changes nothing it counts.
STEP_S = 5.0


def _marks(text: str) -> list[float]:
    try:
        marks = sorted({float(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected minutes like 2,8,20, got {text!r}") from None
    if not marks or marks[0] <= 0 or marks[-1] > 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"minutes must lie in (0, 10080], got {text!r}")
    return marks


def _local_time(text: str) -> tuple[int, int]:
    try:
        moment = datetime.strptime(text, "%H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a local time HH:MM, got {text!r}") from None
    return moment.hour, moment.minute


def add_bench_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench demo`."""
    parser.add_argument("--minutes", type=_marks, default=[2.0, 8.0, 20.0], metavar="M,M,…",
                        help="simulated minutes at which to count (default 2,8,20)")  # fmt: skip
    parser.add_argument(
        "--at", type=_local_time, default=(8, 0), metavar="HH:MM",
        help="the city's local time at the start (default 08:00: the morning peak)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=2, help="demo city random seed (default 2)")
    parser.add_argument(
        "--rate",
        type=positive_number,
        help="incidents a second (default: the demo city's, as the cockpit runs it)",
    )


def run_bench_demo(args: argparse.Namespace) -> int:
    from sim.city import CITY_TZ
    from sim.rhythm import DEMO_RATE

    hour, minute = args.at
    rate = DEMO_RATE if args.rate is None else args.rate
    start = datetime.now(CITY_TZ).replace(hour=hour, minute=minute, second=0, microsecond=0) - timedelta(
        days=1
    )
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-demo-") as scratch:
        return _run(Path(scratch) / "demo.sqlite3", start.timestamp(), args.minutes, args.seed, rate)


def _frame(seq: int, item: FeedItem) -> str:
    from sim.feed_items import CapItem, EventItem

    if isinstance(item, EventItem):
        return json.dumps({"type": "event", "seq": seq, "event": item.event}, ensure_ascii=False)
    if isinstance(item, CapItem):
        return json.dumps({"type": "cap", "seq": seq, "xml": item.xml}, ensure_ascii=False)
    return json.dumps({"type": "metric", "seq": seq, "metric": item.metric}, ensure_ascii=False)


def _run(path: Path, start: float, marks: list[float], seed: int, rate: float) -> int:
    from sim.city import CITY_TZ, demo_city
    from sim.generator import DemoGenerator

    clock = ManualClock(start)
    generator = DemoGenerator(demo_city(), seed, start, rate=rate)
    results: list[CommitResult] = []
    writer = StoreWriter(path, "ws://127.0.0.1:1/demo", results.append)
    intake = Intake(writer.submit, clock, None)
    writer.flush(30)
    db = open_store(path)
    policy = load_policy(default_policy_path())
    desk = CaseDesk(db.conn, Timers(policy), clock)
    discovery = Discovery(desk, policy, Router(policy.routing).route)
    seq = events = opened = folded = 0
    began = time.perf_counter()
    local = datetime.fromtimestamp(start, CITY_TZ)
    print(f"demo city: seed {seed}, {rate} incidents/s on average, from {local:%H:%M} local, simulated")
    heads = (
        ("minutes", 8),
        ("stored events", 13),
        ("cases", 6),
        ("open", 5),
        ("folded", 7),
        ("消警 proposed", 13),
    )
    print(" ".join(f"{name:>{width}}" for name, width in heads), f"{'cases/min':>10}")
    try:
        previous_mark, previous_opened = 0.0, 0
        for mark in marks:
            while clock.now() < start + mark * 60:
                clock.advance(min(STEP_S, start + mark * 60 - clock.now()))
                for item in generator.next_items(clock.now()):
                    seq += 1
                    intake.handle_frame(_frame(seq, item))
                writer.flush(30)
                result = discovery.run_once()
                opened += len(result.opened)
                folded += result.folded
            open_now = live_counts(db.conn, clock.now()).open
            events = int(db.conn.execute("SELECT count(*) FROM events").fetchone()[0])
            per_minute = (opened - previous_opened) / (mark - previous_mark)
            print(f"{mark:>8g} {events:>13,} {opened:>6,} {open_now:>5,} {folded:>7,} "
                  f"{len(pending_clearing(db.conn)):>13,} {per_minute:>10.2f}")  # fmt: skip
            previous_mark, previous_opened = mark, opened
    finally:
        db.close()
        writer.close()
    print(f"({time.perf_counter() - began:.1f} s of wall time; nobody works the queue here)")
    return 0
