"""The cockpit end to end: a real feed server, a real pipeline and SQLite file, the real window."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import qasync
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.gui import serve
from app.shell.main_window import MainWindow, layout_keys
from app.shell.theme import apply_theme
from dispatch.feed.pipeline import IntakePipeline, PipelineThread
from dispatch.feed.values import ConnectionState
from sim.server import FeedServer
from tests.app.conftest import wait_for
from tests.feeds import make_event


def cockpit_for(window: MainWindow, db: Path, url: str) -> Cockpit:
    return Cockpit(window, db_path=db, feed_url=url, pipeline_factory=make_pipeline_factory(None, None))


def connected(window: MainWindow) -> bool:
    return window.health.state.property("state") == ConnectionState.CONNECTED.value


def our_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("tianshu")]


def test_events_from_the_feed_appear_newest_on_top(
    qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path
) -> None:
    model = window.events.model

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = cockpit_for(window, tmp_path / "store.sqlite3", server.url)
            await cockpit.start()
            try:
                await wait_for(lambda: connected(window), cockpit.frame_clock.summary_flushed)
                await server.wait_subscribed()
                server.publish_event(make_event(1, severity=1, category="fire_alarm"))
                server.publish_event(make_event(2))
                server.publish_event(make_event(3, source="hotline", category="illegal_parking"))
                await wait_for(lambda: model.rowCount() == 3, model.rowsInserted)
                server.publish_metric(
                    {"name": "hotline_calls_per_hour", "value": 240, "at": "2026-11-21T08:00:00+08:00"}
                )
                tiles = window.vitals.tiles
                await wait_for(lambda: "hotline_calls_per_hour" in tiles, cockpit.frame_clock.summary_flushed)
                await wait_for(
                    lambda: window.health.cells["events"].value.text() == "3",
                    cockpit.frame_clock.summary_flushed,
                )
            finally:
                await cockpit.shutdown()
            assert not cockpit.tasks
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    qloop.run_until_complete(scenario())

    assert [model.event_at(r).event_id for r in range(3)] == [
        "iot-test-000003",
        "iot-test-000002",
        "iot-test-000001",
    ]
    assert model.event_at(0).source == "hotline"
    assert window.health.url.text().startswith("ws://127.0.0.1:")
    assert window.health.cells["position"].value.text() == "4 / 4"
    assert window.vitals.tiles["hotline_calls_per_hour"].value.text() == "240"
    assert window.status.connection.property("state") == "connected"
    assert our_threads() == []


def test_closing_leaves_the_status_bar_as_it_was_while_the_store_flushes(
    qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path
) -> None:
    # While the pipeline closes, its feed reads "stopped" until the store has flushed, which under load
    # can outlast a status-bar tick: by then only the pipeline itself may still run, so nothing paints it.
    running_at_close: list[str] = []
    cockpit: Cockpit | None = None

    class Watched(PipelineThread):
        async def close(self) -> None:
            assert cockpit is not None
            running_at_close.extend(sorted(t.get_name() for t in cockpit.tasks if not t.done()))
            await super().close()

    async def scenario() -> None:
        nonlocal cockpit
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = Cockpit(
                window,
                db_path=tmp_path / "store.sqlite3",
                feed_url=server.url,
                pipeline_factory=lambda db, url: Watched(IntakePipeline(db_path=db, feed_url=url)),
            )
            await cockpit.start()
            try:
                await wait_for(lambda: connected(window), cockpit.frame_clock.summary_flushed)
            finally:
                await cockpit.shutdown()

    qloop.run_until_complete(scenario())

    assert running_at_close == ["cockpit-pipeline"]
    assert window.status.connection.property("state") == "connected"


def test_a_restart_shows_stored_history_before_anything_new(
    qloop: qasync.QEventLoop, qtbot: QtBot, qapp: QApplication, window: MainWindow, tmp_path: Path
) -> None:
    db = tmp_path / "store.sqlite3"

    async def first_run() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = cockpit_for(window, db, server.url)
            await cockpit.start()
            try:
                await server.wait_subscribed()
                for n in range(5):
                    server.publish_event(make_event(n))
                for minutes_ago, value in ((40, 0.9), (10, 1.2), (5, 1.6)):
                    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
                    server.publish_metric({"name": "traffic_index", "value": value, "at": at.isoformat()})
                await wait_for(lambda: window.events.model.rowCount() == 5, window.events.model.rowsInserted)
                await wait_for(
                    lambda: window.vitals.latest("traffic_index") == 1.6, cockpit.frame_clock.summary_flushed
                )
            finally:
                await cockpit.shutdown()

    qloop.run_until_complete(first_run())
    again = MainWindow(
        palette=apply_theme(qapp), settings=QSettings(str(tmp_path / "s2.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(again)
    again.show()

    async def second_run() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            cockpit = cockpit_for(again, db, server.url)
            await cockpit.start()
            await cockpit.shutdown()

    qloop.run_until_complete(second_run())

    model = again.events.model
    assert [model.event_at(r).event_id for r in range(5)] == [f"iot-test-00000{n}" for n in (4, 3, 2, 1, 0)]
    assert again.status.events_today.text() == "Events today: 5"
    # The trend the room was watching is back: the readings of the last half hour, not the older one.
    assert again.vitals.latest("traffic_index") == 1.6
    assert again.vitals.tiles["traffic_index"].value.text() == "1.60"
    assert again.vitals.history("traffic_index") == [1.2, 1.6]


def test_closing_the_window_shuts_everything_down(
    qloop: qasync.QEventLoop, qapp: QApplication, window: MainWindow, settings: QSettings, tmp_path: Path
) -> None:
    # As in run_gui: the loop, not Qt, decides when the application is done.
    qapp.setQuitOnLastWindowClosed(False)

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = cockpit_for(window, tmp_path / "store.sqlite3", server.url)
            running = asyncio.ensure_future(serve(cockpit))
            await wait_for(lambda: connected(window), cockpit.frame_clock.summary_flushed)
            window.close()
            await asyncio.wait_for(running, 10)
            assert not cockpit.frame_clock.running
            assert not cockpit.tasks

    try:
        qloop.run_until_complete(scenario())
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert our_threads() == []
    assert isinstance(settings.value(layout_keys(window.screen().geometry().size())[1]), QByteArray)


def test_sigint_shuts_down_cleanly(qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=0.2) as server:
            cockpit = cockpit_for(window, db, server.url)
            running = asyncio.ensure_future(serve(cockpit))
            await server.wait_subscribed()
            server.publish_event(make_event(7))
            model = window.events.model
            await wait_for(lambda: model.rowCount() == 1, model.rowsInserted)
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.wait_for(running, 10)
            assert not cockpit.tasks

    qloop.run_until_complete(scenario())
    assert our_threads() == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
