"""Vital signs: KPI tiles follow the latest value with a trend; the chart gets the charted series."""

from __future__ import annotations

from PySide6.QtCore import QTranslator
from pytestqt.qtbot import QtBot

from dispatch.feed.values import MetricSample
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.situation.kpi_tile import Trend, format_value
from widgets.situation.trend_chart import TrendChart
from widgets.situation.vital_signs import VitalSignsPanel, trend_of

T0 = 1_767_225_600.0
DISTRICT = (("district", "DH"),)


def sample(
    name: str, value: float, at: float, labels: tuple[tuple[str, str], ...] = (), unit: str | None = None
):
    return MetricSample(seq=0, name=name, value=value, at=at, unit=unit, labels=labels)


def panel_for(qtbot: QtBot, vocabulary: Vocabulary, palette: Palette, **options: object) -> VitalSignsPanel:
    chart = TrendChart(palette)
    panel = VitalSignsPanel(vocabulary, chart, **options)  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    qtbot.addWidget(chart)
    panel.resize(1800, 200)
    panel.show()
    chart.show()
    return panel


def test_trend_compares_with_the_recent_mean() -> None:
    assert trend_of([]) is Trend.FLAT
    assert trend_of([(0.0, 10.0)]) is Trend.FLAT
    assert trend_of([(0.0, 10.0), (5.0, 10.0), (10.0, 12.0)]) is Trend.UP
    assert trend_of([(0.0, 10.0), (5.0, 10.0), (10.0, 8.0)]) is Trend.DOWN
    assert trend_of([(0.0, 100.0), (5.0, 100.0), (10.0, 100.5)]) is Trend.FLAT
    # Only the last minute counts: an old spike does not make today look like a fall.
    assert trend_of([(0.0, 1000.0), (100.0, 10.0), (130.0, 11.0)]) is Trend.UP


def test_tiles_show_latest_value_unit_and_trend(
    qtbot: QtBot, vocabulary: Vocabulary, palette: Palette
) -> None:
    panel = panel_for(qtbot, vocabulary, palette, tile_order=("power_load", "open_incidents"))

    panel.apply([sample("open_incidents", 200, T0), sample("power_load", 4000.0, T0, unit="MW")])
    panel.apply([sample("open_incidents", 230, T0 + 5), sample("power_load", 3900.0, T0 + 5, unit="MW")])

    incidents, power = panel.tiles["open_incidents"], panel.tiles["power_load"]
    assert incidents.caption.text() == "Open incidents"
    assert incidents.value.text() == "230"
    assert incidents.trend is Trend.UP
    assert incidents.arrow.property("trend") == "up"
    assert power.value.text() == "3,900"
    assert power.unit.text() == "MW"
    assert power.trend is Trend.DOWN
    assert power.scope.text() == "city-wide"
    layout = panel.layout()
    assert layout.indexOf(power) < layout.indexOf(incidents)


def test_area_only_metrics_show_the_highest_area(
    qtbot: QtBot, vocabulary: Vocabulary, palette: Palette
) -> None:
    panel = panel_for(qtbot, vocabulary, palette)
    readings = [
        sample("water_level_max", level, T0, (("district", code),), "m")
        for code, level in (("DH", 3.1), ("XS", 4.25), ("NC", 2.9))
    ]

    panel.apply(readings)
    panel.apply([sample("congestion_index", 1.4, T0), sample("congestion_index", 2.2, T0, DISTRICT)])

    assert panel.tiles["water_level_max"].value.text() == "4.25"
    assert panel.tiles["water_level_max"].scope.text() == "highest of 3 districts"
    assert panel.latest("congestion_index") == 1.4


def test_one_history_point_per_reading_time(qtbot: QtBot, vocabulary: Vocabulary, palette: Palette) -> None:
    panel = panel_for(qtbot, vocabulary, palette, charted=("aqi",))

    panel.apply([sample("aqi", v, T0 + 5 * i, DISTRICT) for i, v in enumerate((50, 52, 55))])

    x, y = panel.chart._curves["aqi"].getData()
    assert list(x) == [T0, T0 + 5, T0 + 10]
    assert list(y) == [50, 52, 55]
    assert panel.chart.series_names() == ("aqi",)


def test_hidden_tiles_catch_up_when_shown(qtbot: QtBot, vocabulary: Vocabulary, palette: Palette) -> None:
    panel = panel_for(qtbot, vocabulary, palette)
    panel.apply([sample("aqi", 40, T0)])
    panel.hide()

    panel.apply([sample("aqi", 80, T0 + 5)])
    assert panel.tiles["aqi"].value.text() == "40.0"

    panel.show()
    assert panel.tiles["aqi"].value.text() == "80.0"


def test_names_and_units_in_chinese(qtbot: QtBot, chinese: QTranslator, palette: Palette) -> None:
    panel = panel_for(qtbot, Vocabulary(), palette)

    panel.apply([sample("hotline_calls_per_hour", 640, T0, unit="calls/h"), sample("mystery", 1.0, T0)])

    assert panel.tiles["hotline_calls_per_hour"].caption.text() == "热线话务量"
    assert panel.tiles["hotline_calls_per_hour"].unit.text() == "通/时"
    assert panel.tiles["mystery"].caption.text() == "mystery"


def test_numbers_are_rounded_for_reading_at_a_distance() -> None:
    assert format_value(91662.4) == "91,662"
    assert format_value(245.0) == "245"
    assert format_value(73.04) == "73.0"
    assert format_value(3.456) == "3.46"
