"""A store that cannot take writes is what the feed-health panel and the status bar say, in Chinese too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.application import CHINESE, install_translations
from dispatch.feed.values import ConnectionState, FeedStatus, IntakeChanges, IntakeCounters, StorageTrouble
from widgets.common.vocabulary import Vocabulary
from widgets.shell.feed_health import FeedHealthPanel
from widgets.shell.status_bar import CockpitStatusBar

URL = "ws://127.0.0.1:8765"
# What the pipeline reports while the disk is full: the feed client is stopped, the store is the reason.
PAUSED = FeedStatus(ConnectionState.STOPPED, URL, "database or disk is full", storage=StorageTrouble.FULL)


@pytest.fixture
def in_chinese(qapp: QApplication) -> Iterator[list[QTranslator]]:
    installed = install_translations(qapp, CHINESE)
    yield installed
    for translator in installed:
        QCoreApplication.removeTranslator(translator)


def summary(feed: FeedStatus) -> IntakeChanges:
    return IntakeChanges(counters=IntakeCounters(events=300, last_seq=300), feed=feed)


def test_a_full_store_reads_storage_full_on_the_panel_and_the_status_bar(
    qtbot: QtBot, in_chinese: list[QTranslator]
) -> None:
    words = Vocabulary()
    panel = FeedHealthPanel(words)
    bar = CockpitStatusBar()
    qtbot.addWidget(panel)
    qtbot.addWidget(bar)
    panel.show()

    panel.apply(summary(PAUSED))
    bar.show_connection(PAUSED.state, words.connection(PAUSED))

    assert panel.state.text() == "存储空间不足"
    assert panel.detail.text() == "database or disk is full"
    assert panel.state.property("state") == "stopped"  # the alert colour of a stopped feed
    assert bar.connection.text() == "● 存储空间不足"

    resumed = FeedStatus(ConnectionState.CONNECTED, URL)
    panel.apply(summary(resumed))
    bar.show_connection(resumed.state, words.connection(resumed))
    assert panel.state.text() == "已连接"
    assert bar.connection.text() == "● 已连接"


@pytest.mark.parametrize("trouble", list(StorageTrouble))
def test_every_storage_trouble_has_words_in_both_languages(
    qapp: QApplication, trouble: StorageTrouble
) -> None:
    feed = FeedStatus(ConnectionState.BACKING_OFF, URL, "…", retry_at=5.0, storage=trouble)
    english = Vocabulary().connection(feed, retry_in=3.0)
    installed = install_translations(qapp, CHINESE)
    try:
        chinese = Vocabulary().connection(feed, retry_in=3.0)
    finally:
        for translator in installed:
            QCoreApplication.removeTranslator(translator)
    assert english not in ("", "Waiting to reconnect", "Reconnecting in 3 s")
    assert chinese != english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
