"""A lost feed: a banner over the main view says since when and what is being done, the vital-sign tiles
say "no data since", and both go back when the feed does. Live against a real feed server that goes away
and comes back on the same port; the watch's rules over generated status sequences."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
import shiboken6
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.shell.cockpit import Cockpit, Pipeline
from app.shell.feed_watch import FeedWatch, install_feed_watch, is_lost
from app.shell.main_window import MainWindow
from app.shell.theme import apply_theme
from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline, PipelineThread
from dispatch.feed.values import ConnectionState, FeedStatus, IntakeChanges, MetricSample, StorageTrouble
from sim.server import FeedServer
from tests.app.conftest import wait_for
from widgets.shell.feed_lost_banner import FeedLostBanner

# Reconnect attempts a fraction of a second apart, so the feed is back as soon as the server is.
QUICK = BackoffPolicy(base_s=0.05, cap_s=0.3)


def quick_pipeline(db: Path, url: str) -> Pipeline:
    return PipelineThread(IntakePipeline(db_path=db, feed_url=url, policy=QUICK))


def hhmm(at: float, seconds: bool = False) -> str:
    return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(at))


def test_a_feed_that_goes_away_is_said_over_the_main_view_and_on_the_tiles(
    qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path
) -> None:
    banner = None
    tile_texts: list[str] = []
    # What was on screen right after each summary that carried a lost feed (the cockpit's slot runs first).
    seen_on_loss: list[bool] = []

    async def scenario() -> None:
        nonlocal banner
        server = FeedServer(heartbeat_s=0.2)
        await server.start()
        port = int(server.url.rsplit(":", 1)[1])
        cockpit = Cockpit(
            window, db_path=tmp_path / "store.sqlite3", feed_url=server.url, pipeline_factory=quick_pipeline,
            duty=False,
        )  # fmt: skip
        watch = cockpit.feed_watch
        banner = watch.banner
        clock = cockpit.frame_clock

        def after_summary(changes: IntakeChanges) -> None:
            if is_lost(changes.feed, already_lost=False):
                seen_on_loss.append(banner.isVisible() and watch.lost_since is not None)

        clock.summary_flushed.connect(after_summary)
        await cockpit.start()
        try:
            await server.wait_subscribed()
            server.publish_metric({"name": "aqi", "value": 42, "at": "2026-11-21T08:00:00+08:00"})
            await wait_for(lambda: "aqi" in window.vitals.tiles, clock.summary_flushed)
            assert window.vitals.tiles["aqi"].value.text() == "42.0"
            assert not banner.isVisible()

            before = time.time()
            await server.stop()
            await wait_for(banner.isVisible, clock.summary_flushed)
            since = watch.lost_since
            assert since is not None
            assert before - 1 <= since <= time.time()
            text = banner.text.text()
            assert text.startswith(f"Feed lost since {hhmm(since, seconds=True)} · ")
            # What is being done: a countdown to the next attempt, or the attempt itself.
            rest = text.split(" · ", 1)[1]
            assert rest.startswith(("Reconnecting in ", "Connecting", "Waiting to reconnect")), rest
            tile = window.vitals.tiles["aqi"]
            tile_texts.append(tile.value.text())
            assert tile.value.property("stale") == "true"
            # Clicks go through the banner to the docks under it.
            assert banner.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

            server = FeedServer(port=port, heartbeat_s=0.2)
            await server.start()
            await wait_for(lambda: not banner.isVisible(), clock.summary_flushed)
            assert watch.lost_since is None
            assert tile.value.text() == "42.0"
            assert tile.value.property("stale") == "false"
        finally:
            await cockpit.shutdown()
            await server.stop()

    qloop.run_until_complete(scenario())
    assert len(tile_texts) == 1
    assert tile_texts[0].startswith("No data · since ")
    # On the very summary that carried the loss (2 a second), the banner was already up.
    assert seen_on_loss
    assert seen_on_loss[0]


def status(state: ConnectionState, since: float, storage: StorageTrouble | None = None) -> FeedStatus:
    return FeedStatus(state, "ws://127.0.0.1:1/feed", since=since, storage=storage)


STATES = st.sampled_from(list(ConnectionState))
STORAGE = st.one_of(st.none(), st.sampled_from(list(StorageTrouble)))


@pytest.fixture(scope="module")
def stage(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MainWindow]:
    """One window for every generated example (a window per example would take minutes)."""
    scratch = QSettings(str(tmp_path_factory.mktemp("stage") / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(palette=apply_theme(qapp), settings=scratch)
    window.resize(1200, 700)
    window.show()
    window.vitals.apply([MetricSample(1, "aqi", 42.0, 1.0)])
    yield window
    shiboken6.delete(window)
    qapp.setStyleSheet("")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(STATES, STORAGE, st.floats(0, 100)), max_size=30))
def test_the_banner_shows_exactly_while_the_feed_is_lost_and_keeps_when_it_began(
    stage: MainWindow, steps: list[tuple[ConnectionState, StorageTrouble | None, float]]
) -> None:
    banner = stage.findChild(FeedLostBanner) or FeedLostBanner(stage.vocabulary, stage)
    banner.clear()
    stage.vitals.show_no_data(None)
    now = 1_000_000.0
    watch = FeedWatch(banner, stage.vitals, clock=lambda: now)
    began: float | None = None
    for state, storage, delay in steps:
        now += delay
        feed = status(state, since=now - delay / 2, storage=storage)
        lost = storage is not None or state in (ConnectionState.BACKING_OFF, ConnectionState.STOPPED)
        lost = lost or (began is not None and state is not ConnectionState.CONNECTED)
        if lost and began is None:
            began = feed.since if storage is None else now
        if not lost:
            began = None
        watch.observe(feed, 3.0 if state is ConnectionState.BACKING_OFF else None)
        assert watch.lost_since == began
        assert banner.isVisible() is lost
        assert stage.vitals.no_data_since == began
        tile = stage.vitals.tiles["aqi"].value.text()
        assert (tile == "42.0") is (not lost)
        if began is not None:
            words = "Feed paused since " if storage is not None else "Feed lost since "
            assert banner.text.text().startswith(words + hhmm(began, seconds=True))
            assert tile == f"No data · since {hhmm(began)}"
            if storage is None and state is ConnectionState.BACKING_OFF:
                assert banner.text.text().endswith("Reconnecting in 3 s")


def test_an_empty_strip_says_why(qapp: QApplication, window: MainWindow) -> None:
    placeholder = window.vitals.placeholder
    assert placeholder.isVisible()
    assert placeholder.text() == "Waiting for the first readings"
    watch = install_feed_watch(window, window.vocabulary, window.vitals)
    at = time.time() - 600
    watch.observe(status(ConnectionState.BACKING_OFF, since=at), 5.0)
    assert placeholder.text() == f"No data · since {hhmm(at)}"
    watch.observe(status(ConnectionState.CONNECTED, since=time.time()), None)
    assert placeholder.text() == "Waiting for the first readings"
    window.vitals.apply([MetricSample(1, "aqi", 42.0, 1.0)])
    assert not placeholder.isVisible()
