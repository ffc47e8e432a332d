"""Reading a period of a real store for a replay: for any time range, exactly what was recorded in it (and
what a case acted on in it needs from before), in order, at offsets inside the period."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.drill.replay_period import PeriodError, open_recorded, read_period
from tests.sim.drill.recorded import ACTIONS, EVENTS, MIN, READINGS, T0, Recorded, record_real_store


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record_real_store(tmp_path_factory.mktemp("real") / "real.sqlite3")


# Minutes around the recording (0 to 30), in quarter minutes so that edges fall on rows too.
minutes = st.integers(-40, 140).map(lambda quarter: quarter / 4)


@settings(max_examples=80, deadline=None)
@given(first=minutes, second=minutes)
def test_any_range_reads_exactly_what_was_recorded_in_it(
    recorded: Recorded, first: float, second: float
) -> None:
    start_min, end_min = sorted((first, second))
    if start_min == end_min:
        end_min += 0.25
    start, end = T0 + start_min * MIN, T0 + end_min * MIN
    conn = open_recorded(recorded.path)
    try:
        period = read_period(conn, start, end)
    finally:
        conn.close()

    def inside(minute: float) -> bool:
        return start_min <= minute < end_min

    # A case touched in the range — opened, revised (the loop's own rows) or acted on — is brought to where
    # it stood at the start: its earlier events and people's actions come first.
    acted = {event for minute, event, *_ in ACTIONS if inside(minute)}
    acted |= {event["id"] for minute, event in EVENTS if inside(minute)}
    # The people's actions in the range, after the earlier ones on the same cases.
    expected_actions = [
        (a.value, event) for minute, event, a, *_ in ACTIONS if event in acted and minute < end_min
    ]
    assert [(a.action.value, a.events[0][1]) for a in period.actions] == expected_actions
    # Events received in the range, after the earlier revisions of cases acted on in it (sent at once).
    earlier = [e["title"] for minute, e in EVENTS if minute < start_min and e["id"] in acted]
    expected_events = earlier + [e["title"] for minute, e in EVENTS if inside(minute)]
    assert [e.title for e in period.events] == expected_events
    assert [m.value for m in period.metrics] == [v for minute, v in READINGS if inside(minute)]
    for rows in (period.events, period.metrics, period.actions):
        offsets = [row.at_s for row in rows]
        assert offsets == sorted(offsets)
        assert all(0 <= at < end - start for at in offsets)
    assert period.empty == (not expected_events and not expected_actions and not period.metrics)
    assert period.unreadable == 0


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    conn = open_recorded(other)
    try:
        with pytest.raises(PeriodError, match="no events table"):
            read_period(conn, T0, T0 + MIN)
    finally:
        conn.close()


def test_rows_that_cannot_be_read_are_counted_and_the_rest_is_played(
    recorded: Recorded, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(recorded.path.read_bytes())
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE events SET payload = 'not json' WHERE event_id = 'rd-2'")
    conn.execute("UPDATE metrics SET labels = '[1' WHERE id = 1")
    conn.commit()
    conn.close()
    conn = open_recorded(copy)
    try:
        period = read_period(conn, T0, T0 + 20 * MIN)
    finally:
        conn.close()
    assert period.unreadable == 2
    assert [e.event_id for e in period.events] == ["wl-1", "wl-1"]
    assert len(period.metrics) == 9
