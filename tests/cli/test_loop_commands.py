"""`report` and `audit verify` as an operator runs them: on a real store with a hand-checked history, on a
tampered copy, and with bad arguments; one end-to-end run through `python main.py`."""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.main import _Parser
from cli.report import (
    add_audit_command,
    add_report_command,
    instant,
    run_audit_verify,
    run_report,
    span_text,
)
from tests.dispatch.casework.test_metrics import T0, build_history

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
# The two hours the metrics tests check by hand: 09:00–11:00 on Monday 2026-11-02, Beijing time.
FROM, TO = datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 11, 0)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("loop") / "store.sqlite3"
    history = build_history(path)
    history.conn.execute(
        "INSERT INTO operators (login, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        ("li", "李值班", "shift_lead", "-", T0),
    )
    history.db.close()
    return path


def parser() -> argparse.ArgumentParser:
    """The commands as cli.main will carry them: its one-line-error parser, these sub-commands."""
    root = _Parser(prog="tianshu")
    sub = root.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    add_report_command(sub)
    add_audit_command(sub)
    return root


def run(*argv: str) -> int:
    args = parser().parse_args(argv)
    return int(args.handler(args))


def report(store: Path, fmt: str, *, exercise: bool = False) -> str:
    out = io.StringIO()
    assert run_report(db_path=store, start=FROM, end=TO, fmt=fmt, exercise=exercise, zone=TZ, out=out) == 0
    return out.getvalue()


def test_table_shows_the_evaluation(store: Path) -> None:
    text = report(store, "table")
    assert "综合评价 2026-11-02 09:00 → 2026-11-02 11:00 (Asia/Shanghai), 真实案件 real cases" in text
    assert "应结案数 N = 7 (另有挂账 1 件，不计入)" in text
    assert "结案率      71.4%  5" in text
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("等级"))
    assert lines[header + 1].split()[:5] == ["B", "85.0", "U-A", "4", "100.0%"]
    assert lines[header + 2].split()[:5] == ["C", "67.5", "U-B", "3", "33.3%"]
    # Operator names come from the store's accounts.
    assert any(line.split()[:2] == ["li", "李值班"] for line in lines)


def test_json_carries_every_number(store: Path) -> None:
    document = json.loads(report(store, "json"))
    assert document["from"] == "2026-11-02T09:00:00+08:00"
    assert document["total"]["due"] == 7
    assert document["total"]["parked"] == 1
    assert document["total"]["closure_rate"] == pytest.approx(5 / 7)
    assert [(d["unit"], d["score"], d["grade"]) for d in document["departments"]] == [
        ("U-A", 85.0, "B"),
        ("U-B", 67.5, "C"),
    ]
    assert document["stages"]["handled"] == {"count": 6, "p50_s": 3000.0, "p90_s": 5700.0}
    li = next(op for op in document["operators"] if op["login"] == "li")
    assert li["name"] == "李值班"
    assert li["actions"]["close"] == 5


def test_csv_is_one_row_per_department_after_the_total(store: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(report(store, "csv"))))
    assert [row["unit"] for row in rows] == ["*", "U-A", "U-B"]
    assert rows[0]["due"] == "7"
    assert rows[0]["rework_rate"] == "0.1429"
    assert (rows[1]["score"], rows[1]["grade"], rows[1]["handled_p50_s"]) == ("85.0", "B", "1800")


def test_exercise_cases_are_reported_apart(store: Path) -> None:
    # The drill case x8 was due at 10:10 and closed late; it was reopened at 10:20, due again at 11:22.
    document = json.loads(report(store, "json", exercise=True))
    assert document["exercise"] is True
    assert document["total"]["due"] == 0
    assert "演练案件" in report(store, "table", exercise=True)


