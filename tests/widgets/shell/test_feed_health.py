"""FeedHealthPanel: state words and colours, counters, gaps and the quarantine list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTranslator
from pytestqt.qtbot import QtBot

from dispatch.feed.values import (
    ConnectionState,
    FeedFailure,
    FeedStatus,
    Gap,
    IntakeChanges,
    IntakeCounters,
    QuarantineEntry,
    QuarantineReason,
)
from widgets.common.vocabulary import Vocabulary
from widgets.shell.feed_health import QUARANTINE_ROWS, FeedHealthPanel

URL = "ws://127.0.0.1:8765"


def changes(state: ConnectionState = ConnectionState.CONNECTED, **parts: object) -> IntakeChanges:
    counters = IntakeCounters(
        frames=120,
        events=100,
        revisions=4,
        duplicates=7,
        replays=2,
        quarantined=1,
        unknown=3,
        metrics=12,
        gaps=1,
        last_seq=130,
        head=131,
        events_per_s=19.54,
    )
    return IntakeChanges(counters=counters, feed=FeedStatus(state, URL, "connection refused"), **parts)  # type: ignore[arg-type]


def test_counters_and_state_are_shown(qtbot: QtBot, vocabulary: Vocabulary) -> None:
    panel = FeedHealthPanel(vocabulary)
    qtbot.addWidget(panel)
    panel.show()

    panel.apply(changes())

    values = {name: cell.value.text() for name, cell in panel.cells.items()}
    assert values == {
        "position": "130 / 131",
        "rate": "19.5",
        "events": "100",
        "duplicates": "7",
        "revisions": "4",
        "replays": "2",
        "quarantined": "1",
        "unknown": "3",
        "gaps": "1",
        "metrics": "12",
    }
    assert panel.state.text() == "Connected"
    assert panel.state.property("state") == "connected"
    assert panel.url.text() == URL
    assert panel.detail.isHidden()
    assert panel.cells["quarantined"].value.property("alert") == "true"
    assert panel.cells["duplicates"].value.property("alert") == "false"


def test_back_off_counts_down_and_says_why(qtbot: QtBot, vocabulary: Vocabulary) -> None:
    panel = FeedHealthPanel(vocabulary)
    qtbot.addWidget(panel)
    panel.show()

    panel.apply(changes(ConnectionState.BACKING_OFF), retry_in=4.6)
    assert panel.state.text() == "Reconnecting in 5 s"
    assert panel.state.property("state") == "backing_off"
    assert panel.detail.text() == "connection refused"
    assert panel.detail.isVisible()

    panel.show_connection(FeedStatus(ConnectionState.BACKING_OFF, URL), retry_in=1.2)
    assert panel.state.text() == "Reconnecting in 1 s"


def test_state_words_in_chinese(qtbot: QtBot, chinese: QTranslator) -> None:
    panel = FeedHealthPanel(Vocabulary())
    qtbot.addWidget(panel)
    words = []
    for state in ConnectionState:
        panel.show_connection(FeedStatus(state, URL), retry_in=3.0)
        words.append(panel.state.text())
    assert words == ["未启动", "连接中", "已连接", "重连等待 3 秒", "已停止"]
    assert panel.cells["duplicates"].caption.text() == "重复"


def test_latest_gap_and_quarantine_list(qtbot: QtBot, vocabulary: Vocabulary) -> None:
    panel = FeedHealthPanel(vocabulary)
    qtbot.addWidget(panel)
    panel.show()
    gaps = (Gap(10, 20, "older", 1.0), Gap(120, 500, "replay buffer exhausted", 2.0))
    entries = tuple(
        QuarantineEntry(float(n), QuarantineReason.NOT_JSON, f"bad frame {n}", "{{", 2, n) for n in range(60)
    )

    panel.apply(changes(gaps=gaps, quarantined=entries))
    panel.apply(
        changes(quarantined=(QuarantineEntry(99.0, QuarantineReason.OVERSIZED, "2 MiB", "x", 2 << 20),))
    )

    assert "#120 → #500" in panel.latest_gap.text()
    assert "replay buffer exhausted" in panel.latest_gap.text()
    table = panel.quarantine
    assert table.rowCount() == QUARANTINE_ROWS
    assert table.item(0, 1).text() == "Oversized frame"
    assert table.item(0, 2).text() == "2 MiB"
    assert table.item(1, 1).text() == "Not JSON"
    assert table.item(1, 2).text() == "bad frame 59"
    assert table.item(QUARANTINE_ROWS - 1, 2).text() == "bad frame 11"


def test_a_hidden_panel_catches_up_when_shown(qtbot: QtBot, vocabulary: Vocabulary) -> None:
    panel = FeedHealthPanel(vocabulary)
    qtbot.addWidget(panel)
    entry = QuarantineEntry(5.0, QuarantineReason.TOO_DEEP, "depth 70", "[[[", 3)

    panel.apply(changes(gaps=(Gap(1, 2, "reset", 0.0),), quarantined=(entry,)))
    assert panel.cells["events"].value.text() == "—"
    assert panel.quarantine.rowCount() == 0

    panel.show()
    assert panel.cells["events"].value.text() == "100"
    assert "#1 → #2" in panel.latest_gap.text()
    assert panel.quarantine.item(0, 1).text() == "Nested too deep"


@pytest.mark.parametrize(
    ("failure", "argument", "words"),
    [
        (FeedFailure.REFUSED, "", "连接被拒绝：数据源服务器未在监听"),
        (FeedFailure.TOKEN_REFUSED, "401", "数据源拒绝了令牌（HTTP 401）"),
        (FeedFailure.CLOSED, "", "连接已关闭（无关闭帧）"),
    ],
)
def test_why_the_feed_dropped_is_said_in_the_ui_language(
    qtbot: QtBot, chinese: QTranslator, failure: FeedFailure, argument: str, words: str
) -> None:
    # Regression: the Chinese console said "connection refused" in English.
    panel = FeedHealthPanel(Vocabulary())
    qtbot.addWidget(panel)
    panel.show()
    feed = FeedStatus(
        ConnectionState.BACKING_OFF, URL, "connection refused", failure=failure, failure_arg=argument
    )
    panel.show_connection(feed, retry_in=3)
    assert panel.detail.text() == words
