"""A seat signs its replica's audit head with its console's key, as one console does: the centre's chain,
witnessed by every console that holds it, and `audit verify` checks the replica against those
signatures (a replica edited behind the log's back is caught)."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from cli.audit import Signatures
from cli.report import run_audit_verify
from core.clock import ManualClock
from dispatch.casework.model import Action
from dispatch.casework.records.checkpoints import Checkpointer, generate_key, public_path, read_log
from dispatch.seats.seat import SeatLoop
from tests.dispatch.casework.policies import LEAD, POLICY
from tests.dispatch.seats.seating import START, WAIT, act, event, open_seat

pytestmark = pytest.mark.slow
EVERY_S = 600.0


def verify(store: Path, key: Path, log: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = run_audit_verify(db_path=store, out=out, signatures=Signatures(public_path(key), log, True))
    return code, out.getvalue()


def test_a_seat_signs_its_replicas_audit_head_and_verify_holds_it_to_them(hub: str, tmp_path: Path) -> None:
    key, log = tmp_path / "console.key", tmp_path / "a.sqlite3.checkpoints"
    generate_key(key)
    clock = ManualClock(START)
    signed = SeatLoop(
        tmp_path / "a.sqlite3", POLICY, clock, hub=[hub], centre="test", seat="a",
        audit_checkpoints=Checkpointer(key, log, EVERY_S),
    )  # fmt: skip
    other = open_seat(hub, tmp_path, "b")
    try:
        (case_id,) = other.publish_event(event("e1")).result(WAIT).opened
        act(other, case_id, Action.REGISTER, LEAD)
        signed.caught_up().result(WAIT)
        assert signed.beat().result(WAIT).health.errors == ()
        signed.beat().result(WAIT)  # within the period: no second signature
        clock.advance(EVERY_S)
        act(other, case_id, Action.DISPATCH, LEAD, unit="U-1")
        signed.caught_up().result(WAIT)
        signed.beat().result(WAIT)
        lines = read_log(log)
        assert [line.error for line in lines] == ["", ""]
        assert [line.checkpoint.rows for line in lines if line.checkpoint] == [2, 3]  # as the log wrote it
    finally:
        other.close()
        signed.close()
    code, said = verify(tmp_path / "a.sqlite3", key, log)
    assert code == 0, said
    # A case row edited in the replica behind the log's back: the signatures and the chain catch it.
    conn = sqlite3.connect(tmp_path / "a.sqlite3")
    with conn:
        conn.execute("DROP TRIGGER audit_append_only_update")
        conn.execute("UPDATE audit SET actor = 'someone-else' WHERE id = 1")
    conn.close()
    code, said = verify(tmp_path / "a.sqlite3", key, log)
    assert code == 1, said
