"""A store that went round the whole closed loop, with signed checkpoints along the way, and the tools an
attacker with file access would use on a copy of it (triggers dropped, rows re-hashed)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dispatch.casework.model import Action, Actor, Role
from dispatch.casework.records import audit
from dispatch.casework.records.checkpoints import generate_key, load_private_key, sign_checkpoint
from dispatch.casework.records.supervision import sweep_cards
from tests.dispatch.casework.policies import (
    DISPATCHER,
    INTAKE,
    LEAD,
    LON,
    SUPERVISION,
    SUPERVISOR,
    Loop,
    act,
    new_case,
    open_loop,
)

UNIT = Actor("U-CITY", Role.UNIT)
MINUTE = 60.0


@dataclass(frozen=True)
class History:
    """The store, its key and checkpoint log, the store as it was at the second checkpoint, and names of
    cases that went through particular paths."""

    store: Path
    key: Path
    log: Path
    at_second: Path  # a copy taken right after the second checkpoint
    worked: int  # went round the loop with an extension, parking, a failed check and a rework order
    reopened: int  # verified, returned, dispatched again, closed and reopened (open again, registered)


def _checkpoint(loop: Loop, key: Ed25519PrivateKey, log: Path, reason: str) -> None:
    with loop.desk.transaction() as conn:
        sign_checkpoint(conn, key, log, loop.clock.now(), reason)


def build_history(directory: Path) -> History:
    """Every action of the loop on a handful of cases, checkpoints after the first, second and last part."""
    store, key_path, log = (
        directory / "store.sqlite3",
        directory / "audit.key",
        directory / "store.checkpoints",
    )
    generate_key(key_path)
    key = load_private_key(key_path)
    loop = open_loop(store)
    step = loop.clock.advance
    # 1: the full loop with everything that can happen while a unit works on it.
    worked = new_case(loop, "w1").id
    act(loop, worked, Action.ACKNOWLEDGE, INTAKE)
    act(loop, worked, Action.REGISTER, LEAD)
    act(loop, worked, Action.DISPATCH, DISPATCHER, unit="U-CITY", instructions="封闭现场")
    step(5 * MINUTE)
    act(loop, worked, Action.SIGN, UNIT, note="收到")
    act(loop, worked, Action.REQUEST_EXTENSION, UNIT, "等待配件", amount=2)
    act(loop, worked, Action.APPROVE_EXTENSION, LEAD)
    act(loop, worked, Action.PARK, LEAD, "等待配件到货")
    step(30 * MINUTE)
    act(loop, worked, Action.UNPARK, LEAD)
    act(loop, worked, Action.PROGRESS, UNIT)
    act(loop, worked, Action.ATTACH, DISPATCHER, path="photo.jpg", kind="photo")
    act(loop, worked, Action.HANDLE, UNIT)
    act(loop, worked, Action.START_CHECK, SUPERVISOR)
    act(loop, worked, Action.FAIL_CHECK, SUPERVISOR, "井盖未固定")
    act(loop, worked, Action.HANDLE, UNIT)
    act(loop, worked, Action.START_CHECK, LEAD)
    act(loop, worked, Action.CLOSE, LEAD)
    act(loop, worked, Action.EVALUATE, INTAKE, satisfied=True)
    _checkpoint(loop, key, log, "periodic")
    step(10 * MINUTE)
    # 2: void, merge, a fire that earns its cards and a 督办, a source update, a case fixed on the spot.
    void = new_case(loop, "v1", lon=LON + 0.05).id
    act(loop, void, Action.REGISTER, LEAD)
    act(loop, void, Action.VOID, LEAD, "重复上报")
    master = new_case(loop, "m1", lon=LON + 0.1).id
    absorbed = new_case(loop, "m2", lon=LON + 0.1).id
    act(loop, absorbed, Action.MERGE, DISPATCHER, master_id=master)
    act(loop, master, Action.SOURCE_UPDATE, Actor("system", Role.SYSTEM), severity=1)
    fire = new_case(loop, "f1", category="fire_alarm", lon=LON + 0.2).id
    act(loop, fire, Action.REGISTER, LEAD)
    act(loop, fire, Action.DISPATCH, DISPATCHER, unit="U-FIRE")
    step(110 * MINUTE)
    assert sweep_cards(loop.desk).raised
    act(loop, fire, Action.SUPERVISE, SUPERVISION, "超期未处置", card=3)
    spot = new_case(loop, "s1", source="hotline", category="noise", lon=LON + 0.3).id
    act(loop, spot, Action.SELF_HANDLE, SUPERVISOR, "现场已处理")
    _checkpoint(loop, key, log, "handover")
    at_second = directory / "at-second.sqlite3"
    with sqlite3.connect(at_second) as copy:
        loop.conn.backup(copy)
    copy.close()
    step(10 * MINUTE)
    # 3: a hotline report verified, returned by the unit, dispatched again, closed, reopened.
    reopened = new_case(loop, "r1", source="hotline", category="noise", lon=LON + 0.4).id
    act(loop, reopened, Action.CONFIRM, SUPERVISOR)
    act(loop, reopened, Action.REGISTER, LEAD)
    act(loop, reopened, Action.DISPATCH, DISPATCHER, unit="U-CITY")
    act(loop, reopened, Action.REQUEST_RETURN, UNIT, "不属于本单位")
    act(loop, reopened, Action.APPROVE_RETURN, LEAD)
    act(loop, reopened, Action.DISPATCH, DISPATCHER, unit="U-SAN")
    act(loop, reopened, Action.SIGN, Actor("U-SAN", Role.UNIT))
    act(loop, reopened, Action.HANDLE, Actor("U-SAN", Role.UNIT))
    act(loop, reopened, Action.START_CHECK, LEAD)
    act(loop, reopened, Action.CLOSE, LEAD)
    act(loop, reopened, Action.REOPEN, LEAD, "群众再次投诉")
    act(loop, worked, Action.ARCHIVE, LEAD)
    step(MINUTE)
    _checkpoint(loop, key, log, "periodic")
    assert audit.verify(loop.conn).ok
    loop.close()
    return History(store, key_path, log, at_second, worked, reopened)


def attacker_copy(store: Path, target: Path) -> sqlite3.Connection:
    """A copy of the store as an attacker holds it: append-only triggers gone, autocommit."""
    source = sqlite3.connect(store)
    conn = sqlite3.connect(target, isolation_level=None)
    source.backup(conn)
    source.close()
    conn.execute("DROP TRIGGER audit_append_only_update")
    conn.execute("DROP TRIGGER audit_append_only_delete")
    return conn


def rehash_from(conn: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from row `first` on, as an attacker covering an edit would."""
    prev = audit.GENESIS
    if first > 1:
        prev = conn.execute("SELECT hash FROM audit WHERE id = ?", (first - 1,)).fetchone()[0]
    rows = conn.execute(f"SELECT {audit.CHAINED_COLUMNS} FROM audit WHERE id >= ? ORDER BY id", (first,))
    for row in rows.fetchall():
        digest = audit.row_hash(prev, audit.chained_fields(row))
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0]))
        prev = digest
