"""Vital-sign tiles and charts on the wall say what the alert rules say: a breach predicted, a sensor
silent, a line crossed — in colour and in words."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispatch.casework.policy_file import default_policy_path, load_policy
from tests.app.wall.walls import T0, Wall, level, wall_on

RULES = load_policy(default_policy_path()).alert_rules


def rise(wall: Wall, start: float, per_minute: float, minutes: int) -> None:
    """A gauge read once a minute, climbing in a straight line."""
    for n in range(minutes):
        wall.readings(level(start + per_minute * n, wall.clock.now()))
        wall.advance(60)


def test_a_rising_gauge_is_predicted_to_breach_before_it_does(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp, rules=RULES, language="zh_CN") as wall:
        tile = wall.parts.vitals[0].tiles["water_level_max"]
        # 3.6 m climbing 0.008 m a minute (0.48 m/h, under the policy's "rising fast" 0.5 m/h): 4.0 m in
        # 50 minutes, inside the 45-minute horizon after 5.
        rise(wall, 3.6, 0.008, 12)
        # Last reading 3.688 m a minute ago: (4.0 - 3.688) / 0.008 - 1 = 38 minutes from now.
        assert tile.note.text() == "预计 38 分钟后超警"
        assert tile.note.isVisibleTo(tile)
        # Held within the horizon for the rule's 3 minutes: the warning is up (the line is not crossed).
        assert tile.property("alert") == "predicted"
        assert wall.controller.alarm_up
        assert wall.parts.trends[0].chart.levels("water_level_max")[0][0] == 4.0


def test_a_silent_gauge_says_for_how_long(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp, rules=RULES, language="zh_CN") as wall:
        tile = wall.parts.vitals[0].tiles["water_level_max"]
        wall.readings(level(3.1, T0))
        wall.advance(14 * 60)
        assert tile.property("alert") == "ok"
        assert tile.note.isHidden()
        wall.advance(60)
        assert tile.property("alert") == "nodata"
        assert tile.note.text() == "无数据 · 15 分钟"
        wall.advance(5 * 60)
        assert tile.note.text() == "无数据 · 20 分钟"


def test_a_crossed_line_turns_the_tile_and_its_chart_line_to_alarm(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp, rules=RULES) as wall:
        tile = wall.parts.vitals[0].tiles["water_level_max"]
        chart = wall.parts.trends[0].chart
        wall.readings(level(3.5, T0))
        wall.advance(1)
        assert (4.0, "ok") in chart.levels("water_level_max")
        for _ in range(4):
            wall.readings(level(4.1, wall.clock.now()))
            wall.advance(60)
        # Past 4.0 m for the rule's 2 minutes: firing, level II, said in words too.
        assert tile.property("alert") == "firing"
        assert tile.note.text() == "Alarm Level II"
        assert (4.0, "firing") in chart.levels("water_level_max")
        assert wall.controller.alarm_up
