"""Read-only by design: the wall signs in with the wall role (or a wall token of such an account), has no
control to act with, and the store refuses any command made in its name."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.wall.sign_in import ANONYMOUS_WALL, WallTokenError, read_token, wall_actor
from app.wall.source import StoreReader
from cli.main import main
from dispatch.casework.machine import RULES
from dispatch.casework.model import Action, Refusal, Refused, Role
from dispatch.casework.records.accounts import WALL_ROLE, create_operator
from tests.app.wall.walls import wall_on
from tests.dispatch.casework.policies import Loop, act, new_case, open_loop

SECRET = "q7Vd1pXr-wall-token-secret"


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def token_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def add_account(loop: Loop, login: str, role: Role) -> None:
    create_operator(loop.conn, login, "大屏一", role, SECRET, now=loop.clock.now())
    loop.conn.commit()


def test_the_wall_role_may_take_no_action_on_any_case() -> None:
    assert WALL_ROLE is Role.VIEWER
    assert [action for action, rule in RULES.items() if WALL_ROLE in rule.roles] == []
    assert ANONYMOUS_WALL.role is WALL_ROLE


def test_a_command_in_the_walls_name_is_refused_by_the_store(tmp_path: Path, loop: Loop) -> None:
    case = new_case(loop, "level1", severity=1, title="地铁站大客流")
    audit_rows = loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    add_account(loop, "wall-1", Role.VIEWER)
    for actor in (ANONYMOUS_WALL, wall_actor(loop.path, token_file(tmp_path / "t", f"wall-1\n{SECRET}\n"))):
        # Had the wall a way to send a command, the store would refuse every one of them.
        for action in Action:
            with pytest.raises(Refused) as refused:
                act(loop, case.id, action, actor, reason="from the wall", unit="U-1")
            assert refused.value.code is Refusal.FORBIDDEN, action
    assert loop.desk.get(case.id).version == case.version
    assert loop.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audit_rows
    # And the wall's own connection to the store cannot write at all.
    reader = StoreReader(loop.path, history_s=3600)
    try:
        reader.read(loop.clock.now())
        conn = reader._connect()
        assert conn is not None
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("UPDATE cases SET severity = 4")
    finally:
        reader.close()


def test_the_wall_is_signed_in_with_the_wall_role_and_nothing_on_it_takes_input(
    qtbot: QtBot, qapp: QApplication
) -> None:
    with wall_on(qtbot, qapp) as wall:
        assert wall.controller.actor.role is WALL_ROLE
        window = wall.window
        for kind in (QAbstractButton, QLineEdit, QTextEdit, QComboBox, QAbstractSpinBox):
            assert window.findChildren(kind) == [], kind.__name__
        # Nothing takes the keyboard, and no chart or map pans under a stray pointer.
        taking = [
            type(w).__name__
            for w in window.findChildren(QWidget)
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus
            or not w.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        ]
        assert taking == []


def test_a_wall_token_signs_the_wall_in_as_its_account(tmp_path: Path, loop: Loop) -> None:
    add_account(loop, "wall-1", Role.VIEWER)
    token = token_file(tmp_path / "wall.token", f"wall-1\n{SECRET}\n")
    actor = wall_actor(loop.path, token)
    assert (actor.login, actor.role, actor.name) == ("wall-1", WALL_ROLE, "大屏一")
    assert wall_actor(loop.path, None) is ANONYMOUS_WALL


def test_a_token_of_an_account_that_can_act_is_refused_even_with_its_secret(
    tmp_path: Path, loop: Loop
) -> None:
    add_account(loop, "desk-1", Role.DISPATCHER)
    token = token_file(tmp_path / "wall.token", f"desk-1\n{SECRET}\n")
    with pytest.raises(WallTokenError, match=r"desk-1 can act on cases; .* role viewer"):
        wall_actor(loop.path, token)


@pytest.mark.parametrize(
    ("text", "mode", "says"),
    [
        (f"wall-1\n{SECRET}x\n", 0o600, "not a wall token of this store"),
        (f"nobody\n{SECRET}\n", 0o600, "not a wall token of this store"),
        (f"wall-1\n{SECRET}\n", 0o644, "others may read it"),
        (f"{SECRET}\n", 0o600, "two lines"),
    ],
)
def test_a_wrong_or_careless_token_is_refused_and_says_why(
    tmp_path: Path, loop: Loop, text: str, mode: int, says: str
) -> None:
    add_account(loop, "wall-1", Role.VIEWER)
    with pytest.raises(WallTokenError, match=says):
        wall_actor(loop.path, token_file(tmp_path / "wall.token", text, mode))


def test_a_disabled_wall_account_signs_in_no_more(tmp_path: Path, loop: Loop) -> None:
    add_account(loop, "wall-1", Role.VIEWER)
    loop.conn.execute("UPDATE operators SET active = 0 WHERE login = 'wall-1'")
    loop.conn.commit()
    with pytest.raises(WallTokenError, match="not a wall token"):
        wall_actor(loop.path, token_file(tmp_path / "wall.token", f"wall-1\n{SECRET}\n"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | st.text(max_size=120).map(str.encode))
def test_any_token_file_is_read_or_refused_with_a_message(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "any.token"
    path.write_bytes(content)
    path.chmod(0o600)
    try:
        login, secret = read_token(path)
    except WallTokenError as error:
        message = str(error)
    else:
        message = ""
        assert login
        assert secret
    assert not message or message.startswith(str(path))


def test_the_wall_command_refuses_a_bad_token_before_it_opens_a_window(
    tmp_path: Path, loop: Loop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIANSHU_LANG", "en")
    token = token_file(tmp_path / "wall.token", f"wall-1\n{SECRET}\n", 0o640)
    assert main(["--wall", "--wall-token", str(token), "--db", str(loop.path)]) == 2
    assert "--wall-token:" in capsys.readouterr().err
    assert os.stat(token).st_mode & 0o777 == 0o640
