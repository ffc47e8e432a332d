"""A vital sign past its line becomes a case on the duty desk; back under, it is proposed for 自动消警."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTimer

from app.shell import cockpit as cockpit_module
from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.main_window import MainWindow
from dispatch.casework.policy_file import default_policy_path
from dispatch.casework.records import episodes
from dispatch.store.read_only import open_read_only
from sim.server import FeedServer
from tests.app.conftest import wait_for

# The shipped policy plus a rule that fires at once (the shipped ones wait minutes on the real clock).
GAUGE_RULE = """
  gauge_over_10:
    metric: test_gauge
    above: 10
    level: 2
"""


def vitals_rows(db: Path) -> tuple[list[tuple[object, ...]], list[int]]:
    conn = open_read_only(db, live=True)
    try:
        cases = conn.execute(
            "SELECT id, severity, events_count FROM cases WHERE source = 'vitals'"
        ).fetchall()
        return cases, episodes.pending_clearing(conn)
    finally:
        conn.close()


def gauge(value: float, at: datetime) -> dict[str, object]:
    return {"name": "test_gauge", "value": value, "at": at.isoformat(), "labels": {"district": "339901"}}


def test_a_gauge_past_its_line_opens_one_case_and_its_recovery_proposes_clearing(
    qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(default_policy_path().read_text(encoding="utf-8") + GAUGE_RULE, encoding="utf-8")
    monkeypatch.setattr(cockpit_module, "default_policy_path", lambda: policy)
    db = tmp_path / "store.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = Cockpit(window, db_path=db, feed_url=server.url,
                              pipeline_factory=make_pipeline_factory(None, None))  # fmt: skip
            await cockpit.start()
            try:
                assert cockpit.duty is not None
                watch = cockpit.vitals_watch
                assert watch is not None
                judged_on: set[str] = set()
                beat = watch.beat

                def beat_on_a_thread() -> object:
                    judged_on.add(threading.current_thread().name)
                    return beat()

                monkeypatch.setattr(watch, "beat", beat_on_a_thread)
                await server.wait_subscribed()
                server.publish_metric(gauge(12.5, datetime.now(UTC)))
                await wait_for(lambda: len(vitals_rows(db)[0]) == 1, cockpit.duty.open_counted, timeout=30.0)
                # The desk's tile says so too, in colour and words; the rules were judged off the GUI thread.
                ticks = QTimer()
                ticks.start(50)
                tile = window.vitals.tiles["test_gauge"]
                await wait_for(lambda: tile.property("alert") == "firing", ticks.timeout, timeout=10.0)
                ticks.stop()
                assert tile.note.text().startswith("Alarm")
                assert judged_on == {"tianshu-vitals_0"}
                server.publish_metric(gauge(4.0, datetime.now(UTC)))
                await wait_for(lambda: vitals_rows(db)[1] != [], cockpit.duty.open_counted, timeout=30.0)
            finally:
                await cockpit.shutdown()

    qloop.run_until_complete(scenario())
    cases, clearing = vitals_rows(db)
    assert [(severity, count) for _, severity, count in cases] == [(2, 2)]
    assert clearing == [cases[0][0]]
