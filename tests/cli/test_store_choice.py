"""`report`, `export`, `audit verify` and `audit checkpoint` without --db work on the cockpit's own
store (the per-user data dir, here under a temporary XDG_DATA_HOME) and say so; a missing one is one
line and exit code 2."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from dispatch.store.database import default_db_path
from tests.dispatch.casework.test_metrics import build_history

ROOT = Path(__file__).resolve().parents[2]
PERIOD = ("--from", "2026-11-02T09:00", "--to", "2026-11-02T11:00")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "store.sqlite3"
    build_history(path).db.close()
    return path


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh per-user data dir: the cockpit's default store is `default_db_path()` under it."""
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    assert default_db_path().is_relative_to(home)
    return home


@pytest.fixture
def cockpit_store(data_home: Path, history: Path) -> Path:
    path = default_db_path()
    path.parent.mkdir(parents=True)
    shutil.copy(history, path)
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["report", *PERIOD],
        ["export", "--table", "events"],
        ["audit", "verify"],
        ["audit", "checkpoint"],
    ],
)
def test_without_a_cockpit_store_one_line_and_exit_2(
    data_home: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"tianshu: no --db given and the cockpit's store {default_db_path()} does not exist "
        "(run the cockpit or `ingest` once, or name a store with --db PATH)\n"
    )
    # Reading never creates the store (nor its directory) it could not find.
    assert not data_home.exists()


def test_report_reads_the_cockpit_store_and_names_it(
    cockpit_store: Path, history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *PERIOD, "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == f"tianshu: using the cockpit's store {cockpit_store}\n"
    assert json.loads(out)["total"]["due"] == 7
    # The same evaluation as naming the file, which says nothing about stores.
    assert main(["report", "--db", str(history), *PERIOD, "--format", "json"]) == 0
    named_out, named_err = capsys.readouterr()
    assert (named_out, named_err) == (out, "")


def test_audit_verify_and_export_read_the_cockpit_store(
    cockpit_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = cockpit_store.read_bytes()
    assert main(["audit", "verify"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("audit: OK, 73 rows checked")
    assert err == f"tianshu: using the cockpit's store {cockpit_store}\n"
    assert main(["export", "--table", "events", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    # The closed loop's history has no feed events: the header alone.
    assert out.splitlines()[0].startswith("seq,revision,received_at,source,id,")
    assert err == f"tianshu: using the cockpit's store {cockpit_store}\n"
    assert cockpit_store.read_bytes() == before


def test_main_py_reports_on_the_cockpit_store(cockpit_store: Path) -> None:
    """Through the entry point, as an operator types it after a shift (XDG_DATA_HOME is inherited)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "report", *PERIOD, "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"tianshu: using the cockpit's store {cockpit_store}\n"
    assert json.loads(done.stdout)["total"]["due"] == 7


def test_operators_work_on_the_cockpit_store(
    data_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first account of a new console goes into the store the cockpit will open; the others need it."""
    assert main(["operators", "list"]) == 2
    assert capsys.readouterr().err.startswith("tianshu: no --db given and the cockpit's store ")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["operators", "add", "--login", "li", "--name", "李明", "--role", "shift_lead"]) == 0
    out, err = capsys.readouterr()
    assert err == f"tianshu: using the cockpit's store {default_db_path()}\n"
    assert out == "added li (李明, shift_lead)\n"
    assert main(["operators", "list"]) == 0
    assert "li" in capsys.readouterr().out
