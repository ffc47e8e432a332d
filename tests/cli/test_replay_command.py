"""`replay`: a recorded period plays headless into a drill store and exits 0, the real store byte for byte
unchanged; bad arguments get one line and exit code 2; an empty period says so."""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from tests.sim.drill.recorded import Recorded, record_real_store

FROM, TO = "2026-11-02T09:00+08:00", "2026-11-02T09:20+08:00"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record_real_store(tmp_path_factory.mktemp("real") / "real.sqlite3")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def _files(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_a_period_replays_headless_and_the_real_store_is_untouched(
    recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(recorded.path.parent)
    out = tmp_path / "replay.sqlite3"
    # Twenty minutes at 1000x: a little over a second on the wall.
    argv = ["replay", "--db", str(recorded.path), "--from", FROM, "--to", TO, "--speed", "1000"]
    assert main([*argv, "--out", str(out), "--headless"]) == 0
    assert _files(recorded.path.parent) == before
    printed = capsys.readouterr().out
    assert "3 events, 10 readings, 4 case actions applied, 0 refused" in printed
    conn = sqlite3.connect(out)
    try:
        assert conn.execute("SELECT count(*) FROM events WHERE exercise = 1").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM events WHERE exercise = 0").fetchone()[0] == 0
        rows = conn.execute("SELECT action FROM audit WHERE role != 'system' ORDER BY id").fetchall()
    finally:
        conn.close()
    assert [row[0] for row in rows] == ["register", "dispatch", "register", "dispatch"]


def test_without_out_the_replay_gets_a_new_drill_store(recorded: Recorded, data_dir: Path) -> None:
    argv = ["replay", "--db", str(recorded.path), "--from", FROM, "--to", TO, "--speed", "1000", "--headless"]
    assert main(argv) == 0
    made = list((data_dir / "tianshu" / "drills").glob("replay-20261102-0900-*.sqlite3"))
    assert len(made) == 1


def test_an_empty_period_says_so(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["replay", "--db", str(recorded.path), "--from", "2026-11-03", "--to", "2026-11-03", "--headless"]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert "holds nothing recorded between 2026-11-03" in err
    assert len(err.splitlines()) == 1


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """argparse's refusals exit by SystemExit, the command's own by its return value: both are 2."""
    try:
        code = main(argv)
    except SystemExit as exit_info:
        code = int(str(exit_info.code))
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    return err


def test_bad_arguments_get_one_line_and_exit_code_2(
    recorded: Recorded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = str(recorded.path)
    base = ["replay", "--db", real, "--from", FROM, "--to", TO, "--headless"]
    assert "no such file" in _refused(["replay", "--db", str(tmp_path / "none"), "--from", FROM, "--to", TO],
                                      capsys)  # fmt: skip
    assert "--from must come before --to" in _refused(
        ["replay", "--db", real, "--from", TO, "--to", FROM, "--headless"], capsys
    )
    assert "is the store being replayed" in _refused([*base, "--out", real], capsys)
    assert "must be above 0" in _refused([*base, "--speed", "0"], capsys)
    assert "must be above 0" in _refused([*base, "--speed", "5000"], capsys)
    text = tmp_path / "notes.txt"
    text.write_text("not a store")
    assert "--db" in _refused(["replay", "--db", str(text), "--from", FROM, "--to", TO, "--headless"], capsys)
    # A drill store holding real records is never written beside them.
    assert "real (non-exercise)" in _refused([*base, "--out", str(_copy(recorded.path, tmp_path))], capsys)


def _copy(path: Path, directory: Path) -> Path:
    copy = directory / "copy.sqlite3"
    copy.write_bytes(path.read_bytes())
    return copy


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_text_for_a_time_is_a_time_or_one_line_and_exit_code_2(
    recorded: Recorded, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    from cli.replay import _when

    try:
        _when(text)
    except argparse.ArgumentTypeError:
        valid = False
    else:
        valid = True
    if valid or text.startswith("-") or "\x00" in text:
        return  # a valid time plays (tested above); argparse reads a leading '-' as an option
    err = _refused(["replay", "--db", str(recorded.path), "--from", text, "--to", TO, "--headless"], capsys)
    assert "--from" in err
