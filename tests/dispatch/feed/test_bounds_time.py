"""Received times must lie in the policy's window around the clock; any other time costs its frame only."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.casework.policy import PolicyError, TimeWindow
from dispatch.casework.policy_file import default_policy_path, load_policy, parse_policy
from dispatch.feed.intake import Intake
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.values import QuarantineReason
from dispatch.store.write_items import EventItem, MetricItem, QuarantineItem, ReportItem, WriteItem
from tests.dispatch.cap_samples import ORIGINAL_ID, ORIGINAL_SENT, SENDER, cap_xml

R = QuarantineReason
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
DEFAULT = TimeWindow()


def utc_seconds(moment: datetime) -> float:
    """Seconds since the epoch, counted on the wall-clock fields and the offset, never through UTC."""
    offset = moment.utcoffset()
    assert offset is not None
    return ((moment.replace(tzinfo=None) - datetime(1970, 1, 1)) - offset).total_seconds()


def inside(moment: datetime, window: TimeWindow, ahead: float | None = None) -> bool:
    now = NOW.timestamp()
    return now - window.back_s <= utc_seconds(moment) <= now + (window.ahead_s if ahead is None else ahead)


def feed(frames: list[str], window: TimeWindow = DEFAULT) -> list[WriteItem]:
    items: list[WriteItem] = []
    intake = Intake(items.append, ManualClock(NOW.timestamp()), None, window)
    for frame in frames:
        intake.handle_frame(frame)
    return items


def event_frame(seq: int, occurred_at: str) -> str:
    body = {"id": f"e{seq}", "source": "iot", "category": "aqi", "title": "t", "severity": 2,
            "occurred_at": occurred_at}  # fmt: skip
    return json.dumps({"type": "event", "seq": seq, "event": body})


def cap_frame(seq: int, **fields: str) -> str:
    alert = {k: v for k, v in fields.items() if k in ("sent", "references", "msgType")}
    info = {k: v for k, v in fields.items() if k in ("effective", "onset", "expires")}
    return json.dumps({"type": "cap", "seq": seq, "xml": cap_xml(alert=alert, info=info)})


def verdict(items: list[WriteItem]) -> WriteItem:
    (item,) = items
    return item


def assert_bad_time(item: WriteItem, where: str, moment: datetime) -> None:
    assert isinstance(item, QuarantineItem)
    assert item.entry.reason is R.BAD_TIME
    assert where in item.entry.detail
    assert moment.isoformat() in item.entry.detail


offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
# Every representable moment, and many within two days of an edge of the window, where an off-by-one hides.
edges = st.sampled_from([-DEFAULT.back_s, DEFAULT.ahead_s, DEFAULT.cap_ahead_s])
near = st.builds(lambda edge, d: NOW + timedelta(seconds=edge + d), edges, st.floats(-2 * 86_400, 2 * 86_400))
moments = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    near.map(lambda m: m.replace(tzinfo=None)),
)
aware = st.builds(lambda m, tz: m.replace(tzinfo=tz), moments, offsets)


@settings(max_examples=400, deadline=None)
@given(aware)
def test_an_event_time_is_stored_inside_the_window_and_quarantined_outside(moment: datetime) -> None:
    item = verdict(feed([event_frame(1, moment.isoformat())]))

    if inside(moment, DEFAULT):
        assert isinstance(item, EventItem)
        assert item.decoded.event.occurred_at == moment
    else:
        assert_bad_time(item, "$.event.occurred_at", moment)
        assert item.seq == 1  # the cursor moves past it: it is not fetched again


@settings(max_examples=200, deadline=None)
@given(aware)
def test_a_metric_time_outside_the_window_is_quarantined(moment: datetime) -> None:
    frame = json.dumps(
        {"type": "metric", "seq": 4, "metric": {"name": "aqi", "value": 1, "at": moment.isoformat()}}
    )
    item = verdict(feed([frame]))

    if inside(moment, DEFAULT):
        assert isinstance(item, MetricItem)
    else:
        assert_bad_time(item, "$.metric.at", moment)


@settings(max_examples=200, deadline=None)
@given(aware)
def test_a_unit_report_time_outside_the_window_is_quarantined(moment: datetime) -> None:
    report = {"order_id": "20261207-1-1", "unit": "U-1", "action": "sign", "at": moment.isoformat()}
    item = verdict(feed([json.dumps({"type": "unit_report", "seq": 3, "report": report})]))

    if inside(moment, DEFAULT):
        assert isinstance(item, ReportItem)
    else:
        assert_bad_time(item, "$.report.at", moment)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["sent", "effective", "onset", "expires"]), aware)
def test_every_cap_time_is_bounded_and_scheduled_ones_may_lie_further_ahead(
    name: str, moment: datetime
) -> None:
    # The other times of the sample lie well inside; only the one drawn can put the alert outside.
    base = {"sent": "2026-12-07T07:00:00+08:00", "effective": "2026-12-07T07:00:00+08:00"}
    item = verdict(feed([cap_frame(9, **{**base, name: moment.isoformat()})]))

    ahead = DEFAULT.ahead_s if name == "sent" else DEFAULT.cap_ahead_s
    if inside(moment, DEFAULT, ahead):
        assert isinstance(item, EventItem)
    else:
        assert_bad_time(item, "alert/sent" if name == "sent" else f"alert/info[1]/{name}", moment)


def test_a_cap_reference_sent_long_ago_is_quarantined() -> None:
    at_edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(minutes=1439)))  # in year 0 in UTC
    references = f"{SENDER},{ORIGINAL_ID},{at_edge.isoformat()}"
    item = verdict(feed([cap_frame(2, sent=ORIGINAL_SENT, msgType="Update", references=references)]))
    assert_bad_time(item, "alert/references[1] sent", at_edge)


@pytest.mark.parametrize(
    ("text", "as_event", "as_cap"),
    [
        # Dates Python cannot hold: not a time at all.
        ("0000-01-01T00:00:00Z", R.INVALID_FIELDS, R.BAD_CAP),
        ("10000-01-01T00:00:00Z", R.INVALID_FIELDS, R.BAD_CAP),
        ("2026-02-30T08:00:00+08:00", R.INVALID_FIELDS, R.BAD_CAP),
        # Real dates whose UTC lies outside Python's years: converting them would raise OverflowError.
        ("9999-12-31T23:59:59-23:59", R.BAD_TIME, R.BAD_TIME),
        ("0001-01-01T00:00:00+23:59", R.BAD_TIME, R.BAD_TIME),
    ],
)
def test_times_beyond_python_dates_never_raise(
    text: str, as_event: QuarantineReason, as_cap: QuarantineReason
) -> None:
    event, cap = feed([event_frame(1, text), cap_frame(2, sent=text)])

    assert isinstance(event, QuarantineItem)
    assert isinstance(cap, QuarantineItem)
    assert (event.entry.reason, cap.entry.reason) == (as_event, as_cap)
    assert text in event.entry.detail or as_event is R.INVALID_FIELDS


def test_the_window_follows_the_clock_not_the_wall() -> None:
    # A drill or replay running on its own clock judges times against that clock.
    old = (NOW - timedelta(days=3650)).isoformat()
    assert isinstance(verdict(feed([event_frame(1, old)])), EventItem)
    soon, later = (NOW + timedelta(hours=23)).isoformat(), (NOW + timedelta(hours=25)).isoformat()
    assert isinstance(verdict(feed([event_frame(1, soon)])), EventItem)
    assert isinstance(verdict(feed([event_frame(1, later)])), QuarantineItem)


# --- the policy file -------------------------------------------------------------------------------------

MINIMAL = """\
calendar: {timezone: Asia/Shanghai, workdays: [mon], hours: ["08:00-17:00"]}
urgent_max_severity: 2
budgets:
  register: {"*": 10 minutes}
  sign: {"*": 10 minutes}
  handle: {"*": 10 minutes}
  check: {"*": 10 minutes}
