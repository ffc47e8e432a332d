"""The console's sign-in and its desk: the unknown-login hash is ready before the first attempt, and the
desk acts only for whoever is signed in at this console, until they sign out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import app.shift.session as session_module
from app.shell.main_window import MainWindow
from app.shift.session import install_session
from core.clock import ManualClock
from dispatch.casework.model import Actor, Role
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records import accounts
from dispatch.casework.records.accounts import create_operator, sign_in_prepared
from dispatch.service import LocalLoop, LoopContext
from dispatch.store.database import open_store

LEAD = Actor("li", Role.SHIFT_LEAD, "李明")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[LocalLoop]:
    path = tmp_path / "store.sqlite3"
    db = open_store(path)
    create_operator(db.conn, LEAD.login, LEAD.name, LEAD.role, "lead-pass-1", now=0.0)
    db.close()
    desk = LocalLoop(path, load_policy(default_policy_path()), ManualClock(1_767_225_600.0))
    yield desk
    desk.close()


def present(ctx: LoopContext) -> Actor | None:
    assert ctx.desk.attendance is not None, "the console's desk checks who acts"
    return ctx.desk.attendance.present


def test_the_first_unknown_login_after_start_finds_its_hash_already_made(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, worker: LocalLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a process that has just started: no hash for unknown logins yet.
    monkeypatch.setattr(accounts, "_dummy_hashes", {})
    ready_at_attempt: list[bool] = []
    check = session_module.authenticate

    def watched(*args: Any, **kwargs: Any) -> Actor | None:
        ready_at_attempt.append(sign_in_prepared())
        return check(*args, **kwargs)

    monkeypatch.setattr(session_module, "authenticate", watched)
    session = install_session(qapp, window, worker, demo=False)
    try:
        # At once, as an officer typing fast (or a script) would, before the form has even read the accounts.
        session.sign_in("nobody", "whatever-it-is")
        form = session.overlay.form
        qtbot.waitUntil(lambda: form.message.text() != "", timeout=30_000)
        assert ready_at_attempt == [True]
        assert session.actor is None
    finally:
        session.stop(qapp)


def test_the_desk_follows_who_signs_in_and_out_at_the_console(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, worker: LocalLoop
) -> None:
    session = install_session(qapp, window, worker, demo=False)
    try:
        assert worker.call_blocking(present) is None
        with qtbot.waitSignal(session.actor_changed, timeout=30_000):
            session.sign_in("li", "lead-pass-1")
        assert worker.call_blocking(present) == LEAD
        session.sign_out()
        # The sign-out job was queued before this read: the desk no longer acts for the lead.
        assert worker.call_blocking(present) is None
    finally:
        session.stop(qapp)
