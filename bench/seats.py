"""`bench seats`: seats on one JetStream hub: command round trip, feed, catch-up and joining rates."""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.seats_feed import (
    EVENTS_PER_ACTION,
    add_feed_arguments,
    feed_events,
    register_targets,
    run_apply_only,
)
from bench.seats_feed import command as bench_command
from bench.seats_feed import new_case_event as _event
from bench.seats_processes import restart_apart
from core.clock import SystemClock
from dispatch.casework.policy import Policy
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.changes import CasesChanged
from dispatch.seats.entries import PACK_EVENTS, pack_events
from dispatch.service import LoopContext

if TYPE_CHECKING:  # the NATS client is imported only when the bench runs, not by every command line
    from dispatch.seats.seat import SeatLoop

SEED = 20_261_207
WAIT_S = 30.0
# Feed events published and not yet applied on the publishing seat, at most. All at once (12,000) made the
# hub's acknowledgements wait behind three seats applying, and one timed out on a busy machine.
WINDOW = 1000


def _whole(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def add_bench_seats_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench seats`."""
    parser.add_argument("--seats", type=_whole, default=3, help="seats on the hub (default 3)")
    parser.add_argument(
        "--actions", type=_whole, default=10_000,
        help="commands, one at a time, each timed until every seat applied it (default 10,000)",
    )  # fmt: skip
    parser.add_argument(
        "--events", type=_whole, default=None,
        help="feed events published at once (default: as many as actions, 3 times as many with --mix "
             "demo: about a fifth of its events open a case left to register; at least half of them)",
    )  # fmt: skip
    parser.add_argument(
        "--hub", metavar="URL", help="an existing NATS server with JetStream (default: start nats-server)"
    )
    add_feed_arguments(parser)


class Marks:
    """The newest audit row each seat announced on its change bus: a row is on every seat once every
    seat's mark reached it."""

    def __init__(self, seats: int) -> None:
        self._marks = [0] * seats
        self._changed = threading.Condition()

    def listener(self, index: int) -> Any:
        def heard(changes: CasesChanged) -> None:
            with self._changed:
                self._marks[index] = max(self._marks[index], changes.mark)
                self._changed.notify_all()

        return heard

    def wait(self, row: int, timeout: float = WAIT_S) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: min(self._marks) >= row, timeout):
                raise TimeoutError(f"audit row {row} not on every seat after {timeout} s: {self._marks}")


@contextmanager
def _hub(url: str | None, scratch: Path) -> Iterator[str]:
    if url is not None:
        yield url
        return
    from sim.nats_hub import missing_reason, nats_server  # test servers load only when a bench starts one

    if missing_reason() is not None:
        raise SystemExit("tianshu: error: nats-server is not installed (Debian: apt-get install nats-server)")
    try:
        with nats_server(scratch / "hub") as found:
            yield found
    except RuntimeError as error:
        raise SystemExit(f"tianshu: error: {error}") from error


def _count_cases(ctx: LoopContext) -> int:
    return int(ctx.desk.conn.execute("SELECT count(*) FROM cases").fetchone()[0])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def run_bench_seats(args: argparse.Namespace) -> int:
    events = max(
        args.events or math.ceil(args.actions * EVENTS_PER_ACTION[args.mix]), math.ceil(args.actions / 2)
    )
    policy = load_policy(default_policy_path())
    feed = feed_events(args.mix, events, SEED)
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-seats-") as scratch_dir:
        scratch = Path(scratch_dir)
        if args.apply_only:
            return run_apply_only(policy, feed, args.actions, scratch, mix=args.mix, profile=args.profile)
        with _hub(args.hub, scratch) as url:
            if args.processes:
                from bench.seats_processes import run_feed_in_processes

                return run_feed_in_processes(url, scratch, policy, args.seats, feed, args.mix)
            return _run(url, scratch, policy, args.seats, args.actions, events, (args.mix, feed))


def _open(
    url: str,
    scratch: Path,
    policy: Policy,
    name: str,
    centre: str,
    *,
    lead: bool = False,
    snapshots: bool = True,
    deltas: bool = True,
) -> SeatLoop:
    from dispatch.seats.seat import SeatLoop

    return SeatLoop(
        scratch / f"{name}.sqlite3", policy, SystemClock(), hub=[url], centre=centre, seat=name, lead=lead,
        snapshots=snapshots, deltas=deltas,
    )  # fmt: skip


def _run(
    url: str, scratch: Path, policy: Policy, count: int, actions: int, events: int,
    mixed: tuple[str, list[dict[str, Any]]],
) -> int:  # fmt: skip
    centre = f"bench{int(time.time())}"  # a log of its own even on a shared hub
    # The first seat leads (its lease renewed through the run); only it: a seat taking over when the
    # leader closes at the end would add a lease entry the closed ones never see.
    seats = [_open(url, scratch, policy, f"seat{i + 1}", centre, lead=i == 0) for i in range(count)]
    marks = Marks(count)
    for i, seat in enumerate(seats):
        seat.subscribe(marks.listener(i))
    try:
        # The feed: packed and published through the first seat without waiting for each (as the app's
        # intake forwards what it stored, dispatch.seats.entries.pack_events), until every seat stored
        # all; at most WINDOW events not yet applied there.
        mix, feed = mixed
        rng = random.Random(SEED)
        started = time.perf_counter()
        window = threading.BoundedSemaphore(WINDOW // PACK_EVENTS)
        published = []
        for first in range(0, len(feed), PACK_EVENTS):
            packed, _ = pack_events(feed[first : first + PACK_EVENTS], seats[0].seat, time.time())
            for entry in packed:
                window.acquire()
                future = seats[0].publish_events(entry)
                future.add_done_callback(lambda _: window.release())
                published.append(future)
        concurrent.futures.wait(published, WAIT_S * 10)
        for seat in seats:
            seat.caught_up().result(WAIT_S * 10)
        feed_s = time.perf_counter() - started
        stored = sum(f.result().stored for f in published)

        # Discovery: the leader's runs, one after another while rows are left, applied on every seat.
        started = time.perf_counter()
        runs = seats[0].leading.work_off(WAIT_S * 10)
        for seat in seats:
            seat.caught_up().result(WAIT_S * 10)
        discovery_s = time.perf_counter() - started
        opened = seats[0].query(_count_cases).result(WAIT_S)

        # Seats that stop here, the morning's reports taken into cases, and restart after the commands:
        # one takes the leader's row deltas, another replays the log, each in a process of its own (as a
        # console restarts on its machine); a third takes the deltas in this process, beside the others.
        away_at = 0
        for name in ("restarted", "restarted-replaying", "restarted-here"):
            away = _open(url, scratch, policy, name, centre)
            away_at = away.caught_up().result(WAIT_S * 10)
            away.close()

        # Commands one at a time from every seat in turn: register a case the feed opened, then dispatch it.
        targets = seats[0].query(lambda ctx: register_targets(ctx.desk.conn, actions)).result(WAIT_S)
        round_trips: list[float] = []
        for k in range(actions):
            sent = time.perf_counter()
            applied = seats[k % count].act(bench_command(k, targets)).result(WAIT_S)
            marks.wait(applied.audit.id)
            round_trips.append(time.perf_counter() - sent)

        # The restarted seat catches up: the leader's row deltas from its cursor (cut as it applied the
        # entries, dispatch.seats.catch_up), then the log's tail after the last.
        log_entries = seats[0].applied

        def caught_up(name: str, **options: bool) -> tuple[SeatLoop, float]:
            """A seat opened on its store and caught up with the log; how long that took."""
            started = time.perf_counter()
            seat = _open(url, scratch, policy, name, centre, **options)
            seats.append(seat)
            seat.caught_up().result(WAIT_S * 20)
            return seat, time.perf_counter() - started

        restart_s, caught = restart_apart(url, scratch, "restarted", centre, deltas=True)
        restart_replay_s, _ = restart_apart(url, scratch, "restarted-replaying", centre, deltas=False)
        _, here_s = caught_up("restarted-here")

        # A new seat replays the whole log from its first entry; another takes it by row deltas.
        _, replay_s = caught_up("replayer", snapshots=False, deltas=False)
        late, catch_up_s = caught_up("late", snapshots=False)

        # The leader keeps a snapshot; the centre goes on (a tail of reports); a new seat joins from it.
        started = time.perf_counter()
        snapshot = seats[0].take_snapshot().result(WAIT_S * 10)
        snapshot_s = time.perf_counter() - started
        tail_events = [_event(events + i, rng) for i in range(max(1, events // 10))]
        tail = [seats[0].publish_events(entry) for entry in pack_events(tail_events, "seat1", time.time())[0]]
        concurrent.futures.wait(tail, WAIT_S * 10)
        seats[0].caught_up().result(WAIT_S * 10)
        started = time.perf_counter()
        joiner = _open(url, scratch, policy, "joiner", centre)
        restore_s = time.perf_counter() - started  # joined: the snapshot fetched, checked and installed
        seats.append(joiner)
        covered = joiner.caught_up().result(WAIT_S * 20)
        join_s = time.perf_counter() - started
        for name in ("restarted", "restarted-replaying"):  # reopened here for the tail, then compared
            caught_up(name)
    finally:
        for seat in seats:
            seat.close()
    from dispatch.seats.verify import differences

    disagree = [line for seat in seats[1:] for line in differences(seats[0].db_path, seat.db_path)]
    p50, p99 = _percentile(round_trips, 0.5) * 1000, _percentile(round_trips, 0.99) * 1000
    feed_rate, missed = events / feed_s, log_entries - away_at
    catch_up_rate = missed / restart_s
    replay_rate, whole_rate = log_entries / replay_s, log_entries / catch_up_s
    print(f"hub: {url}, {count} seats, stores in {scratch}")
    print(f"feed ({mix} mix): {events:,} events ({stored:,} revisions stored, in {len(published):,} entries) "
          f"on every seat in {feed_s:.2f} s")  # fmt: skip
    print(f"discovery: the leader's {runs:,} runs took them into {opened:,} cases on every seat in "
          f"{discovery_s:.2f} s: {stored / discovery_s:,.0f} events/s")  # fmt: skip
    print(f"round trip (act → applied on every seat), {actions:,} commands one at a time: "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(round_trips) * 1000:.2f} ms")  # fmt: skip
    print(f"catch-up: a seat stopped at entry {away_at:,} restarted {missed:,} entries later in a process of "
          f"its own; it took {caught.deltas:,} row deltas covering {caught.entries:,} entries in "
          f"{caught.seconds:.2f} s and replayed {missed - caught.entries:,}: caught up in {restart_s:.2f} s "
          f"(joining included), {catch_up_rate:,.0f} entries/s; replaying them all took "
          f"{restart_replay_s:.2f} s, {missed / restart_replay_s:,.0f} entries/s "
          f"({restart_replay_s / restart_s:.1f}x longer); by deltas in this process, beside the "
          f"{count} seats: {here_s:.2f} s, {missed / here_s:,.0f} entries/s")  # fmt: skip
    caught = late.caught
    print(f"the whole log ({log_entries:,} entries: {stored:,} events, discovery's {runs:,} runs, "
          f"{actions:,} commands) to a new seat: replayed in {replay_s:.2f} s, {replay_rate:,.0f} entries/s; "
          f"by {caught.deltas:,} row deltas and a tail of {log_entries - caught.entries:,} in "
          f"{catch_up_s:.2f} s, {whole_rate:,.0f} entries/s ({whole_rate / replay_rate:.1f}x)")  # fmt: skip
    print(f"snapshot: the leader kept entry {snapshot.seq:,} ({snapshot.cases:,} cases, "
          f"{snapshot.size / 1e6:.1f} MB store) in {snapshot_s:.2f} s")  # fmt: skip
    join_rate = covered / join_s
    how = "from" if joiner.restored is not None else "NOT from (refused: see the log)"
    print(f"join from a snapshot: a new seat started {how} snapshot {snapshot.seq:,} and applied a tail of "
          f"{covered - snapshot.seq:,}: {covered:,} entries covered in {join_s:.2f} s (joined and restored "
          f"in {restore_s:.2f} s, the tail in {join_s - restore_s:.2f} s), {join_rate:,.0f} entries/s "
          f"({join_rate / replay_rate:.1f}x the replay)")  # fmt: skip
    if disagree:
        print("replicas DIFFER:", *disagree, sep="\n  ", file=sys.stderr)
    else:
        print(f"{len(seats)} replicas agree (seats verify)")
    print(f"seats: round trip p99 {p99:.1f} ms, feed {feed_rate:,.0f} events/s, "
          f"catch-up {catch_up_rate:,.0f} entries/s")  # fmt: skip
    return 1 if disagree else 0
