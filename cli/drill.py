"""`drill SCENARIO.yaml [--speed 1|2|5|10] [--db PATH] [--headless]`: play a drill into its own store."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

DRILL_STORE_HELP = "the drill's own store (default: a new file under the per-user data dir's drills/)"
# A mistake on the command line or in the scenario: one line on stderr, exit code 2 (as argparse does).
USAGE_EXIT = 2


def add_drill_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    drill = subparsers.add_parser(
        "drill",
        help="play a drill scenario (应急演练) through a local feed into a separate drill store",
        description="Play SCENARIO.yaml (docs/scenarios.md) through a local feed server on 127.0.0.1 and the "
        "ordinary intake into a drill store of its own: every case, event, order and reading is flagged "
        "exercise, and the cockpit's store is never opened. No network is needed.",
    )
    drill.add_argument("scenario", type=Path, metavar="SCENARIO.yaml")
    drill.add_argument(
        "--speed", type=int, choices=(1, 2, 5, 10), default=1, help="scenario time per wall time"
    )
    drill.add_argument("--db", type=Path, metavar="PATH", help=DRILL_STORE_HELP)
    drill.add_argument(
        "--headless", action="store_true",
        help="no window: simulated officers give scripted default responses; exit 0 when the scenario ends",
    )  # fmt: skip
    drill.set_defaults(handler=run_drill_command)


def run_drill_command(args: argparse.Namespace) -> int:
    # Imported here: `--help` should not wait for the store, the atlas or the simulator.
    from dispatch.atlas import AtlasError, load_atlas
    from dispatch.drill import ScenarioError, load_scenario
    from dispatch.drill.scenario_atlas import atlas_directory, check_against_atlas

    try:
        scenario = load_scenario(args.scenario)
        atlas = load_atlas(atlas_directory(scenario))
        check_against_atlas(scenario, atlas)
    except (ScenarioError, AtlasError) as error:
        print(f"tianshu: error: {error}", file=sys.stderr)
        return USAGE_EXIT
    db_path = args.db if args.db is not None else default_drill_store(args.scenario)
    problem = store_problem(db_path)
    if problem is not None:
        print(f"tianshu: error: --db {db_path}: {problem}", file=sys.stderr)
        return USAGE_EXIT
    if not args.headless:
        # Imported here: a headless drill on a machine without Qt's libraries never loads them.
        from app.drill.gui import run_drill_gui

        db_path.parent.mkdir(parents=True, exist_ok=True)
        return run_drill_gui(scenario, atlas, db_path, args.speed)
    return asyncio.run(_play(scenario, atlas, db_path, args.speed))


async def _play(scenario: Any, atlas: Any, db_path: Path, speed: int) -> int:
    from sim.drill.director import HELP, DirectorCommand
    from sim.drill.runner import DrillOptions, play

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
    if sys.stdin.isatty():
        # The terminal is the director's console: pause, resume, send or skip injects while it runs.
        print(f"director: {HELP}", flush=True)
        threading.Thread(target=_console, args=(loop, commands), name="director", daemon=True).start()
    try:
        options = DrillOptions(
            speed=float(speed), headless=True, stop_requested=stop.is_set,
            announce=lambda line: print(line, flush=True), director=commands,
        )  # fmt: skip
        result = await play(scenario, atlas, db_path, options)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    print(f"drill store: {db_path}", flush=True)
    if not result.fed:
        print(
            "tianshu: the intake never reached the drill's feed on 127.0.0.1; nothing was played",
            file=sys.stderr,
        )
        return 1
    return 130 if stop.is_set() else 0


def _console(loop: asyncio.AbstractEventLoop, commands: asyncio.Queue[Any]) -> None:
    """Reads the director's lines from the terminal (os.read: a daemon thread blocked in buffered stdin
    could abort the interpreter at shutdown) and hands each command to the drill's loop."""
    from sim.drill.director import parse_command

    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = ""
    pending = b""
    with contextlib.suppress(OSError, RuntimeError):  # the terminal or the loop went away: no director
        while chunk := os.read(sys.stdin.fileno(), 4096):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                parsed = parse_command(raw.decode("utf-8", "replace"), by=f"导演 {login}".strip())
                if isinstance(parsed, str):
                    print(parsed, flush=True)
                else:
                    loop.call_soon_threadsafe(commands.put_nowait, parsed)


def default_drill_store(scenario: Path) -> Path:
    from dispatch.store.database import default_db_path

    stamp = time.strftime("%Y%m%d-%H%M%S")
    return default_db_path().parent / "drills" / f"{scenario.stem}-{stamp}.sqlite3"


def store_problem(path: Path) -> str | None:
    """Why a drill must not write this file: it is the cockpit's store, or a store with real records."""
    from dispatch.store.database import default_db_path
    from dispatch.store.read_only import open_read_only

    real = default_db_path()
    if path.resolve() == real.resolve() or (path.exists() and real.exists() and path.samefile(real)):
        return "that is the cockpit's store; a drill writes only a drill store"
    if not path.exists():
        return None
    try:
        conn = open_read_only(path)
    except sqlite3.Error as error:
        return f"cannot open it: {error}"
    try:
        for table in ("events", "cases"):
            try:
                real_rows = conn.execute(f"SELECT count(*) FROM {table} WHERE exercise = 0").fetchone()[0]
            except sqlite3.OperationalError:
                continue  # not a store yet, or an older one without the table
            if real_rows:
                return f"it holds {real_rows} real (non-exercise) {table}; a drill never writes beside them"
    except sqlite3.DatabaseError as error:
        return f"not a store: {error}"
    finally:
        conn.close()
    return None
