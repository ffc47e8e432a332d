"""The command line: `python main.py [sub-command] …`; every mistake is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bench.demo import add_bench_demo_arguments
from bench.discovery import add_bench_discovery_arguments
from bench.loop import add_bench_loop_arguments
from bench.map import add_bench_map_arguments
from bench.rules import add_bench_rules_arguments
from bench.seats import add_bench_seats_arguments
from bench.signin import add_bench_signin_arguments
from bench.ui import add_bench_ui_arguments
from bench.videowall import add_bench_wall_arguments
from bench.videowall_return import add_bench_wall_return_arguments
from bench.wall_soak import add_bench_soak_arguments
from cli.atlas_choice import ATLAS_HELP, atlas_argument, atlas_cameras
from cli.drill import add_drill_command
from cli.operators import add_operators_command
from cli.replay import add_replay_command
from cli.report import add_audit_command, add_report_command
from cli.review import add_review_command
from cli.seats import add_hub_options, add_seats_command, check_hub_options
from cli.store_choice import STORE_HELP
from cli.wall import add_wall_options, check_wall_options, run_wall_command
from core.argtypes import add_fuzz_arguments, add_warm_up_argument, picture_size, positive_number

if TYPE_CHECKING:
    from video.registry import CameraRegistry

PROG = "tianshu"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(2)


def _feed_url(text: str) -> str:
    if not re.match(r"^wss?://[^\s/]+", text):
        raise argparse.ArgumentTypeError(f"feed must be a ws:// or wss:// URL, got {text!r}")
    return text


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"port must be 0–65535, got {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def _existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def _cameras(text: str) -> CameraRegistry:
    """A camera registry file, loaded now: a mistake in it is one line naming the file and line."""
    from video.registry import RegistryError, load_registry

    path = _existing_file(text)
    try:
        return load_registry(path)
    except RegistryError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {error}") from None


def _db_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"--db must name a file, {text} is a directory")
    return path


def _feed_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--feed",
        type=_feed_url,
        required=required,
        metavar="URL",
        help="event feed to subscribe to (ws:// or wss://)",
    )
    parser.add_argument("--token", help="bearer token sent on the websocket handshake")
    parser.add_argument(
        "--ca",
        type=_existing_file,
        metavar="FILE",
        help="CA bundle to verify a wss:// feed against (default: system CAs)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Tianshu (天枢) city operations cockpit. "
        "With no sub-command: the cockpit, on the embedded demo city unless --feed is given.",
    )
    _feed_options(parser, required=False)
    parser.add_argument("--db", type=_db_path, metavar="PATH", help="store file (default: per-user data dir)")
    add_hub_options(parser)
    parser.add_argument(
        "--rate", type=positive_number, default=0.02,
        help="demo city's new incidents a second, averaged over the day (default 0.02: ~2 a minute at peak)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, help="demo city random seed")
    parser.add_argument(
        "--cameras", type=_cameras, metavar="FILE",
        help="camera registry (.yaml or .json) for the video wall instead of the demo city's cameras",
    )  # fmt: skip
    parser.add_argument("--atlas", type=atlas_argument, metavar="DIR", help=ATLAS_HELP)
    parser.add_argument(
        "--audit-key", type=_existing_file, metavar="FILE",
        help="key that signs audit checkpoints (default: the one `audit keygen` made; none: no checkpoints)",
    )  # fmt: skip
    parser.add_argument(
        "--checkpoint-log", type=Path, metavar="FILE", help="checkpoint log (default: beside the store)"
    )
    parser.add_argument(
        "--checkpoint-minutes", type=positive_number, default=10.0, metavar="N",
        help="sign the audit chain's head every N minutes, and at each handover (default 10)",
    )  # fmt: skip
    add_wall_options(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    sim = sub.add_parser("sim", help="run the demo city as a standalone feed server")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=_port, default=8765, help="0 picks a free port")
    sim.add_argument(
        "--rate", type=positive_number, default=0.02,
        help="new incidents per second, averaged over the day (default 0.02: about 2 a minute at peak)",
    )  # fmt: skip
    add_warm_up_argument(sim)
    sim.add_argument("--seed", type=int, help="random seed (same seed and start time → same city life)")
    sim.add_argument("--token", help="require this bearer token from clients")
    add_fuzz_arguments(sim)

    ingest = sub.add_parser("ingest", help="run the intake pipeline with no window")
    _feed_options(ingest, required=True)
    ingest.add_argument("--db", type=_db_path, metavar="PATH", help=STORE_HELP)
    ingest.add_argument(
        "--idle-exit",
        type=positive_number,
        metavar="SECONDS",
        help="exit once no message has been stored for this long, whatever the connection does",
    )

    export = sub.add_parser("export", help="write stored rows to stdout")
    export.add_argument("--db", type=_existing_file, metavar="PATH", help=STORE_HELP)
    export.add_argument("--table", choices=("events", "quarantine"), required=True)
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")

    shot = sub.add_parser("screenshot", help="run the cockpit headless on the demo city and save a PNG")
    shot.add_argument("--out", type=Path, required=True, metavar="FILE.png")
    shot.add_argument("--after", type=positive_number, default=5.0, metavar="SECONDS")
    shot.add_argument("--size", type=picture_size, default=(1920, 1080), metavar="WxH")
    shot.add_argument("--db", type=_db_path, metavar="PATH", help="store file (default: a temporary one)")
    shot.add_argument("--feed", type=_feed_url, metavar="URL", help="a real feed instead of the demo city")
    shot.add_argument(
        "--tab", choices=("desk", "wall", "metrics", "map"), default="desk",
        help="panel in front: duty desk, video wall, evaluation (综合评价) or the city map",
    )  # fmt: skip
    shot.add_argument("--cameras", type=_cameras, metavar="FILE", help="camera registry for the video wall")

    bench = sub.add_parser("bench", help="measure performance")
    bench_sub = bench.add_subparsers(dest="bench", parser_class=_Parser, metavar="BENCH", required=True)
    bench_ingest = bench_sub.add_parser("ingest", help="feed → store throughput and send-to-visible latency")
    bench_ingest.add_argument("--count", type=_count, default=200_000, help="messages per throughput run")
    bench_ingest.add_argument("--runs", type=_count, default=3, help="repetitions; medians are reported")
    bench_ingest.add_argument("--latency-rate", type=positive_number, default=5000.0, metavar="EVENTS_PER_S")
    bench_ingest.add_argument("--latency-seconds", type=positive_number, default=10.0)
    bench_ingest.add_argument("--no-gui", action="store_true", help="skip the offscreen GUI latency run")
    for name, summary, add_arguments in (
        ("loop", "queue page, full-text search and one transition, 1M cases", add_bench_loop_arguments),
        ("wall", "the video wall on N live streams: CPU, repaints, latency", add_bench_wall_arguments),
        (
            "wall-return",
            "switching back to the video wall: time to live pictures, cold and warm",
            add_bench_wall_return_arguments,
        ),
        (
            "discovery",
            "a burst of co-located reports becoming cases: time, rows, lock holds",
            add_bench_discovery_arguments,
        ),
        (
            "demo",
            "the demo city's open cases after simulated minutes (real intake, store, discovery)",
            add_bench_demo_arguments,
        ),
        (
            "signin",
            "the first sign-in after start: a known against an unknown login",
            add_bench_signin_arguments,
        ),
        ("rules", "vital-sign alert rules over N series: ms per second of data", add_bench_rules_arguments),
        ("soak", "the wall for a simulated day: memory growth after hour one", add_bench_soak_arguments),
        ("map", "the situation map: paint p99 at two sizes, CPU, memory", add_bench_map_arguments),
        ("ui", "the cockpit and the wall under a busy feed: frame p99, CPU, rules", add_bench_ui_arguments),
        (
            "seats",
            "seats on one NATS JetStream hub: command round trip, feed throughput, catch-up rate",
            add_bench_seats_arguments,
        ),
    ):
        add_arguments(bench_sub.add_parser(name, help=summary))
    add_operators_command(sub)
    add_report_command(sub)
    add_audit_command(sub)
    add_drill_command(sub)
    add_review_command(sub)
    add_replay_command(sub)
    add_seats_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command
    check_wall_options(parser, args)
    check_hub_options(parser, args)
    if command is None and args.wall:
        return run_wall_command(args)
    if command is None:
        from app.seats.join import SeatJoin
        from app.shell.gui import run_gui
        from video.registry import RegistryError

        cameras = args.cameras
        if cameras is None and args.atlas is not None and args.feed is not None:
            # On a real feed the atlas's cameras are the wall's; the demo city serves its own.
            try:
                cameras = atlas_cameras(args.atlas)
            except RegistryError as error:
                parser.error(f"argument --atlas: {error}")

        return run_gui(
            feed_url=args.feed,
            token=args.token,
            ca_file=args.ca,
            db_path=args.db,
            rate=args.rate,
            seed=args.seed,
            cameras=cameras,
            audit_key=args.audit_key,
            checkpoint_log=args.checkpoint_log,
            checkpoint_minutes=args.checkpoint_minutes,
            atlas=args.atlas,
            join=None
            if args.hub is None
            else SeatJoin(
                args.hub,
                args.seat,
                args.centre,
                args.hub_credentials,
                args.parent,
                args.districts,
                log_days=args.log_days,
            ),
        )
    if command == "sim":
        from sim.runner import run_sim

        return run_sim(
            host=args.host,
            port=args.port,
            rate=args.rate,
            seed=args.seed,
            token=args.token,
            announce=_announce,
            fuzz=args.fuzz,
            fuzz_log=args.fuzz_log,
            warm_up_s=args.warm_up,
        )
    if command == "ingest":
        from cli.headless import run_ingest

        return run_ingest(
            feed_url=args.feed, token=args.token, ca_file=args.ca, db_path=args.db, idle_exit=args.idle_exit
        )
    if command == "export":
        from cli.headless import run_export

        return run_export(db_path=args.db, table=args.table, fmt=args.format)
    if command in ("report", "audit", "drill", "review", "replay", "seats"):
        return int(args.handler(args))
    if command == "operators":
        from cli.operators import run_operators

        return run_operators(args)
    if command == "screenshot":
        from cli.screenshot import run_screenshot

        return run_screenshot(
            out=args.out, after=args.after, size=args.size, db_path=args.db, feed_url=args.feed,
            tab=args.tab, cameras=args.cameras,
        )  # fmt: skip
    if args.bench == "wall":
        from bench.videowall import run_bench_wall

        return run_bench_wall(args)
    if args.bench == "wall-return":
        from bench.videowall_return import run_bench_wall_return

        return run_bench_wall_return(args)
    if args.bench == "discovery":
        from bench.discovery import run_bench_discovery

        return run_bench_discovery(args)
    if args.bench == "demo":
        from bench.demo import run_bench_demo

        return run_bench_demo(args)
    if args.bench == "signin":
        from bench.signin import run_bench_signin

        return run_bench_signin(args)
    if args.bench == "rules":
        from bench.rules import run_bench_rules

        return run_bench_rules(args)
    if args.bench == "map":
        from bench.map import run_bench_map

        return run_bench_map(args)
    if args.bench == "ui":
        from bench.ui import run_bench_ui

        return run_bench_ui(args)
    if args.bench == "soak":
        from bench.wall_soak import run_bench_soak

        return run_bench_soak(args)
    if args.bench == "seats":
        from bench.seats import run_bench_seats

        return run_bench_seats(args)
    if args.bench == "loop":
        from bench.loop import run_bench_loop

        return run_bench_loop(args)
    from bench.ingest import run_bench_ingest

    return run_bench_ingest(
        count=args.count,
        runs=args.runs,
        latency_rate=args.latency_rate,
        latency_seconds=args.latency_seconds,
        gui=not args.no_gui,
    )


def _announce(url: str) -> None:
    print(f"tianshu-sim listening on {url}", flush=True)
