"""在办 has one definition: the vital-sign tile shows the store's open cases, the count the queue and 综合评价
use, never a figure a feed sends under that name."""

from __future__ import annotations

from pathlib import Path

import qasync

from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.main_window import MainWindow
from dispatch.casework.records.live import live_counts
from dispatch.store.read_only import open_read_only
from sim.server import FeedServer
from tests.app.conftest import wait_for
from tests.feeds import make_event


def open_cases(db: Path) -> int:
    conn = open_read_only(db, live=True)
    try:
        return live_counts(conn, 0.0).open
    finally:
        conn.close()


def test_the_open_cases_tile_is_the_stores_count(
    qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite3"
    tiles = window.vitals.tiles

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = Cockpit(window, db_path=db, feed_url=server.url,
                              pipeline_factory=make_pipeline_factory(None, None))  # fmt: skip
            await cockpit.start()
            try:
                assert cockpit.duty is not None
                await server.wait_subscribed()
                # A feed's own "open incidents" figure (a platform counting its cases) is not ours.
                server.publish_metric(
                    {"name": "open_incidents", "value": 240, "at": "2026-11-21T08:00:00+08:00"}
                )
                for n in range(3):
                    place = {
                        "lon": 120.15 + n * 0.01,
                        "lat": 30.27,
                        "address": f"测试路{n}号",
                        "grid": "330102001001",
                    }
                    server.publish_event(
                        make_event(n, source="grid", category="manhole_cover", location=place)
                    )
                await wait_for(
                    lambda: "open_incidents" in tiles and tiles["open_incidents"].value.text() == "3",
                    cockpit.duty.open_counted,
                    timeout=30.0,
                )
                # A repeat of a sensor's alarm updates its case: the count stays.
                server.publish_event(make_event(10, device="SW-1"))
                await wait_for(lambda: open_cases(db) == 4, cockpit.duty.open_counted, timeout=30.0)
                server.publish_event(make_event(11, device="SW-1"))
                await wait_for(
                    lambda: window.vitals.history("open_incidents")[-1] == 4 and _folded(db),
                    cockpit.duty.open_counted,
                    timeout=30.0,
                )
            finally:
                await cockpit.shutdown()

    qloop.run_until_complete(scenario())
    assert tiles["open_incidents"].value.text() == "4" == str(open_cases(db))
    assert 240 not in window.vitals.history("open_incidents")


def _folded(db: Path) -> bool:
    conn = open_read_only(db, live=True)
    try:
        return conn.execute("SELECT events_count FROM cases WHERE source = 'iot'").fetchone() == (2,)
    finally:
        conn.close()
