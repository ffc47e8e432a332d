"""Firing rules become intake events: one per firing, cleared on resolution, never a flood."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.casework.policy import EpisodeRule
from dispatch.casework.records import episodes
from dispatch.feed.protocol import Rejected, decode_event, encode_event_object
from dispatch.vitals.alerts import SOURCE, alarm_event, device
from dispatch.vitals.rules import AlertRule, AlertState, RuleKind, SeriesKey, Transition
from tests.dispatch.casework.policies import POLICY, open_loop, put_event
from tests.dispatch.vitals.drive import drive

RULE = AlertRule(
    "水位超警", "water_level_max", RuleKind.THRESHOLD, 4.0, recovery=3.8, for_s=60.0, keep_firing_s=600.0,
    level=2,
)  # fmt: skip


def events(walk):
    steps = drive(RULE, walk)
    return [(s.at, e) for s in steps for t in s.transitions if (e := alarm_event(RULE, t)) is not None]


def test_a_firing_rule_raises_one_event_the_intake_accepts_and_its_resolution_clears_it():
    raised = events([(10, 4.3), (60, 4.4), (60, 3.7), (600, 3.7)])
    assert [e.cleared for _, e in raised] == [False, True]
    fire, clear = (e for _, e in raised)
    assert fire.source == SOURCE
    assert fire.severity == 2
    assert fire.device == clear.device
    assert fire.id != clear.id
    facts = json.loads(fire.description or "")
    assert facts["rule"] == "水位超警"
    assert (facts["value"], facts["threshold"], facts["state"]) == (4.4, 4.0, "firing")
    for event in (fire, clear):
        fields = {k: v for k, v in msgspec.to_builtins(event).items() if v is not None}
        assert not isinstance(decode_event(encode_event_object(fields), 0), Rejected)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(min_value=1.0, max_value=120.0), st.sampled_from([3.0, 3.9, 4.0, 4.5])),
        max_size=120,
    )
)
def test_a_flapping_level_never_floods_the_queue(walk):
    raised = events(walk)
    fired = [at for at, e in raised if not e.cleared]
    assert all(b - a >= RULE.keep_firing_s for a, b in itertools.pairwise(fired))
    # Alarms and clearings alternate, all about one device: the episode folds them into one case.
    assert [e.cleared for _, e in raised] == [n % 2 == 1 for n in range(len(raised))]
    assert {e.device for _, e in raised} <= {device_of_series()}
    assert len({e.id for _, e in raised}) == len(raised)


def device_of_series() -> str:
    return "水位超警|water_level_max|339901"


def test_a_city_wide_series_has_no_area_in_its_device_or_title():
    went = Transition(
        "热线激增", SeriesKey("hotline_calls_per_hour"), AlertState.PENDING, AlertState.FIRING, 1.0, 1300.0,
        1300.0, 1200.0, float("nan"),
    )  # fmt: skip
    event = alarm_event(RULE, went)
    assert event is not None
    assert event.device == device(went) == "热线激增|hotline_calls_per_hour|*"
    assert event.title == "热线激增 · hotline_calls_per_hour"
    assert json.loads(event.description or "")["trend_per_hour"] is None


def test_a_flapping_gauge_makes_one_case_and_its_resolution_proposes_clearing(tmp_path):
    """Through the desk's real discovery on a real store: the vitals events of one rule and gauge fold
    into one case (vitals a machine source in the policy's episodes); the last clearing proposes 自动消警."""
    policy = replace(POLICY, episodes=EpisodeRule(sources=frozenset({"iot", "video_ai", SOURCE})))
    loop = open_loop(tmp_path / "store.sqlite3", policy=policy)
    try:
        walk = [(10, 4.3), (60, 4.4), (60, 3.7), (600, 3.7), (30, 4.5), (60, 4.5), (60, 3.0), (600, 3.0)]
        raised = events(walk)
        assert [e.cleared for _, e in raised] == [False, True, False, True]
        for _, event in raised:
            row = put_event(
                loop.conn, event.id, at=event.occurred_at.timestamp(), source=event.source,
                category=event.category, severity=event.severity, title=event.title,
                description=event.description or "", lon=None, lat=None, address="",
            )  # fmt: skip
            loop.conn.execute(
                "UPDATE events SET payload = ? WHERE id = ?",
                (json.dumps({"device": event.device, "cleared": event.cleared}), row),
            )
        while loop.discovery.run_once(limit=10).read:
            pass
        cases = {
            r[0] for r in loop.conn.execute("SELECT case_id FROM case_events WHERE source = ?", (SOURCE,))
        }
        assert len(cases) == 1
        assert episodes.pending_clearing(loop.conn) == list(cases)
    finally:
        loop.close()
