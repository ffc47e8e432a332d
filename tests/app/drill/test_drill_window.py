"""The drill window: the real cockpit on the drill's own feed and store, marked DRILL, with a director."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget
from pytestqt.qtbot import QtBot

from app.drill.cockpit import DrillCockpit, DrillWords, open_drill_cockpit
from app.shell.main_window import MainWindow
from core.clock import ManualClock
from dispatch.atlas import load_atlas
from dispatch.casework.records.accounts import DEMO_PASSWORD
from dispatch.drill import parse_scenario
from dispatch.drill.scenario_atlas import atlas_directory
from dispatch.feed.protocol import Event
from dispatch.store.database import default_db_path, open_store
from sim.drill.director import DirectorCommand
from sim.drill.runner import DrillOptions, DrillRun
from widgets.drill.watermark import DrillWatermark

# Two events in different places of the demo city, one minute apart, and a call much later; at 10x a
# wall second is ten of the drill.
SCENARIO = """\
drill: 隧道积水演练
form: tabletop
scope: single
atlas: demo
area: "339901"
duration: 30m
objectives:
  - {id: O1, text: 积水立案}
injects:
  - id: I1
    at: 1m
    event:
      {source: iot, category: waterlogging, title: 下穿隧道积水一, severity: 2, where: 解放路下穿延安路隧道}
  - id: I2
    at: 2m
    event: {source: iot, category: crowding, title: 广场人群拥挤, severity: 2, where: 钟楼广场}
  - id: I3
    at: 20m
    call:
      {caller: 市民, says: 钟楼广场有烟, category: fire_alarm, severity: 3, where: 钟楼广场, log_within: 30s}
