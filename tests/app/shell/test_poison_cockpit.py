"""The cockpit shows what the loop's jobs set aside: a poison row in the store is listed on the feed-health
panel and named on the status bar while new events still become cases; "Retry all" takes it again."""

from __future__ import annotations

import time
from pathlib import Path

import qasync

from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.main_window import MainWindow
from dispatch.store.database import open_store
from sim.server import FeedServer
from tests.app.conftest import wait_for
from tests.feeds import make_event

YEAR_9999 = 253_402_300_799.0
# The desk's first beat waits for the demo city's road network to be built: seconds on a busy machine.
LOADED_S = 60.0


def put_poison(path: Path) -> None:
    """An event at the end of year 9999, as a version before the intake's time bounds stored it: the
    policy's working calendar cannot count a deadline from it."""
    db = open_store(path)
    db.execute(
        "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, category, "
        "severity, title, lon, lat, grid, exercise, cancelled, payload) VALUES ('grid', 'poison', 1, 'old', "
        "1, ?, ?, 'manhole_cover', 3, '井盖缺失', 114.3, 30.6, '339901001001', 0, 0, '{}')",
        [time.time(), YEAR_9999],
    )
    db.close()


def cell(window: MainWindow, row: int, column: int) -> str:
    item = window.health.failed_table.item(row, column)
    return "" if item is None else item.text()


def cases_of(path: Path, event_id: str) -> int:
    db = open_store(path)
    try:
        return int(
            db.execute("SELECT count(*) FROM case_events WHERE event_id = ?", [event_id]).fetchone()[0]
        )
    finally:
        db.close()


def test_a_poison_row_is_listed_and_named_while_new_events_become_cases(
    qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    put_poison(store)
    health, status = window.health, window.status

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = Cockpit(
                window, db_path=store, feed_url=server.url, pipeline_factory=make_pipeline_factory(None, None)
            )
            await cockpit.start()
            assert cockpit.duty is not None
            try:
                await wait_for(
                    lambda: health.failed_table.rowCount() == 1, cockpit.duty.health_changed, LOADED_S
                )
                await server.wait_subscribed()
                server.publish_event(make_event(1))
                # The loop goes on behind the poison: the new event becomes a case on a later beat.
                await wait_for(
                    lambda: cases_of(store, "iot-test-000001") == 1,
                    cockpit.frame_clock.summary_flushed,
                    LOADED_S,
                )
                assert not status.jobs.isHidden()
                assert status.jobs.text() == "1 failed items (see Feed health)"
                health.failed_retry.click()
                await wait_for(lambda: cell(window, 0, 3) == "2", cockpit.duty.health_changed, LOADED_S)
            finally:
                await cockpit.shutdown()

    qloop.run_until_complete(scenario())

    assert [cell(window, 0, c) for c in (1, 2)] == ["Discovery", "1"]
    assert cell(window, 0, 4).startswith("OverflowError")
    assert health.failed_title.text() == "Failed items (1)"
