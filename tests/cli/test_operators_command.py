"""`operators add|list|passwd|disable|unlock`: accounts from a terminal, one-line refusals, exit codes."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import _Parser
from cli.operators import add_operators_command, run_operators
from dispatch.casework.model import Role
from dispatch.casework.records import account_log
from dispatch.casework.records.account_log import AccountAction
from dispatch.casework.records.accounts import THROTTLE_AFTER, authenticate
from dispatch.store.database import open_store


class Terminal(io.StringIO):
    """stdin of an interactive terminal (the password is then asked for, not read)."""

    def isatty(self) -> bool:
        return True


def parse(*argv: str) -> argparse.Namespace:
    parser = _Parser(prog="tianshu")
    add_operators_command(parser.add_subparsers(dest="command", parser_class=_Parser))
    return parser.parse_args(list(argv))


def run(
    *argv: str, stdin: io.StringIO | None = None, answers: Iterator[str] | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    prompts = answers or iter(())
    code = run_operators(
        parse(*argv),
        stdin=stdin or io.StringIO(""),
        stdout=out,
        stderr=err,
        ask=lambda _: next(prompts),
        now=lambda: 1_767_225_600.0,
    )
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


def test_add_reads_the_password_from_a_pipe_and_the_account_signs_in(db: Path) -> None:
    code, out, err = run(
        "operators", "add", "--db", str(db), "--login", "Li", "--name", "李明", "--role", "shift_lead",
        stdin=io.StringIO("lead-pass-1\n"),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "added li (李明, shift_lead)\n"
    store = open_store(db)
    try:
        actor = authenticate(store.conn, "li", "lead-pass-1")
        assert actor is not None
        assert actor.role is Role.SHIFT_LEAD
    finally:
        store.close()


def test_at_a_terminal_the_password_is_asked_twice(db: Path) -> None:
    args = ("operators", "add", "--db", str(db), "--login", "wang", "--name", "王芳", "--role", "dispatcher")
    code, _, err = run(*args, stdin=Terminal(), answers=iter(["dispatch-1", "dispatch-2"]))
    assert (code, err) == (1, "tianshu: the two passwords differ\n")
    code, _, err = run(*args, stdin=Terminal(), answers=iter(["short"]))
    assert code == 1
    assert "at least 8 characters" in err
    code, out, _ = run(*args, stdin=Terminal(), answers=iter(["dispatch-1", "dispatch-1"]))
    assert code == 0
    assert out.startswith("added wang")


def test_list_passwd_and_disable(db: Path) -> None:
    add = ("operators", "add", "--db", str(db), "--name", "名", "--role")
    run(*add, "intake", "--login", "zhang", stdin=io.StringIO("intake-pass\n"))
    run(*add, "viewer", "--login", "wall", stdin=io.StringIO("wall-pass-1\n"))
    assert (
        run("operators", "passwd", "--db", str(db), "--login", "zhang", stdin=io.StringIO("new-pass-1\n"))[0]
        == 0
    )
    assert run("operators", "disable", "--db", str(db), "--login", "wall")[0] == 0
    code, out, _ = run("operators", "list", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [["wall", "名", "viewer"], ["zhang", "名", "intake"]]
    assert lines[0].endswith(" disabled")
    store = open_store(db)
    try:
        assert authenticate(store.conn, "zhang", "new-pass-1") is not None
        assert authenticate(store.conn, "wall", "wall-pass-1") is None
    finally:
        store.close()


def test_refusals_are_one_line_with_exit_code_1(db: Path) -> None:
    add = ("operators", "add", "--db", str(db), "--name", "名", "--role", "intake", "--login")
    assert run(*add, "zhang", stdin=io.StringIO("intake-pass\n"))[0] == 0
    assert run(*add, "zhang", stdin=io.StringIO("intake-pass\n")) == (
        1,
        "",
        "tianshu: login 'zhang' is already taken\n",
    )
    assert run(*add, "bad login", stdin=io.StringIO("intake-pass\n"))[0] == 1
    assert run(*add, "nopass", stdin=io.StringIO(""))[2] == "tianshu: no password on stdin\n"
    assert run("operators", "disable", "--db", str(db), "--login", "ghost")[2] == (
        "tianshu: there is no operator 'ghost'\n"
    )


def test_bad_command_lines_exit_2_in_one_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as unit_role:
        parse("operators", "add", "--db", str(db), "--login", "u", "--name", "n", "--role", "unit")
    assert unit_role.value.code == 2
    with pytest.raises(SystemExit) as missing_store:
        parse("operators", "list", "--db", str(db))
    assert missing_store.value.code == 2
    with pytest.raises(SystemExit) as no_action:
        parse("operators")
    assert no_action.value.code == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3
    assert "invalid choice: 'unit'" in errors[0]
    assert "no such store" in errors[1]


def test_a_shift_lead_unlocks_a_login_that_failed_too_often_and_the_log_keeps_it(db: Path) -> None:
    add = ("operators", "add", "--db", str(db), "--name", "名", "--role")
    run(*add, "shift_lead", "--login", "li", stdin=io.StringIO("lead-pass-1\n"))
    run(*add, "dispatcher", "--login", "wang", stdin=io.StringIO("dispatch-1\n"))
    store = open_store(db)
    try:
        for n in range(THROTTLE_AFTER):
            assert authenticate(store.conn, "li", f"guess-{n}", now=1_767_225_600.0) is None
    finally:
        store.close()
    code, out, _ = run("operators", "list", "--db", str(db))
    assert code == 0
    assert " waiting until " in out.splitlines()[0]

    assert run("operators", "unlock", "--db", str(db), "--login", "li", "--by", "wang") == (
        1, "", "tianshu: 'wang' is not an active shift lead account\n"
    )  # fmt: skip
    code, out, err = run("operators", "unlock", "--db", str(db), "--login", "LI", "--by", "li")
    assert (code, err) == (0, "")
    assert out.startswith("unlocked li (it was to wait until ")
    assert " waiting until " not in run("operators", "list", "--db", str(db))[1]
    store = open_store(db)
    try:
        [entry] = account_log.entries(store.conn, "li")
        assert (entry.action, entry.by) == (AccountAction.UNLOCK, "li")
        assert "at a terminal as " in entry.detail
        assert authenticate(store.conn, "li", "lead-pass-1", now=1_767_225_601.0) is not None
    finally:
        store.close()
