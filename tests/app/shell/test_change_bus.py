"""The change bus: a command at this console and a write by another process each reach a subscribed panel
once, on the GUI thread, saying which case changed and where from."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.change_bus import ChangeBus
from core.clock import ManualClock
from dispatch.casework.model import Action, Command
from dispatch.changes import CasesChanged, Origin
from dispatch.service import LocalLoop
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY, open_loop, put_event

ROOT = Path(__file__).resolve().parents[3]
WAIT_MS = 10_000
# Another console's process registers case 2 on the same store file.
OTHER_CONSOLE = """
import sys
from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, Command, Role
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.timers import Timers
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import POLICY
from pathlib import Path
db = open_store(Path(sys.argv[1]))
CaseDesk(db.conn, Timers(POLICY), ManualClock()).act(
    Command(int(sys.argv[2]), 1, Action.REGISTER, Actor("zhang", Role.SHIFT_LEAD, "张值班长")))
db.close()
"""


class Panel(QObject):
    """A subscribed panel: remembers every value it was handed, and on which thread."""

    def __init__(self, bus: ChangeBus) -> None:
        super().__init__()
        self.seen: list[CasesChanged] = []
        self.threads: set[threading.Thread] = set()
        bus.changed.connect(self.on_changed)

    def on_changed(self, changes: CasesChanged) -> None:
        self.seen.append(changes)
        self.threads.add(threading.current_thread())


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, int, int]:
    path = tmp_path / "store.sqlite3"
    loop = open_loop(path, ManualClock(MONDAY_9))
    put_event(loop.db.conn, "e1", at=MONDAY_9)
    put_event(loop.db.conn, "e2", at=MONDAY_9, lon=114.5)
    loop.discovery.run_once(10)
    (first,), (second,) = loop.db.execute("SELECT id FROM cases ORDER BY id").fetchall()
    loop.db.close()
    return path, first, second


@pytest.fixture
def loop(store: tuple[Path, int, int]) -> Iterator[LocalLoop]:
    loop = LocalLoop(store[0], POLICY, ManualClock(MONDAY_9 + 60))
    yield loop
    loop.close()


def test_a_command_here_and_a_write_elsewhere_each_reach_the_panel_once(
    qtbot: QtBot, qapp: QApplication, store: tuple[Path, int, int], loop: LocalLoop
) -> None:
    path, first, second = store
    bus = ChangeBus(loop)
    panel = Panel(bus)
    loop.beat().result(WAIT_MS)  # the cases discovered before this console started are not news

    with qtbot.waitSignal(bus.changed, timeout=WAIT_MS):
        loop.act(Command(first, 1, Action.REGISTER, LEAD)).result(WAIT_MS)
    qtbot.waitUntil(lambda: len(panel.seen) == 1, timeout=WAIT_MS)
    command = panel.seen[0]
    assert (command.cases, command.actions, command.origins) == ({first}, {"register"}, {Origin.CONSOLE})

    subprocess.run([sys.executable, "-c", OTHER_CONSOLE, str(path), str(second)], cwd=ROOT, check=True,
                   timeout=60)  # fmt: skip
    with qtbot.waitSignal(bus.changed, timeout=WAIT_MS):
        loop.beat().result(WAIT_MS)
    elsewhere = panel.seen[1]
    assert (elsewhere.cases, elsewhere.origins) == ({second}, {Origin.ELSEWHERE})

    # Nothing new: further beats publish nothing, so nobody reads again.
    with qtbot.assertNotEmitted(bus.changed, wait=50):
        loop.beat().result(WAIT_MS)
        loop.beat().result(WAIT_MS)
    assert len(panel.seen) == 2
    assert panel.threads == {threading.main_thread()}
    bus.close()


def test_a_refused_command_still_brings_what_another_console_changed(
    qtbot: QtBot, qapp: QApplication, store: tuple[Path, int, int], loop: LocalLoop
) -> None:
    path, first, _ = store
    bus = ChangeBus(loop)
    panel = Panel(bus)
    loop.beat().result(WAIT_MS)
    subprocess.run([sys.executable, "-c", OTHER_CONSOLE, str(path), str(first)], cwd=ROOT, check=True,
                   timeout=60)  # fmt: skip

    with qtbot.waitSignal(bus.changed, timeout=WAIT_MS):
        stale = loop.act(Command(first, 1, Action.REGISTER, LEAD))
        with pytest.raises(Exception, match="stale"):
            stale.result(WAIT_MS)
    assert [(c.cases, c.origins) for c in panel.seen] == [({first}, {Origin.ELSEWHERE})]
    bus.close()


def test_a_subscriber_that_fails_stops_neither_the_loop_nor_the_others(
    qtbot: QtBot, qapp: QApplication, store: tuple[Path, int, int], loop: LocalLoop
) -> None:
    _, first, _ = store
    heard: list[CasesChanged] = []

    def broken(_: CasesChanged) -> None:
        raise RuntimeError("a panel with a bug")

    loop.subscribe(broken)
    unsubscribe = loop.subscribe(heard.append)
    applied = loop.act(Command(first, 1, Action.REGISTER, LEAD)).result(WAIT_MS)
    assert applied.case.version == 2
    assert [c.cases for c in heard] == [{first}]
    unsubscribe()
    loop.act(Command(first, 2, Action.DISPATCH, LEAD, payload={"unit": "U-CITY"})).result(WAIT_MS)
    assert len(heard) == 1
