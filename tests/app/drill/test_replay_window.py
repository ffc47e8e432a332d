"""The replay window: a recorded real period arrives in the cockpit's queue as exercise cases, the real
people's actions are applied to them through the window's loop, and the real store is only read."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.drill.replay_window import ReplayCockpit, open_replay_cockpit
from app.shell.main_window import MainWindow
from core.clock import ManualClock
from dispatch.drill.replay_period import open_recorded, read_period
from dispatch.store.database import default_db_path, open_store
from sim.drill.replay import ReplayOptions
from tests.app.drill.test_drill_window import until
from tests.sim.drill.recorded import MIN, T0, record_real_store
from widgets.drill.watermark import DrillWatermark


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _people(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT action, actor FROM audit WHERE role != 'system' ORDER BY id").fetchall()
    finally:
        conn.close()
    return [(str(a), str(b)) for a, b in rows]


def test_a_period_replays_in_the_window_with_the_real_actions(
    qloop: qasync.QEventLoop, qapp: QApplication, window: MainWindow, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    open_store(default_db_path()).close()  # the cockpit's own store, never opened by the replay
    real = record_real_store(tmp_path / "real" / "real.sqlite3").path
    before = _files(real.parent), _files(default_db_path().parent)
    conn = open_recorded(real)
    try:
        period = read_period(conn, T0, T0 + 20 * MIN)
    finally:
        conn.close()
    wall = ManualClock(T0 + 86_400)
    options = ReplayOptions(speed=10, wall=wall, beat_s=0.005, announce=lambda _: None)
    db = tmp_path / "drills" / "replay.sqlite3"

    async def played() -> None:
        replay: ReplayCockpit = await open_replay_cockpit(qapp, window, period, db, options)
        try:
            await replay.start()
            queue = replay.cockpit.duty.desk.queue  # type: ignore[union-attr]
            watermark = window.findChild(DrillWatermark)
            assert watermark is not None
            assert watermark.word in window.windowTitle()
            wall.advance(6.5)  # 65 s of the period: wl-1 (received at 1 min) is in
            await until(lambda: queue.model.rowCount() == 1)
            assert queue.model.row_at(0).exercise
            wall.advance(30)  # 6.5 min: li registered it at 3 min, wang dispatched it at 6
            await until(lambda: _people(db) == [("register", "li"), ("dispatch", "wang")])
        finally:
            await replay.finish()

    qloop.run_until_complete(asyncio.wait_for(played(), 60))
    assert (_files(real.parent), _files(default_db_path().parent)) == before
    conn = sqlite3.connect(db)
    try:
        flags = {row[0] for table in ("events", "cases", "audit") for row in conn.execute(
            f"SELECT DISTINCT exercise FROM {table}")}  # fmt: skip
        logged = conn.execute("SELECT how FROM drill_log WHERE kind = 'case_action' ORDER BY id").fetchall()
    finally:
        conn.close()
    assert flags == {1}
    assert logged == [("applied",), ("applied",)]
