"""`audit verify`, `audit keygen` and `audit checkpoint`: the chain, the case file replayed against it, and
the signed checkpoints that pin it down (docs/closed-loop.md, threat model)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from cli.store_choice import MISSING_STORE_EXIT, STORE_HELP, chosen_store
from core.clock import SystemClock, iso_utc


@dataclass(frozen=True, slots=True)
class Signatures:
    """Where to find the key and the log, and whether the store must have checkpoints in it."""

    key: Path | None
    log: Path | None
    required: bool


def add_arguments(
    actions: argparse._SubParsersAction[Any],
    store_file: Callable[[str], Path],
    verify_handler: Callable[..., int],
) -> None:
    """`verify`, `keygen` and `checkpoint` under `audit`."""
    verify = actions.add_parser(
        "verify", help="recompute the chain, replay every case, check every checkpoint"
    )
    verify.add_argument("--db", type=store_file, metavar="PATH", help=STORE_HELP)
    _signature_options(verify)
    verify.set_defaults(handler=verify_handler)
    keygen = actions.add_parser("keygen", help="create the Ed25519 key that signs audit checkpoints")
    keygen.add_argument("--key", type=Path, metavar="PATH", help="where (default: the user's config dir)")
    keygen.set_defaults(handler=_keygen_handler)
    checkpoint = actions.add_parser("checkpoint", help="sign the head of the chain now")
    checkpoint.add_argument("--db", type=store_file, metavar="PATH", help=STORE_HELP)
    _signature_options(checkpoint)
    checkpoint.set_defaults(handler=_checkpoint_handler)


def _signature_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", type=Path, metavar="PATH",
                        help="signing key or its .pub (default: the one `audit keygen` made)")  # fmt: skip
    parser.add_argument("--checkpoints", type=Path, metavar="PATH",
                        help="checkpoint log (default: beside the store, STORE.checkpoints)")  # fmt: skip


def signatures_of(args: argparse.Namespace) -> Signatures:
    """Named key or log: checkpoints are required. Neither: the default key, required once this store has
    a log or has been checkpointed (a store that never was is verified without them, with a note)."""
    from dispatch.casework.records.checkpoints import default_key_path, default_log_path, public_path

    log = args.checkpoints or default_log_path(args.db)
    if args.key is not None or args.checkpoints is not None:
        return Signatures(args.key or _default_key(default_key_path(), public_path), log, True)
    key = _default_key(default_key_path(), public_path)
    return Signatures(key, log, key is not None and log.exists())


def _default_key(path: Path, public: Callable[[Path], Path]) -> Path | None:
    for candidate in (public(path), path):
        if candidate.is_file():
            return candidate
    return None


def _fail(message: str) -> int:
    print(f"tianshu: {message}", file=sys.stderr)
    return 1


def _keygen_handler(args: argparse.Namespace) -> int:
    from dispatch.casework.records.checkpoints import (
        CheckpointError,
        default_key_path,
        fingerprint,
        generate_key,
        public_path,
    )

    path = args.key or default_key_path()
    try:
        public = generate_key(path)
    except CheckpointError as error:
        return _fail(str(error))
    print(f"audit key: {path} (mode 600), public half {public_path(path)}, fingerprint {fingerprint(public)}")
    return 0


def _checkpoint_handler(args: argparse.Namespace) -> int:
    from dispatch.casework.records.checkpoints import (
        CheckpointError,
        default_key_path,
        default_log_path,
        load_private_key,
        sign_checkpoint,
    )
    from dispatch.store.database import StoreError, open_store

    args.db = chosen_store(args.db)
    if args.db is None:
        return MISSING_STORE_EXIT
    key_path = args.key or default_key_path()
    log = args.checkpoints or default_log_path(args.db)
    try:
        key = load_private_key(key_path)
        db = open_store(args.db)
    except (CheckpointError, StoreError) as error:
        return _fail(str(error))
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            checkpoint = sign_checkpoint(db.conn, key, log, SystemClock().now(), "manual")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except (CheckpointError, sqlite3.Error) as error:
        return _fail(str(error))
    finally:
        db.close()
    print(f"checkpoint: {checkpoint.rows} rows, head {checkpoint.head}, {iso_utc(checkpoint.at)} → {log}")
    return 0


def verify_store(conn: sqlite3.Connection, stream: TextIO, signatures: Signatures | None) -> int:
    """The chain, then the checkpoints, then every case and order replayed: 0 when all hold, 1 otherwise.
    The first line says which: `audit: OK, …` or `audit: BROKEN at …`."""
    from dispatch.casework.records.audit import verify
    from dispatch.casework.records.audit_replay import replay

    chain = verify(conn, cases=False)
    if not chain.ok:
        stream.write(f"audit: BROKEN at row {chain.broken_at}: {chain.problem} "
                     f"({chain.rows} rows before it verified)\n")  # fmt: skip
        return 1
    broken: list[str] = []
    signed = _check_signatures(conn, signatures, broken)
    cases = replay(conn)
    if cases.problem:
        where = f"case {cases.case_id}" if cases.case_id is not None else "the outbox"
        broken.append(f"audit: BROKEN at {where}: {cases.problem} ({chain.rows} rows verified)")
    if broken:
        stream.write("\n".join(broken) + "\n")
        return 1
    tail = f", head {chain.head}" if chain.rows else ""
    legacy = (
        f" ({cases.legacy} from before changes were recorded: state and version only)" if cases.legacy else ""
    )
    stream.write(f"audit: OK, {chain.rows} rows checked{tail}\n"
                 f"cases: {cases.cases} replayed against every column and order{legacy}\n"
                 f"checkpoints: {signed}\n")  # fmt: skip
    return 0


def _check_signatures(conn: sqlite3.Connection, signatures: Signatures | None, broken: list[str]) -> str:
    """What the checkpoints say when they hold; otherwise the problem is added to `broken`."""
    from dispatch.casework.records.checkpoint_check import check_checkpoints, describe
    from dispatch.casework.records.checkpoints import CheckpointError, load_public_key, read_log, store_id

    if signatures is None or signatures.key is None:
        if signatures is not None and signatures.required:
            broken.append("audit: BROKEN at the checkpoints: there is no key to check them with")
        return "not checked (no key: `python main.py audit keygen` makes one)"
    assert signatures.log is not None
    try:
        key = load_public_key(signatures.key)
        lines = read_log(signatures.log)
    except CheckpointError as error:
        broken.append(f"audit: BROKEN at the checkpoints: {error}")
        return ""
    if not lines and not signatures.required and store_id(conn) is None:
        return f"none yet for this store ({signatures.log})"
    report = check_checkpoints(conn, lines, key)
    if not report.ok:
        where = f"row {report.row}" if report.row is not None else f"checkpoint line {report.line}"
        if report.line is None:
            where = "the checkpoints"
        broken.append(f"audit: BROKEN at {where}: {report.problem} ({signatures.log})")
        return ""
    if report.latest is None:
        return f"none yet for this store ({signatures.log})"
    number = next(line.number for line in lines if line.checkpoint == report.latest)
    return (f"{report.checkpoints} checked, latest {describe(number, report.latest)} at row "
            f"{report.latest.rows}; {report.unsigned_rows} rows since, not yet signed")  # fmt: skip
