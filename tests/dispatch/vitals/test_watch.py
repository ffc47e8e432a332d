"""The vital signs on duty: committed readings in, alarms out to the intake, a refused one stops nothing."""

from __future__ import annotations

from core.clock import ManualClock
from dispatch.feed.protocol import Event
from dispatch.feed.values import MetricSample
from dispatch.vitals.alerts import SOURCE
from dispatch.vitals.rules import AlertRule, RuleKind
from dispatch.vitals.watch import VitalsWatch

HIGH = AlertRule("水位超警", "water_level_max", RuleKind.THRESHOLD, 4.0, recovery=3.8, keep_firing_s=300.0)
SURGE = AlertRule("热线激增", "hotline_calls_per_hour", RuleKind.THRESHOLD, 1200.0)


def reading(clock: ManualClock, name: str, value: float, district: str | None = None) -> MetricSample:
    labels = (("district", district), ("district_name", "老城区")) if district else ()
    return MetricSample(0, name, value, clock.now(), None, labels)


def test_readings_by_district_raise_one_alarm_each_and_a_clearing() -> None:
    clock = ManualClock()
    sent: list[Event] = []
    watch = VitalsWatch([HIGH, SURGE], clock, sent.append)
    watch.take(
        [
            reading(clock, "water_level_max", 4.2, "339901"),
            reading(clock, "water_level_max", 3.1, "339902"),
            reading(clock, "aqi", 300.0, "339901"),
            reading(clock, "hotline_calls_per_hour", 1500.0),
        ]
    )
    watch.beat()
    assert sorted(e.device or "" for e in sent) == [
        "水位超警|water_level_max|339901",
        "热线激增|hotline_calls_per_hour|*",
    ]
    assert {e.source for e in sent} == {SOURCE}
    for _ in range(6):  # the river falls back; keep-firing holds the alarm five minutes
        clock.advance(60)
        watch.take([reading(clock, "water_level_max", 3.5, "339901")])
        watch.beat()
    assert [e.cleared for e in sent if "339901" in (e.device or "")] == [False, True]
    assert watch.raised == 3


def test_an_event_the_intake_refuses_is_counted_and_the_rest_still_go_in() -> None:
    clock = ManualClock()
    sent: list[Event] = []

    def picky(event: Event) -> None:
        if event.device and event.device.startswith("水位"):
            raise ValueError("broken")
        sent.append(event)

    watch = VitalsWatch([HIGH, SURGE], clock, picky)
    watch.take(
        [reading(clock, "water_level_max", 4.2, "339901"), reading(clock, "hotline_calls_per_hour", 1500.0)]
    )
    watch.beat()
    assert (watch.refused, watch.raised, len(sent)) == (1, 1, 1)
