"""`bench seats`' feeds (every report a new case, or the demo city's mix) and its run without a hub."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from dispatch.casework.model import Action, Actor, Command, Role
from dispatch.casework.policy import Policy
from dispatch.casework.records.discovery import district_from_grid

LEAD = Actor("bench-lead", Role.SHIFT_LEAD, "值班长")
DISPATCHER = Actor("bench-dispatcher", Role.DISPATCHER, "派遣员")
# Reports spread over the city (~10 km): no street corner gathers a cluster that would dominate discovery.
LON, LAT, SPREAD_DEG = 114.30, 30.60, 0.05
GRID = "339901001001"
# `new`: every report a new case (the hardest feed: each one opens a case, its audit and its cluster
# look-up). `demo`: the demo city's feed (sim.generator) — sensors and cameras repeating an alarm that
# folds into its case, revisions, identical copies, 12345 and grid reports — of which ~25 % open a case.
MIXES = ("new", "demo")
# Feed events for each command by default: the commands register and dispatch cases the feed left to
# register — every report's case in `new`; in `demo` one report in five (the rest fold into a case, are
# revisions or copies, or open a case that routing registers and dispatches by itself).
EVENTS_PER_ACTION = {"new": 1.0, "demo": 3.0}
# The demo city's new incidents a second for `count` events: ~4 events an incident, so the events span
# about 40 minutes of its time, long enough for machines to repeat and clear as they do all day.
DEMO_EVENTS_PER_RATE = 9000.0
# The demo's day starts at a fixed moment (Monday 2026-11-30 09:00 in the city): its busyness follows the
# hour, so the same count is the same feed whenever the bench runs.
DEMO_START = 1_796_000_400.0
# Entries a seat applies in one transaction (dispatch.seats.seat.BATCH).
BATCH = 200
STATES_TO_REGISTER = ("discovered", "verifying")


def add_feed_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench seats` that choose its feed, or apply it without a hub."""
    parser.add_argument(
        "--mix", choices=MIXES, default="new",
        help="the feed: every report a new case (new, default) or the demo city's mix (demo)",
    )  # fmt: skip
    parser.add_argument(
        "--apply-only", action="store_true",
        help="no hub: apply the feed and the commands as log entries to one store, timed",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="with --apply-only: where the time goes")
    parser.add_argument(
        "--processes", action="store_true",
        help="only the feed, each seat in a process of its own (as each is a machine in a centre)",
    )  # fmt: skip


