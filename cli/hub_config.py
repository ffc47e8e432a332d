"""`seats hub-config`: a centre's nats-server users and TLS, and one credentials file per seat."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

from dispatch.seats.access import Role, ServerTls, User, server_config
from dispatch.seats.subjects import BadName, Centre, check_token

USAGE_EXIT = 2
SERVER_FILE = "hub.conf"
CA_FILE = "ca.pem"
PASSWORD_BYTES = 24  # 192 random bits each, as URL-safe text


def user_spec(text: str) -> tuple[Centre | None, Role, tuple[str, ...]]:
    """`--user [CENTRE:]ROLE:NAME[,NAME…]`: seats of one role (console or wall), of --centre or of
    another centre on the same hub (levels: a district and its city)."""
    parts = text.split(":")
    role_text = parts[-2] if len(parts) in (2, 3) else ""
    try:
        role = Role(role_text.strip())
    except ValueError:
        role = None
    if role is None:
        raise argparse.ArgumentTypeError(
            f"expected [CENTRE:]console:NAME[,NAME…] or [CENTRE:]wall:NAME[,NAME…], got {text!r}"
        )
    try:
        centre = Centre(parts[0].strip()) if len(parts) == 3 else None
        names = tuple(check_token("seat", name.strip()) for name in parts[-1].split(","))
    except BadName as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return centre, role, names


def add_hub_config_command(seats_sub: argparse._SubParsersAction[Any]) -> None:
    hub_config = seats_sub.add_parser(
        "hub-config",
        help="write a centre's nats-server users and TLS, and one credentials file per seat",
        description="Write OUT/hub.conf (nats-server: TLS and one user per seat with its role's "
        "permissions, passwords as bcrypt hashes), OUT/ca.pem and OUT/<seat>.toml for every seat (its "
        "user, a random password and the CA; mode 0600): give each seat its file and ca.pem, start every "
        "node with -c hub.conf. See docs/seats.md, Security.",
    )
    hub_config.add_argument("--centre", dest="config_centre", required=True, metavar="NAME",
                            help="the centre (its log, lease and snapshots)")  # fmt: skip
    hub_config.add_argument(
        "--user", dest="config_users", type=user_spec, action="append", required=True,
        metavar="[CENTRE:]ROLE:NAME[,NAME…]",
        help="seats of a role: console (commands, the lease) or wall (reads); of another centre on the "
        "same hub with CENTRE:",
    )  # fmt: skip
    for option, dest, what in (
        ("--cert", "config_cert", "the hub's certificate (PEM, on the nodes)"),
        ("--key", "config_key", "the hub's private key (PEM, on the nodes)"),
        ("--ca", "config_ca", "the CA that signed the hub's certificate (copied for the seats)"),
    ):
        hub_config.add_argument(option, dest=dest, type=Path, required=True, metavar="FILE", help=what)
    hub_config.add_argument(
        "--verify-clients", action="store_true",
        help="mutual TLS: seats must show a certificate signed by the CA too",
    )  # fmt: skip
    hub_config.add_argument(
        "--routes-tls", action="store_true",
        help="TLS between the cluster's nodes too (each node's certificate, checked both ways)",
    )  # fmt: skip
    hub_config.add_argument(
        "--out", dest="config_out", type=Path, required=True, metavar="DIR",
        help="where to write the files (created; existing files are not replaced)",
    )  # fmt: skip
    hub_config.set_defaults(handler=run_hub_config)


def _write_private(path: Path, text: str) -> None:
    """Create `path` readable by its owner only (it holds passwords); never replace a file."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def _credentials_text(centre: str, user: User) -> str:
    command = "--hub" if user.role is Role.CONSOLE else "seats follow --db wall.sqlite3 --hub"
    return (
        f"# Seat {user.name} ({user.role.value}) of centre {centre} on the hub: keep it private.\n"
        f"# python main.py {command} tls://… --seat {user.name} --centre {centre} --hub-credentials THIS\n"
        f"user = {json.dumps(user.name)}\n"
        f"password = {json.dumps(user.password)}\n"
        f'ca = "{CA_FILE}"\n'
    )


def run_hub_config(args: argparse.Namespace) -> int:
    def refuse(message: str) -> int:
        print(f"tianshu: error: {message}", file=sys.stderr)
        return USAGE_EXIT

    try:
        centre = Centre(args.config_centre)
    except BadName as error:
        return refuse(f"--centre: {error}")
    users = [
        User(name, role, secrets.token_urlsafe(PASSWORD_BYTES), None if other == centre else other)
        for other, role, names in args.config_users
        for name in names
    ]
    for option, path in (("--cert", args.config_cert), ("--key", args.config_key), ("--ca", args.config_ca)):
        if not path.is_file():
            return refuse(f"{option} {path}: no such file")
    out: Path = args.config_out
    targets = [out / SERVER_FILE, out / CA_FILE, *(out / f"{user.name}.toml" for user in users)]
    there = [str(target) for target in targets if target.exists()]
    if there:
        return refuse(f"--out: {', '.join(there)} already there (not replaced: seats may be using them)")
    tls = ServerTls(
        args.config_cert.resolve(), args.config_key.resolve(), args.config_ca.resolve(), args.verify_clients
    )
    try:
        config = server_config(centre, users, tls, routes_tls=args.routes_tls)
    except ValueError as error:
        return refuse(f"--user: {error}")
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.config_ca, out / CA_FILE)
        _write_private(out / SERVER_FILE, config)
        for user in users:
            _write_private(out / f"{user.name}.toml", _credentials_text((user.centre or centre).name, user))
    except OSError as error:
        print(f"tianshu: cannot write the hub's files in {out}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {out / SERVER_FILE}: start every node with  nats-server -c {out / SERVER_FILE} -js …")
    for user in users:
        written = out / f"{user.name}.toml"
        print(f"wrote {written} ({user.role.value}): give it, with {CA_FILE}, to seat {user.name}")
    if args.verify_clients:
        print("mutual TLS: add cert = and key = (a certificate the CA signed) to every seat's file")
    return 0
