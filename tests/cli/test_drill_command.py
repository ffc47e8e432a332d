"""`drill`: a short scenario plays headless into its own store and exits 0; the cockpit's store, byte for
byte, is what it was; bad scenarios and stores holding real records are refused with one line, exit 2."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from cli.main import main
from dispatch.store.database import default_db_path
from tests.dispatch.casework.test_metrics import build_history

# Half a minute of drill: at 10x three wall seconds. One event, one call the simulated officer logs.
TINY = """\
drill: 短时隔离演练
form: tabletop
scope: single
atlas: demo
area: "339901"
duration: 30s
objectives:
  - {id: O1, text: 立案}
injects:
  - id: I1
    at: 0s
    event: {source: iot, category: waterlogging, title: 演练积水, severity: 2, where: 解放路下穿延安路隧道}
  - id: I2
    at: 5s
    call: {caller: 演练来电人, says: 演练：隧道积水, category: waterlogging, severity: 3, log_within: 10s}
  - id: I3
    at: 10s
    metric: {name: water_level_max, every: 5s, points: [[0s, 1.0], [15s, 1.5]], labels: {district: "339901"}}
expected:
  - {id: E1, inject: I1, action: register, within: 5m, objective: O1}
"""


def _fingerprint(directory: Path) -> dict[str, str]:
    """Every file under the cockpit's data dir (store, -wal, -shm, keys …) by its SHA-256."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "drills" not in path.parts
    }


@pytest.fixture
def cockpit_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-user data dir holding a real cockpit store with cases, audit and events."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_db_path()
    build_history(path).db.close()
    return path


@pytest.mark.slow
def test_a_drill_leaves_the_cockpit_store_byte_for_byte_unchanged(
    cockpit_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY, encoding="utf-8")
    before = _fingerprint(cockpit_store.parent)
    assert main(["drill", str(scenario), "--headless", "--speed", "10"]) == 0
    assert _fingerprint(cockpit_store.parent) == before
    out = capsys.readouterr().out
    stores = list((cockpit_store.parent / "drills").glob("tiny-*.sqlite3"))
    assert len(stores) == 1
    assert f"drill store: {stores[0]}" in out
    conn = sqlite3.connect(stores[0])
    try:
        events = conn.execute("SELECT source, exercise FROM events ORDER BY id").fetchall()
        assert events == [("iot", 1), ("hotline", 1)]
        assert {row[0] for row in conn.execute("SELECT exercise FROM cases")} == {1}
        assert conn.execute("SELECT count(*) FROM metrics").fetchone()[0] == 4
    finally:
        conn.close()


def test_the_cockpit_store_or_a_store_with_real_records_is_refused(
    cockpit_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY, encoding="utf-8")
    before = _fingerprint(cockpit_store.parent)
    assert main(["drill", str(scenario), "--headless", "--db", str(cockpit_store)]) == 2
    assert "that is the cockpit's store" in capsys.readouterr().err
    copy = tmp_path / "copy.sqlite3"
    build_history(copy).db.close()
    assert main(["drill", str(scenario), "--headless", "--db", str(copy)]) == 2
    assert "real (non-exercise) cases" in capsys.readouterr().err
    # With players at the cockpit the same checks come first: no window opens on a real store.
    assert main(["drill", str(scenario), "--db", str(cockpit_store)]) == 2
    assert "that is the cockpit's store" in capsys.readouterr().err
    assert main(["drill", str(scenario), "--db", str(copy)]) == 2
    assert "real (non-exercise) cases" in capsys.readouterr().err
    assert _fingerprint(cockpit_store.parent) == before
    assert not (cockpit_store.parent / "drills").exists()


def test_a_malformed_scenario_is_one_precise_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(TINY.replace("within: 5m", "within: 5"), encoding="utf-8")
    db = tmp_path / "drill.sqlite3"
    assert main(["drill", str(scenario), "--headless", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    where = f"{scenario}:20: expected action E1"
    assert err == f"tianshu: error: {where}: within 5 needs a unit: 90s, 5m, 1h30m or 00:05:00\n"
    assert not db.exists()
