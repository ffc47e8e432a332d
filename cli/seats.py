"""`seats verify --db A --db B …` (do the seats' replicas agree?) and the cockpit's `--hub/--seat` options."""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

from cli.hub_config import add_hub_config_command
from dispatch.seats.credentials import BadCredentials, HubCredentials, read_credentials

USAGE_EXIT = 2
DIFFER_EXIT = 1
# nats://host[:port] or tls://host[:port] (a name or an IPv4 address; an IPv6 one in brackets).
_HUB_URL = re.compile(r"(nats|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def hub_urls(text: str) -> tuple[str, ...]:
    """`--hub`: one or more NATS server URLs, comma-separated (the servers of one cluster)."""
    urls = tuple(part.strip() for part in text.split(","))
    for url in urls:
        match = _HUB_URL.fullmatch(url)
        if match is None or (match.group(3) is not None and int(match.group(3)[1:]) > 65535):
            raise argparse.ArgumentTypeError(
                f"expected nats://host:port (or tls://), comma-separated, got {url!r}"
            )
    return urls


def centre_names(text: str) -> tuple[str, ...]:
    """`--districts`: centre names, comma-separated."""
    return tuple(seat_name(part.strip()) for part in text.split(","))


def seat_name(text: str) -> str:
    """`--seat` and `--centre`: a subject token (letters, digits, - and _; at most 64)."""
    if not _NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected 1 to 64 letters, digits, '-' or '_', got {text!r}")
    return text


def hub_credentials(text: str) -> HubCredentials:
    """`--hub-credentials FILE`: the seat's user and password on the hub and the CA it trusts (a TOML
    file, docs/seats.md "Security"); a bad file is one line naming the file, the line and the fault."""
    try:
        return read_credentials(Path(text))
    except BadCredentials as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds between 0 and 3600, got {text!r}")
    return value


def log_days(text: str) -> float:
    """`--log-days`: how long the centre's log keeps an entry, in days (1 to 3650; fractions allowed)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 3650:
        raise argparse.ArgumentTypeError(f"expected days between 1 and 3650, got {text!r}")
    return value


def add_hub_options(parser: argparse.ArgumentParser) -> None:
    """The cockpit's options for joining a centre as a seat (docs/seats.md)."""
    parser.add_argument(
        "--hub", type=hub_urls, metavar="URLS",
        help="join a centre through NATS JetStream: its servers, e.g. nats://a:4222,nats://b:4222 "
        "(needs --seat; the cockpit then runs on a replica of the centre's log)",
    )  # fmt: skip
    parser.add_argument(
        "--seat", type=seat_name, metavar="NAME", help="this console's seat name (with --hub)"
    )
    parser.add_argument(
        "--centre", type=seat_name, default="centre", metavar="NAME",
        help="the centre to join on the hub (default: centre)",
    )  # fmt: skip
    parser.add_argument(
        "--hub-credentials", type=hub_credentials, metavar="FILE",
        help="this seat's user, password and the CA it trusts on the hub (a TOML file written by "
        "`seats hub-config`; with --hub)",
    )  # fmt: skip
    parser.add_argument(
        "--districts", type=centre_names, default=(), metavar="CENTRES",
        help="the centres below this one, for a city's seats, comma-separated (its CAP warnings go down "
        "to them; with --hub)",
    )  # fmt: skip
    parser.add_argument(
        "--log-days", type=log_days, metavar="DAYS",
        help="how long the centre's log keeps an entry when this console creates it (default 30; a seat "
        "away longer starts from a snapshot; a log that is there keeps its own; with --hub)",
    )  # fmt: skip
    parser.add_argument(
        "--parent", type=seat_name, metavar="CENTRE",
        help="the centre above this one, for a district's seats (上报 sends a case there; with --hub)",
    )  # fmt: skip


def check_hub_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.hub is None:
        for name in ("seat", "hub_credentials", "parent", "districts", "log_days"):
            if getattr(args, name):  # None, or no districts: not given
                parser.error(f"--{name.replace('_', '-')} goes with --hub")
        return
    if args.parent is not None and args.parent == args.centre:
        parser.error(f"--parent names the centre above this one, not --centre itself ({args.parent})")
    if args.seat is None:
        parser.error("--hub needs --seat NAME (this console's name in the centre)")
    if args.wall and (args.parent is not None or args.districts or args.log_days is not None):
        parser.error(
            "a wall only follows its centre's log: --parent, --districts and --log-days are a console's"
        )


def add_seats_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    seats = subparsers.add_parser(
        "seats",
        help="seats sharing one closed loop through NATS JetStream (docs/seats.md)",
        description="Seats that replicate one centre's log. See docs/seats.md.",
    )
    seats_sub = seats.add_subparsers(dest="seats_command", required=True, metavar="COMMAND")
    verify = seats_sub.add_parser(
        "verify",
        help="do the replicas agree: audit heads (last hash, row count), case rows, the other records "
        "the log writes, log sequence",
        description="Compare every replica with the first: the hash of the audit chain's last row and "
        "its row count, every case row column by column, the feed's reports, handovers, readings and the "
        "jobs' set-aside items, and the last log sequence applied. Exit 0 when they agree, 1 with the "
        "differences, 2 when a store cannot be read.",
    )
    verify.add_argument(
        "--db", type=Path, action="append", required=True, metavar="PATH",
        help="a seat's store (give two or more)",
    )  # fmt: skip
    verify.set_defaults(handler=run_seats_verify)
    follow = seats_sub.add_parser(
        "follow",
        help="keep a read-only replica of a centre's log (for a wall: python main.py --wall --db PATH)",
        description="Join a centre as a seat that only follows: it applies the log to --db and publishes "
        "nothing (no commands, no reports, never the lease). Runs until interrupted; with --once it stops "
        "once it has applied the log as it stands. Exit 1 when the hub cannot be reached.",
    )
    follow.add_argument("--hub", dest="follow_hub", type=hub_urls, required=True, metavar="URLS",
                        help="the centre's servers, e.g. nats://a:4222,nats://b:4222")  # fmt: skip
    follow.add_argument("--seat", dest="follow_seat", type=seat_name, required=True, metavar="NAME",
                        help="this follower's seat name, e.g. wall-1")  # fmt: skip
    follow.add_argument("--centre", dest="follow_centre", type=seat_name, default="centre", metavar="NAME")
    follow.add_argument("--db", dest="follow_db", type=Path, required=True, metavar="PATH",
                        help="the replica (created if missing)")  # fmt: skip
    follow.add_argument("--hub-credentials", dest="follow_credentials", type=hub_credentials,
                        metavar="FILE", help="this follower's user (a wall's), password and CA")  # fmt: skip
    follow.add_argument("--once", action="store_true", help="catch up, then stop")
    follow.add_argument("--timeout", type=_seconds, default=10.0, metavar="S",
                        help="how long to try to reach the hub at first (default 10)")  # fmt: skip
    follow.set_defaults(handler=run_seats_follow)
    add_hub_config_command(seats_sub)


def run_seats_follow(args: argparse.Namespace) -> int:
    import signal
    import threading

    from core.clock import SystemClock
    from dispatch.casework.policy_file import default_policy_path, load_policy
    from dispatch.seats.hub import HubUnavailable
    from dispatch.seats.seat import SeatLoop
    from dispatch.seats.status import SeatStatus

    def said(status: SeatStatus) -> None:
        print("joined" if status.online else "offline · read-only", flush=True)

    try:
        seat = SeatLoop(
            args.follow_db, load_policy(default_policy_path()), SystemClock(), hub=args.follow_hub,
            centre=args.follow_centre, seat=args.follow_seat, lead=False, timeout=args.timeout,
            credentials=args.follow_credentials,
        )  # fmt: skip
    except HubUnavailable as error:
        print(f"tianshu: cannot join the centre: {error}", file=sys.stderr)
        return 1
    try:
        seat.watch_status(said)
        print(
            f"following centre {args.follow_centre} as {args.follow_seat} into {args.follow_db}", flush=True
        )
        if seat.caught.deltas:  # what the leader's row deltas brought before the log (catch_up)
            by = seat.caught
            print(f"caught up {by.entries} entries by {by.deltas} row deltas in {by.seconds:.2f} s")
        if args.once:
            try:
                print(f"log sequence {seat.caught_up().result(None)}", flush=True)
            except Exception as error:  # the hub gone, or the store failing: one line, exit 1
                print(f"tianshu: the replica did not catch up: {error}", file=sys.stderr)
                return 1
            return 0
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        stop.wait()
        print(f"log sequence {seat.applied}", flush=True)
        return 0
    finally:
        seat.close()


def run_seats_verify(args: argparse.Namespace) -> int:
    from dispatch.seats.verify import differences, read_replica

    paths: list[Path] = args.db
    if len(paths) < 2:
        print("tianshu: error: --db: give at least two stores to compare", file=sys.stderr)
        return USAGE_EXIT
    replicas = []
    for path in paths:
        if not path.is_file():
            print(f"tianshu: error: --db {path}: no such store", file=sys.stderr)
            return USAGE_EXIT
        try:
            replicas.append(read_replica(path))
        except sqlite3.Error as error:
            print(f"tianshu: error: --db {path}: {error}", file=sys.stderr)
            return USAGE_EXIT
    for replica in replicas:
        print(replica.summary())
    found = [line for other in paths[1:] for line in differences(paths[0], other)]
    if found:
        print("replicas differ:")
        for line in found:
            print(f"  {line}")
        return DIFFER_EXIT
    print(f"{len(paths)} replicas agree")
    return 0