def feed_events(mix: str, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` feed events as EventEntry's fields, in the order a centre would ingest them."""
    if mix == "demo":
        return demo_events(count, seed)
    rng = random.Random(seed)
    return [new_case_event(i, rng) for i in range(count)]


def new_case_event(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "source": "grid", "event_id": f"bench-{i}", "revision": 1, "occurred_at": time.time(),
        "category": "waterlogging", "severity": 3, "title": "路面积水", "address": "人民路18号",
        "lon": LON + rng.uniform(-SPREAD_DEG, SPREAD_DEG), "lat": LAT + rng.uniform(-SPREAD_DEG, SPREAD_DEG),
        "grid": GRID,
    }  # fmt: skip


def demo_events(count: int, seed: int) -> list[dict[str, Any]]:
    """The demo city's first `count` events, numbered into revisions as the store's writer does (changed
    content: the next revision; an identical copy: the same one, which the hub stores once)."""
    from sim.city import demo_city
    from sim.feed_items import EventItem
    from sim.generator import DemoGenerator

    rate = max(count / DEMO_EVENTS_PER_RATE, 0.02)
    generator = DemoGenerator(demo_city(), seed, DEMO_START, rate=rate, metric_interval_s=3600.0)
    events: list[dict[str, Any]] = []
    heads: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}
    until = DEMO_START
    while len(events) < count:
        until += 600.0
        for item in generator.next_items(until):
            if not isinstance(item, EventItem) or len(events) == count:
                continue
            fields = _fields(item.event)
            key = (fields["source"], fields["event_id"])
            seen, revision = heads.get(key, (None, 0))
            if seen != fields:
                revision += 1
                heads[key] = (fields, revision)
            events.append({**fields, "revision": revision})
    return events


def _fields(event: dict[str, Any]) -> dict[str, Any]:
    place = event.get("location") or {}
    return {
        "source": event["source"], "event_id": event["id"],
        "occurred_at": datetime.fromisoformat(event["occurred_at"]).timestamp(),
        "category": event["category"], "severity": event.get("severity"), "title": event.get("title", ""),
        "description": event.get("description", ""), "lon": place.get("lon"), "lat": place.get("lat"),
        "address": place.get("address", ""), "grid": place.get("grid", ""),
        "camera_id": event.get("camera_id", ""), "exercise": bool(event.get("exercise", False)),
        "cancelled": bool(event.get("cancelled", False)),
    }  # fmt: skip


def command(k: int, targets: list[tuple[int, int]]) -> Command:
    """The `k`th command of the bench: register a case waiting for it, then dispatch it."""
    case_id, version = targets[k // 2]
    if k % 2:
        return Command(case_id, version + 1, Action.DISPATCH, DISPATCHER, payload={"unit": "U-BENCH"})
    return Command(case_id, version, Action.REGISTER, LEAD)


def register_targets(conn: Any, actions: int) -> list[tuple[int, int]]:
    """The cases the commands go to (id, version): open ones waiting for registration, oldest first.
    SystemExit when the feed left too few for `actions` commands (a demo feed opens fewer cases)."""
    marks = ", ".join("?" * len(STATES_TO_REGISTER))
    targets = [
        (int(case_id), int(version))
        for case_id, version in conn.execute(
            f"SELECT id, version FROM cases WHERE state IN ({marks}) ORDER BY id", STATES_TO_REGISTER
        )
    ]
    if len(targets) * 2 < actions:
        raise SystemExit(
            f"tianshu: error: the feed left {len(targets):,} cases to register, too few for "
            f"{actions:,} commands (give more --events)"
        )
    return targets


def run_apply_only(policy: Policy, events: list[dict[str, Any]], actions: int, scratch: Path, *,
                   mix: str, profile: bool) -> int:  # fmt: skip
    """The seats' apply path alone: the feed's entries in transactions of BATCH, then the commands one
    per transaction (as a seat gets them one at a time), on one store, no hub, no other thread."""
    from dispatch.seats.apply import Applier
    from dispatch.seats.entries import command_entry, encode, jobs_entry, lease_entry, pack_events
    from dispatch.store.database import open_store

    db = open_store(scratch / "apply.sqlite3")
    applier = Applier(db.conn, policy, district_from_grid)
    now = time.time()
    feed = [encode(entry) for entry in pack_events(events, "bench", now)[0]]
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    seq = 1
    applier.apply(seq, encode(lease_entry(1, "bench", now)))  # a leader's term for the runs of discovery
    started = time.perf_counter()
    for first in range(0, len(feed), BATCH):
        batch = [(seq + i + 1, data, None) for i, data in enumerate(feed[first : first + BATCH])]
        seq += len(batch)
        applier.apply_batch(batch)
    feed_s = time.perf_counter() - started
    stored = db.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    per_run: list[tuple[int, float]] = []
    started = time.perf_counter()
    while applier.undiscovered:
        seq += 1
        before = db.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        began = time.perf_counter()
        applier.apply(seq, encode(jobs_entry(1, seq, ("discovery",), "bench", now)))
        took = time.perf_counter() - began
        per_run.append((db.conn.execute("SELECT count(*) FROM cases").fetchone()[0] - before, took))
    discovery_s = time.perf_counter() - started
    opened = db.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    targets = register_targets(db.conn, actions)
    started = time.perf_counter()
    for k in range(actions):
        seq += 1
        applier.apply(seq, encode(command_entry(command(k, targets), "bench", time.time())))
    commands_s = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
    db.close()
    print(f"apply only (no hub), {mix} mix: {len(events):,} events ({stored:,} revisions) stored in "
          f"{feed_s:.2f} s, in {len(feed):,} entries, transactions of {BATCH}")  # fmt: skip
    print(f"discovery: {len(per_run):,} runs opened {opened:,} cases in {discovery_s:.2f} s; the longest run "
          f"{max(s for _, s in per_run) * 1000:.0f} ms")  # fmt: skip
    print(f"{actions:,} commands, one a transaction, in {commands_s:.2f} s")
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    print(f"seats apply-only: feed {stored / feed_s:,.0f} events/s, discovery {stored / discovery_s:,.0f} "
          f"events/s, commands {actions / commands_s:,.0f} entries/s")  # fmt: skip
    return 0
