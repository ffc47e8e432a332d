"""Signed checkpoints as the cockpit makes them: the key `audit keygen` creates, the periodic job of the duty
beat, the one signed at each handover, the log read from its end, and the command line around them."""

from __future__ import annotations

import argparse
import io
import os
import stat
from pathlib import Path

import msgspec
import pytest

from cli.audit import Signatures
from cli.report import add_audit_command, run_audit_verify
from dispatch.beat import BeatParts, audit_checkpoint
from dispatch.casework.checkpoint_stamp import Checkpoint
from dispatch.casework.model import Action
from dispatch.casework.records.checkpoints import (
    Checkpointer,
    CheckpointError,
    generate_key,
    latest_of,
    load_private_key,
    public_path,
    read_log,
    store_id,
)
from dispatch.casework.records.handover import load_handover, write_handover
from dispatch.casework.shifts import current_shift
from dispatch.service import LoopContext
from tests.dispatch.casework.policies import LEAD, POLICY, Loop, act, new_case, open_loop

MINUTE = 60.0


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "audit.key"
    generate_key(path)
    return path


@pytest.fixture
def loop(tmp_path: Path) -> Loop:
    loop = open_loop(tmp_path / "store.sqlite3")
    yield loop  # type: ignore[misc]
    loop.close()


def context(loop: Loop, checkpoints: Checkpointer | None) -> BeatParts:
    return BeatParts(loop.desk, loop.discovery, loop.clock, checkpoints)


def parts_of(ctx: LoopContext) -> BeatParts:
    return BeatParts(ctx.desk, ctx.discovery, ctx.clock, ctx.audit_checkpoints)