"""


def digest(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def real_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cockpit's own store, where the cockpit would look for it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = default_db_path()
    open_store(path).close()
    return path


def test_an_inject_reaches_the_queue_as_an_exercise_case_and_pause_holds_the_next(
    qloop: qasync.QEventLoop, qtbot: QtBot, qapp: QApplication, window: MainWindow, tmp_path: Path,
    real_store: Path,
) -> None:  # fmt: skip
    before = digest(real_store.parent)
    scenario = parse_scenario(SCENARIO, "tunnel.yaml")
    atlas = load_atlas(atlas_directory(scenario))
    wall = ManualClock()
    beats = 0

    def on_beat() -> None:
        nonlocal beats
        beats += 1

    commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
    options = DrillOptions(
        speed=10, headless=False, wall=wall, beat_s=0.005, on_beat=on_beat, announce=lambda _: None,
        director=commands,
    )  # fmt: skip
    db = tmp_path / "drills" / "tunnel.sqlite3"

    async def scenario_played() -> DrillCockpit:
        cockpit_title = window.windowTitle()
        drill = await open_drill_cockpit(qapp, window, scenario, atlas, db, options)
        try:
            await drill.start()
            run, queue = drill.run, drill.cockpit.duty.desk.queue  # type: ignore[union-attr]
            # Marked as a drill, above every panel, clicks passing through.
            watermark = window.findChild(DrillWatermark)
            assert watermark is not None
            assert watermark.isVisible()
            assert watermark.geometry() == window.rect()
            assert watermark.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            assert window.windowTitle() == DrillWords().title("隧道积水演练", cockpit_title)
            assert watermark.word in window.windowTitle()
            assert queue.filters.exercise.isChecked()
            # The evaluator's dock sits behind the director's, on the same drill store.
            assert drill.evaluator.run is run
            # The video wall is there as on a console, its cameras served on this machine (no network).
            assert window.findChild(QDockWidget, "videoWallDock") is not None
            assert drill.wall is not None
            assert drill.wall.cameras is not None
            assert drill.wall.cameras.running

            wall.advance(6.5)  # 65 s of the drill: I1 (at 1 min) is due
            await until(lambda: queue.model.rowCount() == 1)
            row = queue.model.row_at(0)
            assert row.exercise
            assert row.title == "下穿隧道积水一"
            # The city map shows the drill's case too.
            await until(lambda: len(drill.situation.view.incidents) == 1)
            # The evaluator, brought to the front, can note on that case: it follows the drill's cases.
            evaluator_dock = window.findChild(QDockWidget, "drillEvaluatorDock")
            evaluator_dock.raise_()
            about = drill.evaluator.panel.about
            await until(lambda: about.findData(f"case:{row.code}") >= 0)
            drill.director.show_dock()

            # The director signs in with a demo account the drill store was seeded with; the window was
            # locked until then. Signing in starts the queue clean, but a drill keeps it on exercise.
            session = drill.console.session
            session.sign_in("lead", DEMO_PASSWORD)
            await until(lambda: session.actor is not None)
            assert queue.filters.exercise.isChecked()
            qtbot.mouseClick(drill.director.panel.pause, Qt.MouseButton.LeftButton)
            await until(lambda: not run.clock.running)
            held_at = run.clock.monotonic()
            wall.advance(600)  # ten wall minutes paused: I2 (at 2 min) must wait
            seen = beats
            await until(lambda: beats >= seen + 5)
            assert "I2" not in run.master.fired_at
            assert run.clock.monotonic() == held_at
            # Send now, from the dock, while paused: I3 (due at 20 min) goes at once.
            panel = drill.director.panel
            panel.injects.selectRow(2)
            assert panel.selected() is not None
            qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
            await until(lambda: "I3" in run.master.fired_at)
            assert run.master.fired_at["I3"] == held_at
            assert "I2" not in run.master.fired_at

            qtbot.mouseClick(drill.director.panel.resume, Qt.MouseButton.LeftButton)
            await until(lambda: run.clock.running)
            wall.advance(6)  # 60 s more of the drill: 125 s, past I2's own time and I3's logging
            # The officer's page holds still; the new cases wait behind the "new cases" bar.
            await until(lambda: queue.newer_count() == 2)
            queue.show_newer()
            await until(lambda: queue.model.rowCount() == 3)
            assert run.master.fired_at["I2"] == 120.0
            assert all(queue.model.row_at(n).exercise for n in range(3))
            # What the console raises itself (a vital-sign rule's alarm) goes in flagged exercise too.
            assert drill.cockpit.pipeline is not None
            drill.cockpit.pipeline.submit_local(
                Event(id="vital-alarm-1", source="vitals", category="water_level", title="水位超警",
                      severity=2, occurred_at=datetime.fromtimestamp(run.clock.now(), UTC))
            )  # fmt: skip
            await until(lambda: _stored_event(db, "vital-alarm-1") == 1)
        finally:
            await drill.finish()
        # Nothing of the drill is left running: the cameras' stream server ended with the window.
        assert drill.wall is not None
        assert drill.wall.cameras is not None
        assert not drill.wall.cameras.running
        return drill

    qloop.run_until_complete(asyncio.wait_for(scenario_played(), 60))
    assert digest(real_store.parent) == before
    conn = sqlite3.connect(db)
    try:
        real_cases = conn.execute("SELECT count(*) FROM cases WHERE exercise = 0").fetchone()[0]
        real_events = conn.execute("SELECT count(*) FROM events WHERE exercise = 0").fetchone()[0]
        director = conn.execute(
            "SELECT how, by FROM drill_log WHERE kind = 'director' ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    assert real_cases == 0
    assert real_events == 0
    assert director == [("pause", "导演 李明"), ("send", "导演 李明"), ("resume", "导演 李明")]


def _stored_event(db: Path, event_id: str) -> int | None:
    """The stored event's exercise flag (None: not stored yet)."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT exercise FROM events WHERE event_id = ?", (event_id,)).fetchone()
    finally:
        conn.close()
    return None if row is None else int(row[0])


async def until(predicate: object, timeout: float = 20.0) -> None:
    """Let the loop run (the drill's beats, the feed, the desk) until `predicate` holds."""
    assert callable(predicate)
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the drill window")
        await asyncio.sleep(0.01)


def test_a_window_that_cannot_be_built_leaves_no_feed_server_or_store_open(
    qloop: qasync.QEventLoop, qapp: QApplication, window: MainWindow, tmp_path: Path,
    real_store: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the console could not be built")

    monkeypatch.setattr("app.drill.cockpit.install_console", broken)
    started: list[str] = []  # the feed URL the drill opened
    monkeypatch.setattr(DrillRun, "open", _recording(DrillRun.open, started))
    scenario = parse_scenario(SCENARIO, "tunnel.yaml")
    atlas = load_atlas(atlas_directory(scenario))
    options = DrillOptions(
        headless=False, wall=ManualClock(), announce=lambda _: None, director=asyncio.Queue()
    )
    db = tmp_path / "drills" / "tunnel.sqlite3"

    async def attempt() -> None:
        with pytest.raises(RuntimeError, match="console"):
            await open_drill_cockpit(qapp, window, scenario, atlas, db, options)
        assert len(started) == 1
        port = int(started[0].rsplit(":", 1)[1])
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)

    qloop.run_until_complete(asyncio.wait_for(attempt(), 30))
    assert not [t.name for t in threading.enumerate() if t.name.startswith("tianshu-loop")]


def _recording(open_: Any, started: list[str]) -> Any:
    async def wrapper(self: DrillRun) -> str:
        url = str(await open_(self))
        started.append(url)
        return url

    return wrapper
