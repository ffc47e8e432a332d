"""The duty desk's vital-sign strip says what the console's own alert rules say: a rising gauge is
predicted to breach before it does, in colour and in words, with the line across its chart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.application import CHINESE, install_translations
from app.shell.theme import load_palette
from app.situation.vital_state import alarms_of
from core.clock import ManualClock
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.feed.protocol import Event
from dispatch.feed.values import MetricSample
from dispatch.vitals.watch import VitalsWatch
from widgets.common.vocabulary import Vocabulary
from widgets.situation.trend_chart import TrendChart
from widgets.situation.vital_signs import VitalSignsPanel

T0 = 1_767_603_600.0
GAUGE = "water_level_max"


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[list[QTranslator]]:
    installed = install_translations(qapp, CHINESE)
    yield installed
    for translator in installed:
        QCoreApplication.removeTranslator(translator)


def reading(value: float, at: float) -> MetricSample:
    return MetricSample(0, GAUGE, value, at, "m", (("district", "339901"),))


def test_a_rising_gauge_is_predicted_on_the_desk_tile_and_its_chart(
    qtbot: QtBot, qapp: QApplication, chinese: list[QTranslator]
) -> None:
    clock = ManualClock(T0)
    raised: list[Event] = []
    watch = VitalsWatch(load_policy(default_policy_path()).alert_rules, clock, raised.append)
    chart = TrendChart(load_palette())
    strip = VitalSignsPanel(Vocabulary(), chart, charted=(GAUGE,))
    qtbot.addWidget(strip)
    qtbot.addWidget(chart)
    strip.show()

    def beat() -> None:
        watch.beat()
        alarms = alarms_of(watch.monitor, watch.rules)
        strip.show_alerts(alarms.by_metric, alarms.lines_by_metric)

    # 3.6 m climbing 0.008 m a minute: 4.0 m in 50 minutes, inside the policy's 45-minute horizon after 5.
    for n in range(12):
        samples = [reading(3.6 + 0.008 * n, clock.now())]
        watch.take(samples)
        strip.apply(samples)
        clock.advance(60)
        beat()
    tile = strip.tiles[GAUGE]
    assert tile.property("alert") == "predicted"
    assert tile.note.text() == "预计 38 分钟后超警"
    assert tile.note.isVisibleTo(tile)
    assert chart.levels(GAUGE)[0][0] == 4.0
    # The same prediction went into the intake once, not once a beat: the queue is not flooded.
    assert [(event.category, event.title.split(" · ")[0]) for event in raised] == [
        ("vital_sign", "water_level_breach_soon")
    ]


def test_a_metric_no_rule_judges_keeps_a_plain_tile(qtbot: QtBot, qapp: QApplication) -> None:
    clock = ManualClock(T0)
    watch = VitalsWatch(load_policy(default_policy_path()).alert_rules, clock, lambda _: None)
    chart = TrendChart(load_palette())
    strip = VitalSignsPanel(Vocabulary(), chart)
    qtbot.addWidget(strip)
    qtbot.addWidget(chart)
    strip.apply([MetricSample(0, "metro_ridership", 30_000.0, T0, "人次/时", ())])
    watch.beat()
    alarms = alarms_of(watch.monitor, watch.rules)
    strip.show_alerts(alarms.by_metric, alarms.lines_by_metric)
    tile = strip.tiles["metro_ridership"]
    assert tile.property("alert") == "ok"
    assert tile.note.isHidden()
