"""`python main.py seats verify`: agreement, each difference named, and stores it cannot read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli.main import main
from dispatch.casework.model import Actor, Role
from dispatch.casework.records.discovery import district_from_grid
from dispatch.seats.apply import Applier
from dispatch.seats.entries import encode, handover_entry, pack_readings
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import MONDAY_9, POLICY
from tests.dispatch.seats.test_apply import register, report


def replica(path: Path, entries: list[bytes]) -> Path:
    db = open_store(path)
    try:
        applier = Applier(db.conn, POLICY, district_from_grid)
        for seq, data in enumerate(entries, start=1):
            applier.apply(seq, data)
    finally:
        db.close()
    return path


LOG = [report("e1"), report("e2"), register(1, 1, MONDAY_9 + 60)]


def verify(*paths: Path) -> int:
    return main(["seats", "verify", *(arg for path in paths for arg in ("--db", str(path)))])


def test_replicas_of_the_same_log_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stores = [replica(tmp_path / f"{name}.sqlite3", LOG) for name in "abc"]
    assert verify(*stores) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "3 replicas agree"
    assert "log sequence 3, 3 audit rows" in out
    assert out.count(", 2 cases") == 3


def test_a_replica_behind_or_apart_is_named_with_what_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = replica(tmp_path / "a.sqlite3", LOG)
    behind = replica(tmp_path / "behind.sqlite3", LOG[:2])
    # The same number of entries, but another command third: case 2 registered instead of case 1.
    apart = replica(tmp_path / "apart.sqlite3", [*LOG[:2], register(2, 1, MONDAY_9 + 60)])
    assert verify(a, behind, apart) == 1
    out = capsys.readouterr().out
    assert f"log sequence: {a} applied 3, {behind} applied 2" in out
    assert "case 1: state 'registered' / 'discovered'" in out
    assert "case 2: state 'discovered' / 'registered'" in out
    assert out.count("audit head:") == 2


@pytest.mark.parametrize(
    ("table", "rows", "change"),
    [
        ("handovers", 1, "UPDATE handovers SET note = '夜班：一切平稳' WHERE id = 1"),
        ("events", 2, "UPDATE events SET payload = '{}' WHERE event_id = 'e2'"),
        ("metrics", 1, "UPDATE metrics SET value = 9.9"),
    ],
)
def test_the_other_records_the_log_writes_are_compared_too(
    tmp_path: Path, table: str, rows: int, change: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A handover, a report or a reading that differs between two replicas is named, though their cases
    and audit chains agree: a duty room relies on those too."""
    lead = Actor("li.na", Role.SHIFT_LEAD, "李娜")
    log = [
        *LOG,
        encode(
            handover_entry(
                "write", lead, "a", MONDAY_9 + 90, note="夜班交接", shift=(MONDAY_9, MONDAY_9 + 3600)
            )
        ),
        encode(pack_readings([("water_level", 3.4, MONDAY_9, "m", {})], "a", MONDAY_9 + 95)[0][0]),
    ]
    a, b = replica(tmp_path / "a.sqlite3", log), replica(tmp_path / "b.sqlite3", log)
    assert verify(a, b) == 0
    conn = sqlite3.connect(b)
    with conn:
        assert conn.execute(change).rowcount == 1
    conn.close()
    assert verify(a, b) == 1
    out = capsys.readouterr().out
    assert f"{table}: the rows differ ({a} has {rows}, {b} has {rows})" in out
    assert "audit head:" not in out


def test_stores_it_cannot_read_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = replica(tmp_path / "a.sqlite3", LOG)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    assert verify(a, tmp_path / "missing.sqlite3") == 2
    assert "no such store" in capsys.readouterr().err
    assert verify(a, junk) == 2
    assert f"--db {junk}" in capsys.readouterr().err
    assert verify(a) == 2
    assert "at least two" in capsys.readouterr().err