"""


def test_the_demo_policy_uses_the_documented_window() -> None:
    window = load_policy(default_policy_path()).time_window
    assert window == TimeWindow(back_s=10 * 365.25 * 86_400, ahead_s=86_400, cap_ahead_s=30 * 86_400)
    assert parse_policy(MINIMAL, "p.yaml").time_window == window


def test_a_city_can_narrow_the_window() -> None:
    window = parse_policy(MINIMAL + "time_window: {back: 2 days, ahead: 5 minutes}\n", "p.yaml").time_window
    assert window == TimeWindow(back_s=2 * 86_400, ahead_s=300, cap_ahead_s=30 * 86_400)

    three_days_ago = (NOW - timedelta(days=3)).isoformat()
    assert isinstance(verdict(feed([event_frame(1, three_days_ago)])), EventItem)
    assert_bad_time(verdict(feed([event_frame(1, three_days_ago)], window)), "$.event.occurred_at",
                    NOW - timedelta(days=3))  # fmt: skip


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("time_window: {back: 10}", "time_window.back must be '<amount> <unit>'"),
        ("time_window: {back: 10 fortnights}", "time_window.back must be"),
        ("time_window: {ahead: -1 day}", "time_window.ahead must be"),
        ("time_window: {ahead: 0 days}", "time_window.ahead must be"),
        ("time_window: {back: 101 years}", "at most 100 years"),
        ("time_window: {back: nan years}", "time_window.back must be"),
        ("time_window: {ahead: 2 days, cap_ahead: 1 day}", "cap_ahead must not be shorter than ahead"),
        ("time_window: {behind: 1 day}", "unknown key 'behind' in time_window"),
    ],
)
def test_a_bad_window_names_its_line(entry: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(MINIMAL + entry + "\n", "p.yaml")
    assert str(caught.value).startswith("p.yaml:8: ")
    assert fragment in str(caught.value)


@pytest.mark.parametrize(("window", "stored"), [(None, True), (TimeWindow(back_s=2 * 86_400), False)])
def test_the_feed_pipeline_judges_times_by_the_policy_window(
    tmp_path: Path, window: TimeWindow | None, stored: bool
) -> None:
    # Without a window of its own the pipeline uses the shipped policy's, as the desk does.
    db = tmp_path / "s.sqlite3"
    pipeline = IntakePipeline(
        db_path=db, feed_url="ws://127.0.0.1:9/", clock=ManualClock(NOW.timestamp()), time_window=window
    )
    try:
        pipeline.intake.handle_frame(event_frame(1, (NOW - timedelta(days=3)).isoformat()))
        assert pipeline.flush(10)
    finally:
        asyncio.run(pipeline.close())
    with sqlite3.connect(db) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine)"
        ).fetchone()
    conn.close()
    assert counts == ((1, 0) if stored else (0, 1))


def window_or_error(text: str) -> TimeWindow | PolicyError:
    try:
        return parse_policy(text, "p.yaml").time_window
    except PolicyError as error:
        return error


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["back", "ahead", "cap_ahead"]), st.text(max_size=24))
def test_any_window_value_is_read_or_refused_with_its_line(key: str, value: str) -> None:
    outcome = window_or_error(MINIMAL + f"time_window:\n  {key}: {json.dumps(value)}\n")

    if isinstance(outcome, PolicyError):
        assert str(outcome).startswith("p.yaml:9: ")
    else:
        assert 0 < getattr(outcome, f"{key}_s") <= 100 * 365.25 * 86_400
