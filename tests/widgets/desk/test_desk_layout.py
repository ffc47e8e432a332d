"""The desk holds still as severe alerts come and go: the banner is one line of one height, elided with the
whole text as tooltip, and nothing below it moves."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.theme import apply_theme
from tests.widgets.duty_values import row
from widgets.common.tight_fit import ElidedLabel
from widgets.common.vocabulary import Vocabulary
from widgets.desk.duty_desk import DutyDesk

LONG = "解放路与人民路交叉口东北角地下通道积水严重，车辆无法通行，行人被困，请立即派员处置" * 3


@pytest.fixture
def desk(qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary) -> DutyDesk:
    shown = DutyDesk(vocabulary, apply_theme(qapp))
    qtbot.addWidget(shown)
    shown.resize(1400, 860)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def queue_top(desk: DutyDesk) -> QPoint:
    return desk.queue.mapTo(desk, QPoint(0, 0))


def test_nothing_moves_as_alerts_come_and_go(qtbot: QtBot, qapp: QApplication, desk: DutyDesk) -> None:
    calm = queue_top(desk)
    slot = desk.severe_slot.height()
    assert desk.calm.isVisible()
    for alerts in (
        (row(1, severity=1, acknowledged=False),),
        tuple(row(n, severity=2, acknowledged=False) for n in (1, 2, 3)),
        (row(1, severity=1, title=LONG, acknowledged=False),),
        (),
    ):
        desk.banner.show_alerts(alerts)
        qapp.processEvents()
        assert desk.banner.isVisible() is bool(alerts)
        assert desk.calm.isVisible() is not bool(alerts)
        assert desk.severe_slot.height() == slot
        assert queue_top(desk) == calm
        if alerts:
            assert desk.banner.height() == slot


def test_a_long_alert_is_one_elided_line_with_the_whole_text_as_tooltip(
    qapp: QApplication, desk: DutyDesk
) -> None:
    desk.banner.show_alerts((row(1, severity=1, title=LONG, acknowledged=False),))
    qapp.processEvents()
    text = desk.banner.text
    assert not text.wordWrap()
    assert text.is_cut()
    assert LONG in text.toolTip()
    assert text.height() <= 2 * text.fontMetrics().height()

    desk.banner.show_alerts((row(1, severity=1, title="居民楼起火", acknowledged=False),))
    qapp.processEvents()
    assert not text.is_cut()
    assert text.toolTip() == ""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(width=st.integers(min_value=0, max_value=4000))
def test_the_default_split_fills_the_desk_and_never_cuts_the_panel_when_it_fits(
    desk: DutyDesk, width: int
) -> None:
    queue, panel = desk.default_split(width)
    room = max(0, width - desk.splitter.handleWidth())
    assert queue >= 0
    assert panel >= 0
    assert queue + panel == room
    if room >= desk.panel.minimumSizeHint().width():
        assert panel >= desk.panel.minimumSizeHint().width()
    if room >= desk.roomy_width() - desk.splitter.handleWidth():
        assert queue >= desk.queue.roomy_width()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=80), width=st.integers(min_value=1, max_value=900))
def test_an_elided_label_shows_its_whole_text_as_tooltip_exactly_when_cut(
    qtbot: QtBot, text: str, width: int
) -> None:
    label = ElidedLabel(text, tip=True)
    qtbot.addWidget(label)
    label.show()
    label.resize(width, 30)
    cut = label.fontMetrics().horizontalAdvance(text) > label.contentsRect().width()
    assert label.is_cut() is cut
    assert label.toolTip() == (text if cut else "")


def test_a_long_notice_stays_one_line_and_moves_nothing(qapp: QApplication, desk: DutyDesk) -> None:
    before = queue_top(desk)
    desk.show_notice(LONG, "error")
    qapp.processEvents()
    assert desk.notice.isVisible()
    assert desk.notice.is_cut()
    assert desk.notice.toolTip() == LONG
    assert queue_top(desk) == before
