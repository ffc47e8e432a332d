"""`python main.py operators add|list|passwd|disable|unlock`: the console's local accounts, at a terminal."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from cli.store_choice import MISSING_STORE_EXIT, STORE_HELP, chosen_store
from dispatch.casework.model import Role
from dispatch.casework.records.accounts import (
    CONSOLE_ROLES,
    AccountError,
    check_password,
    create_operator,
    deactivate,
    list_operators,
    set_password,
    unlock,
    waiting_logins,
)

ReadSecret = Callable[[str], str]


class PasswordProblem(Exception):
    """The password could not be read, or the two entries differ."""


def _store_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"--db must name a file, {text} is a directory")
    return path


def _existing_store(text: str) -> Path:
    path = _store_path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such store: {text}")
    return path


def add_operators_command(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `operators` and its actions to the main parser's sub-commands."""
    operators = subparsers.add_parser("operators", help="manage the operator accounts of a store")
    actions = operators.add_subparsers(
        dest="operators_action", parser_class=type(operators), metavar="ACTION", required=True
    )
    add = actions.add_parser("add", help="create an account; the password is read from stdin or asked twice")
    add.add_argument("--db", type=_store_path, metavar="PATH", help=f"{STORE_HELP}; created if missing")
    add.add_argument("--login", required=True, help="2–32 of a–z, 0–9, '.', '-', '_'")
    add.add_argument("--name", required=True, help="the name shown in the cockpit and the audit")
    add.add_argument("--role", required=True, choices=sorted(r.value for r in CONSOLE_ROLES))
    listing = actions.add_parser("list", help="list the accounts")
    listing.add_argument("--db", type=_existing_store, metavar="PATH", help=STORE_HELP)
    passwd = actions.add_parser("passwd", help="set a new password (stdin or asked twice)")
    passwd.add_argument("--db", type=_existing_store, metavar="PATH", help=STORE_HELP)
    passwd.add_argument("--login", required=True)
    disable = actions.add_parser("disable", help="stop an account from signing in (it stays in the audit)")
    disable.add_argument("--db", type=_existing_store, metavar="PATH", help=STORE_HELP)
    disable.add_argument("--login", required=True)
    unlock_parser = actions.add_parser(
        "unlock", help="let a login that failed too often sign in again now (recorded in the account log)"
    )
    unlock_parser.add_argument("--db", type=_existing_store, metavar="PATH", help=STORE_HELP)
    unlock_parser.add_argument("--login", required=True, help="the login that waits")
    unlock_parser.add_argument(
        "--by", required=True, metavar="LOGIN", help="the shift lead who decides it (an active account)"
    )


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def _os_user() -> str:
    """Who runs the terminal, for the account log (a container may have no name for the uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def read_password(stdin: TextIO, ask: ReadSecret) -> str:
    """One line from a pipe, or the same password typed twice at a terminal."""
    if not stdin.isatty():
        line = stdin.readline()
        if not line:
            raise PasswordProblem("no password on stdin")
        return line.rstrip("\r\n")
    first = ask("Password: ")
    check_password(first)
    if ask("Password again: ") != first:
        raise PasswordProblem("the two passwords differ")
    return first


def run_operators(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    ask: ReadSecret = getpass.getpass,
    now: Callable[[], float] = time.time,
) -> int:
    """Carry out one `operators` action; 0 on success, 1 with one line on stderr when refused (2 when no
    --db is given and the cockpit's store does not exist)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    # Here, not at the top: the main parser imports this module for every command, and the store
    # brings sqlite-utils (and numpy) with it.
    from dispatch.store.database import StoreError, open_store

    action: str = args.operators_action
    # Without --db, the cockpit's own store (an `add` creates it: the first account of a new console).
    store = chosen_store(args.db, must_exist=action != "add", err=stderr)
    if store is None:
        return MISSING_STORE_EXIT
    try:
        password = read_password(stdin, ask) if action in ("add", "passwd") else ""
        db = open_store(store)
    except (AccountError, PasswordProblem, StoreError) as error:
        print(f"tianshu: {error}", file=stderr)
        return 1
    try:
        conn = db.conn
        if action == "add":
            made = create_operator(conn, args.login, args.name, Role(args.role), password, now=now())
            print(f"added {made.login} ({made.name}, {made.role.value})", file=stdout)
        elif action == "passwd":
            set_password(conn, args.login, password)
            print(f"password changed for {args.login.strip().lower()}", file=stdout)
        elif action == "disable":
            deactivate(conn, args.login)
            print(f"disabled {args.login.strip().lower()}", file=stdout)
        elif action == "unlock":
            at = now()
            until = unlock(conn, args.login, by=args.by, now=at, note=f"at a terminal as {_os_user()}")
            login = args.login.strip().lower()
            if until is None:
                print(f"{login} was not waiting; recorded", file=stdout)
            else:
                print(f"unlocked {login} (it was to wait until {_clock(until)})", file=stdout)
        else:
            waiting = waiting_logins(conn, now())
            for op in list_operators(conn):
                flags = ("" if op.active else " disabled") + (" demo" if op.demo else "")
                if op.login in waiting:
                    flags += f" waiting until {_clock(waiting[op.login])}"
                created = time.strftime("%Y-%m-%d %H:%M", time.localtime(op.created_at))
                print(f"{op.login}\t{op.name}\t{op.role.value}\t{created}{flags}", file=stdout)
    except AccountError as error:
        print(f"tianshu: {error}", file=stderr)
        return 1
    finally:
        db.close()
    return 0