def verify(loop: Loop, key: Path, log: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = run_audit_verify(db_path=loop.path, out=out, signatures=Signatures(public_path(key), log, True))
    return code, out.getvalue()


def test_keygen_makes_a_private_key_only_its_owner_reads_and_never_overwrites_it(key: Path) -> None:
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"PUBLIC KEY" in public_path(key).read_bytes()
    before = key.read_bytes()
    with pytest.raises(CheckpointError, match="already exists"):
        generate_key(key)
    assert key.read_bytes() == before


def test_a_key_others_can_read_is_refused(key: Path) -> None:
    os.chmod(key, 0o644)
    with pytest.raises(CheckpointError, match="readable by others"):
        load_private_key(key)


def test_the_beat_signs_once_per_period(loop: Loop, key: Path, tmp_path: Path) -> None:
    log = tmp_path / "store.checkpoints"
    ctx = context(loop, Checkpointer(key, log, every_s=10 * MINUTE))
    case = new_case(loop)
    audit_checkpoint(ctx)
    act(loop, case.id, Action.REGISTER, LEAD)
    loop.clock.advance(9 * MINUTE)
    audit_checkpoint(ctx)  # not due yet
    loop.clock.advance(MINUTE)
    audit_checkpoint(ctx)
    lines = [line.checkpoint for line in read_log(log)]
    assert [(c.rows, c.reason) for c in lines if c] == [(1, "periodic"), (2, "periodic")]
    assert lines[1] is not None
    assert lines[1].at == loop.clock.now()
    assert verify(loop, key, log)[0] == 0


def test_without_a_key_the_beat_signs_nothing(loop: Loop, tmp_path: Path) -> None:
    audit_checkpoint(context(loop, None))
    assert store_id(loop.conn) is None


def test_a_key_that_cannot_be_read_fails_the_job_visibly_and_waits_a_period(
    loop: Loop, tmp_path: Path
) -> None:
    ctx = context(loop, Checkpointer(tmp_path / "missing.key", tmp_path / "log", every_s=MINUTE))
    with pytest.raises(CheckpointError, match="cannot read the signing key"):
        audit_checkpoint(ctx)
    audit_checkpoint(ctx)  # the next try comes with the next period, not every beat
    assert not loop.conn.in_transaction


def test_a_handover_signs_a_checkpoint_and_keeps_it_for_the_report(
    loop: Loop, key: Path, tmp_path: Path
) -> None:
    log = tmp_path / "store.checkpoints"
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    shift = current_shift(loop.clock.now(), "UTC")
    checkpoints = Checkpointer(key, log, every_s=10 * MINUTE)
    handover = write_handover(
        loop.conn, shift=shift, author=LEAD, note="交班", now=loop.clock.now(), checkpoints=checkpoints
    )
    assert handover.checkpoint is not None
    assert (handover.checkpoint.rows, handover.checkpoint.reason) == (2, "handover")
    assert load_handover(loop.conn, handover.id).checkpoint == handover.checkpoint
    assert read_log(log)[-1].checkpoint == handover.checkpoint
    assert not checkpoints.due(loop.clock.now())  # the periodic one starts counting again
    assert verify(loop, key, log)[0] == 0


def test_a_checkpoint_that_cannot_be_signed_does_not_hold_up_the_handover(loop: Loop, tmp_path: Path) -> None:
    shift = current_shift(loop.clock.now(), "UTC")
    broken = Checkpointer(tmp_path / "missing.key", tmp_path / "log", every_s=MINUTE)
    handover = write_handover(
        loop.conn, shift=shift, author=LEAD, note="交班", now=loop.clock.now(), checkpoints=broken
    )
    assert handover.checkpoint is None
    assert load_handover(loop.conn, handover.id).note == "交班"


def test_a_forged_line_at_the_end_of_the_log_neither_stops_nor_misleads_the_cockpit(
    loop: Loop, key: Path, tmp_path: Path
) -> None:
    log = tmp_path / "store.checkpoints"
    checkpoints = Checkpointer(key, log, every_s=0)
    with loop.desk.transaction() as conn:
        first = checkpoints.sign(conn, loop.clock.now(), "periodic")
    forged = msgspec.structs.replace(first, rows=99, sig="zz")
    with log.open("ab") as out:
        out.write(msgspec.json.encode(forged) + b"\n")
    with loop.desk.transaction() as conn:
        second = checkpoints.sign(conn, loop.clock.now(), "periodic")
    assert second.prev == first.digest()
    code, out = verify(loop, key, log)
    assert code == 1
    assert "log line 2 has a signature this key did not make" in out


def test_the_latest_checkpoint_is_found_from_the_end_of_a_long_shared_log(
    loop: Loop, key: Path, tmp_path: Path
) -> None:
    """A log several stores share, longer than the tail read: each store's checkpoints still link up."""
    log = tmp_path / "shared.checkpoints"
    other = open_loop(tmp_path / "other.sqlite3")
    ours, theirs = Checkpointer(key, log, every_s=0), Checkpointer(key, log, every_s=0)
    with loop.desk.transaction() as conn:
        ours.sign(conn, loop.clock.now(), "periodic")
    for _ in range(300):  # ~100 KB of another store's lines after ours
        with other.desk.transaction() as conn:
            theirs.sign(conn, other.clock.now(), "periodic")
    assert log.stat().st_size > 64 * 1024
    ident = store_id(loop.conn)
    assert ident is not None
    assert latest_of(log, ident, load_private_key(key).public_key()) == ours.latest
    new_case(loop)
    with loop.desk.transaction() as conn:
        ours.sign(conn, loop.clock.now(), "periodic")
    assert ours.latest is not None
    assert ours.latest.prev != ""
    code, out = verify(loop, key, log)
    assert code == 0, out
    assert "2 checked" in out
    other.close()


def parse(*argv: str) -> argparse.Namespace:
    root = argparse.ArgumentParser(prog="tianshu")
    sub = root.add_subparsers(dest="command")
    add_audit_command(sub)
    return root.parse_args(argv)


def test_keygen_checkpoint_and_verify_on_the_command_line(
    loop: Loop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_case(loop)
    key = tmp_path / "cli.key"
    args = parse("audit", "keygen", "--key", str(key))
    assert args.handler(args) == 0
    assert "fingerprint" in capsys.readouterr().out
    again = parse("audit", "keygen", "--key", str(key))
    assert again.handler(again) == 1
    assert "already exists" in capsys.readouterr().err
    args = parse("audit", "checkpoint", "--db", str(loop.path), "--key", str(key))
    assert args.handler(args) == 0
    log = loop.path.with_name(loop.path.name + ".checkpoints")
    (line,) = log.read_bytes().splitlines()
    assert msgspec.json.decode(line, type=Checkpoint).rows == 1
    args = parse("audit", "verify", "--db", str(loop.path), "--key", str(public_path(key)))
    capsys.readouterr()
    assert args.handler(args) == 0
    assert "checkpoints: 1 checked" in capsys.readouterr().out
    # Named, the key makes checkpoints required: an emptied log is a failure, not a pass.
    log.write_bytes(b"")
    assert args.handler(args) == 1
    assert "holds no checkpoint of this store" in capsys.readouterr().out


def test_the_desk_thread_hands_its_checkpointer_to_every_job(key: Path, tmp_path: Path) -> None:
    from core.clock import ManualClock
    from dispatch.service import LocalLoop

    log = tmp_path / "worker.checkpoints"
    worker = LocalLoop(
        tmp_path / "worker.sqlite3", POLICY, ManualClock(), audit_checkpoints=Checkpointer(key, log, 600)
    )
    try:
        worker.call_blocking(lambda ctx: audit_checkpoint(parts_of(ctx)))
        worker.call_blocking(lambda ctx: audit_checkpoint(parts_of(ctx)))  # within the period: nothing more
    finally:
        worker.close()
    assert [line.checkpoint.reason for line in read_log(log) if line.checkpoint] == ["periodic"]
