"""`seats verify --db A --db B …`: do the seats' replicas agree (audit heads, case rows, log position)?"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

USAGE_EXIT = 2
DIFFER_EXIT = 1


def add_seats_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    seats = subparsers.add_parser(
        "seats",
        help="seats sharing one closed loop through NATS JetStream (docs/seats.md)",
        description="Seats that replicate one centre's log. See docs/seats.md.",
    )
    seats_sub = seats.add_subparsers(dest="seats_command", required=True, metavar="COMMAND")
    verify = seats_sub.add_parser(
        "verify",
        help="do the replicas agree: audit heads (last hash, row count), case rows, log sequence",
        description="Compare every replica with the first: the hash of the audit chain's last row and "
        "its row count, every case row column by column, and the last log sequence applied. Exit 0 when "
        "they agree, 1 with the differences, 2 when a store cannot be read.",
    )
    verify.add_argument(
        "--db", type=Path, action="append", required=True, metavar="PATH",
        help="a seat's store (give two or more)",
    )  # fmt: skip
    verify.set_defaults(handler=run_seats_verify)


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
