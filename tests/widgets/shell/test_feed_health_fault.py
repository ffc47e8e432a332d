"""FeedHealthPanel: a defect the feed client recovered from stays in view after it reconnected."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from dispatch.feed.values import ConnectionState, FeedStatus
from widgets.common.vocabulary import Vocabulary
from widgets.shell.feed_health import FeedHealthPanel

URL = "ws://127.0.0.1:8765"
FAULT = "feed client fault: KeyError: 'cursor'"


def test_the_last_fault_shows_while_connected_and_the_reason_while_backing_off(
    qtbot: QtBot, vocabulary: Vocabulary
) -> None:
    panel = FeedHealthPanel(vocabulary)
    qtbot.addWidget(panel)
    panel.show()

    panel.show_connection(FeedStatus(ConnectionState.CONNECTED, URL))
    assert panel.detail.isHidden()

    panel.show_connection(FeedStatus(ConnectionState.BACKING_OFF, URL, FAULT, fault=FAULT), retry_in=0.4)
    assert panel.detail.text() == FAULT
    assert panel.detail.isVisible()

    panel.show_connection(FeedStatus(ConnectionState.CONNECTED, URL, fault=FAULT))
    assert panel.detail.text() == FAULT
    assert panel.detail.isVisible()
