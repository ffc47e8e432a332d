"""`replay --db REAL.sqlite3 --from … --to … [--speed N] [--out DRILL.sqlite3] [--headless]`: a real period
played again, read-only, into a drill store on the exercise clock."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cli.drill import USAGE_EXIT, _console, store_problem
from cli.report import instant

MAX_SPEED = 1000.0


def add_replay_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    replay = subparsers.add_parser(
        "replay",
        help="play a recorded real period again, read-only, into a drill store (回放)",
        description="Read the events, metric readings and case actions recorded in [--from, --to) from a "
        "real store (opened read-only, never written) and play them on the exercise clock through a local "
        "feed server on 127.0.0.1 and the ordinary intake into a drill store, every row flagged exercise. "
        "A date is a whole local day (--to 2026-11-30 includes that day); a date and time is an instant, "
        "local unless it carries an offset. See docs/scenarios.md.",
    )
    replay.add_argument(
        "--db", type=_store_file, required=True, metavar="REAL.sqlite3", help="the real store"
    )
    replay.add_argument("--from", dest="start", type=_when, required=True, metavar="WHEN")
    replay.add_argument("--to", dest="end", type=_when, required=True, metavar="WHEN")
    replay.add_argument(
        "--speed", type=_speed, default=10.0, metavar="N", help="period time per wall time (default 10)"
    )
    replay.add_argument(
        "--out", type=Path, metavar="DRILL.sqlite3",
        help="the drill store to play into (default: a new file under the per-user data dir's drills/)",
    )  # fmt: skip
    replay.add_argument(
        "--headless", action="store_true",
        help="no window (default: the cockpit window, marked DRILL); exit 0 when the period has played",
    )  # fmt: skip
    replay.set_defaults(handler=run_replay_command)


def _store_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def _when(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date (2026-11-02) or date and time (2026-11-02T08:30), got {text!r}"
        ) from None


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_SPEED:g}, got {text}")
    return value


def _usage(message: str) -> int:
    print(f"tianshu replay: error: {message}", file=sys.stderr)
    return USAGE_EXIT


def run_replay_command(args: argparse.Namespace, zone: ZoneInfo | None = None) -> int:
    # Imported here: `--help` should not wait for the store or the simulator.
    from dispatch.drill.replay_period import PeriodError, open_recorded, read_period

    try:
        zone = zone or _policy_zone()
    except ValueError as error:
        print(f"tianshu replay: cannot read the policy for its time zone: {error}", file=sys.stderr)
        return 1
    start, end = instant(args.start, zone), instant(args.end, zone, end=True)
    if not start < end:
        return _usage("--from must come before --to")
    real: Path = args.db
    out: Path = args.out if args.out is not None else _default_out(start, zone)
    if (out.exists() and out.samefile(real)) or out.resolve() == real.resolve():
        return _usage(f"--out {out} is the store being replayed; a replay never writes it")
    problem = store_problem(out)
    if problem is not None:
        return _usage(f"--out {out}: {problem}")
    try:
        conn = open_recorded(real)
        try:
            period = read_period(conn, start, end)
        finally:
            conn.close()
    except (PeriodError, sqlite3.Error) as error:
        return _usage(f"--db {real}: {error}")
    if period.empty:
        print(f"tianshu replay: {real} holds nothing recorded between {_shown(start, zone)} and "
              f"{_shown(end, zone)}",
              file=sys.stderr)  # fmt: skip
        return 1
    if period.unreadable:
        print(f"tianshu replay: {period.unreadable} unreadable rows left out", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not args.headless:
        # Imported here: a headless replay on a machine without Qt's libraries never loads them.
        from app.drill.replay_gui import run_replay_gui

        return run_replay_gui(period, out, args.speed, zone, _console)
    return asyncio.run(_play(period, out, args.speed, zone))


async def _play(period: Any, out: Path, speed: float, zone: ZoneInfo) -> int:
    from sim.drill.director import HELP, DirectorCommand
    from sim.drill.replay import ReplayOptions, replay

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
    if sys.stdin.isatty():
        print(f"director: {HELP} (a replay has no injects: pause, resume, status, stop)", flush=True)
        threading.Thread(target=_console, args=(loop, commands), name="director", daemon=True).start()
    try:
        options = ReplayOptions(
            speed=speed, stop_requested=stop.is_set, announce=lambda line: print(line, flush=True),
            director=commands, zone=zone,
        )  # fmt: skip
        result = await replay(period, out, options)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    print(f"drill store: {out}", flush=True)
    if not result.fed:
        print("tianshu replay: the intake never reached the replay's feed on 127.0.0.1", file=sys.stderr)
        return 1
    return 130 if stop.is_set() else 0


def _policy_zone() -> ZoneInfo:
    from dispatch.casework.policy_file import default_policy_path, load_policy

    return ZoneInfo(load_policy(default_policy_path()).calendar.timezone)


def _default_out(start: float, zone: ZoneInfo) -> Path:
    from dispatch.store.database import default_db_path

    period = datetime.fromtimestamp(start, zone).strftime("%Y%m%d-%H%M")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return default_db_path().parent / "drills" / f"replay-{period}-{stamp}.sqlite3"


def _shown(t: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(t, zone).isoformat(timespec="minutes")