def test_a_date_is_the_whole_local_day(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As of midnight c9 (due 11:40) counts too; the parser takes `--to` as the day's end.
    args = parser().parse_args(["report", "--db", str(store), "--from", "2026-11-02", "--to", "2026-11-02"])
    assert (args.start, args.end) == (date(2026, 11, 2), date(2026, 11, 2))
    assert instant(args.end, TZ, end=True) - instant(args.start, TZ) == 86400
    out = io.StringIO()
    assert (
        run_report(
            db_path=store, start=args.start, end=args.end, fmt="json", exercise=False, zone=TZ, out=out
        )
        == 0
    )
    assert json.loads(out.getvalue())["total"]["due"] == 8


def test_datetimes_with_an_offset_are_taken_as_given() -> None:
    assert instant(datetime.fromisoformat("2026-11-02T01:00:00Z"), TZ) == T0
    assert instant(datetime.fromisoformat("2026-11-02T09:00"), TZ) == T0


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["report", "--db", "x", "--from", "2026-11-02", "--to", "2026-11-03"], "no such file: x"),
        (["report", "--db", "{store}", "--from", "2026-13-01", "--to", "2026-11-03"], "expected an ISO date"),
        (["report", "--db", "{store}", "--from", "2026-11-01"], "--to"),
        (["report", "--db", "{store}", "--from", "2026-11-01", "--to", "2026-11-02", "--format", "xml"],
         "invalid choice"),
        (["audit"], "ACTION"),
    ],
)  # fmt: skip
def test_bad_arguments_are_one_line_and_exit_2(
    store: Path, argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        run(*(arg.replace("{store}", str(store)) for arg in argv))
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert err.count("\n") == 1


def test_a_period_that_ends_before_it_starts_exits_2(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("report", "--db", str(store), "--from", "2026-11-03", "--to", "2026-11-02") == 2
    assert capsys.readouterr().err == "tianshu report: error: --from must come before --to (see --help)\n"


def test_a_file_without_an_audit_table_is_one_line_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert run("report", "--db", str(other), "--from", "2026-11-02", "--to", "2026-11-02") == 1
    assert run("audit", "verify", "--db", str(other)) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        err
        == [f"tianshu: cannot read the store {other}: it has no audit table (not a store of the closed loop)"]
        * 2
    )


def test_reports_never_write_to_the_store(store: Path) -> None:
    before = store.stat().st_mtime_ns, store.read_bytes()
    report(store, "table")
    assert run_audit_verify(db_path=store, out=io.StringIO()) == 0
    assert (store.stat().st_mtime_ns, store.read_bytes()) == before


def test_verify_an_intact_store(store: Path) -> None:
    out = io.StringIO()
    assert run_audit_verify(db_path=store, out=out) == 0
    assert out.getvalue().startswith("audit: OK, 73 rows checked, head ")


def tampered(store: Path, tmp_path: Path, *statements: str) -> Path:
    """A copy of the store changed as an attacker with file access would: triggers dropped first."""
    copy = tmp_path / "tampered.sqlite3"
    shutil.copy(store, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DROP TRIGGER audit_append_only_update")
    conn.execute("DROP TRIGGER audit_append_only_delete")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return copy


def test_verify_finds_an_edited_row(store: Path, tmp_path: Path) -> None:
    # Row 63 is c2's late handled report: make it look on time.
    late = sqlite3.connect(store).execute("SELECT action, payload FROM audit WHERE id = 63").fetchone()
    assert late == ("handle", '{"on_time":false}')
    copy = tampered(store, tmp_path, """UPDATE audit SET payload = '{"on_time":true}' WHERE id = 63""")
    out = io.StringIO()
    assert run_audit_verify(db_path=copy, out=out) == 1
    assert out.getvalue() == (
        "audit: BROKEN at row 63: its content does not match its hash (62 rows before it verified)\n"
    )


def test_verify_finds_a_deleted_row(store: Path, tmp_path: Path) -> None:
    copy = tampered(store, tmp_path, "DELETE FROM audit WHERE id = 12")
    out = io.StringIO()
    assert run_audit_verify(db_path=copy, out=out) == 1
    assert out.getvalue().startswith("audit: BROKEN at row 12: row 12 is missing")


def test_verify_finds_rows_cut_off_the_end(store: Path, tmp_path: Path) -> None:
    last = sqlite3.connect(store).execute("SELECT max(id), case_id FROM audit").fetchone()
    copy = tampered(store, tmp_path, f"DELETE FROM audit WHERE id = {last[0]}")
    out = io.StringIO()
    assert run_audit_verify(db_path=copy, out=out) == 1
    assert out.getvalue().startswith(f"audit: BROKEN at case {last[1]}: ")


def test_durations_read_like_a_clock() -> None:
    assert [span_text(s) for s in (45, 300, 330, 5520, 90000)] == ["45s", "5m", "5m 30s", "1h 32m", "1d 01h"]


def test_main_py_runs_report_and_audit_verify(store: Path) -> None:
    """End to end through the entry point: passes once cli/main.py registers these commands."""
    main = [sys.executable, str(ROOT / "main.py")]
    done = subprocess.run(
        [*main, "report", "--db", str(store), "--from", "2026-11-02T09:00", "--to", "2026-11-02T11:00",
         "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["due"] == 7
    checked = subprocess.run(
        [*main, "audit", "verify", "--db", str(store)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("audit: OK")
