"""Any row the store can hold, however wrong, costs discovery, the report inbox or the card sweep one failed
item at most: the pass never raises, moves past every row, and a good row behind the bad ones still goes
through (hypothesis-generated event columns, report bodies and case columns)."""

from __future__ import annotations

import contextlib
import errno
import math
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dispatch.casework.jobs import Job
from dispatch.casework.model import Action, Card
from dispatch.casework.records.discovery import CURSOR_KEY as DISCOVERY_CURSOR
from dispatch.casework.records.failures import failed_items, is_environment_fault
from dispatch.casework.records.inbox import CURSOR_KEY as INBOX_CURSOR
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.supervision import sweep_cards
from dispatch.feed.orders_wire import Report
from tests.dispatch.casework.policies import DISPATCHER, HOUR, LEAD, MONDAY_9, Loop, act, new_case, open_loop

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# What a column of SQLite can hold: integers in its range, any float (NaN is stored as NULL), text, blobs.
stored = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.binary(max_size=20),
)
times = st.one_of(
    st.floats(min_value=-1e18, max_value=1e18),  # far beyond year 1 and year 9999
    st.sampled_from([-62_135_596_800.0, 253_402_300_799.0, 0.0, MONDAY_9]),
    stored,
)

EVENT_COLUMNS = (
    "occurred_at",
    "category",
    "severity",
    "title",
    "lon",
    "lat",
    "grid",
    "exercise",
    "cancelled",
)


def cursor(loop: Loop, key: str) -> int:
    row = loop.conn.execute("SELECT value FROM loop_state WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def put_row(loop: Loop, event_id: str, values: dict[str, object]) -> int:
    columns = {
        "source": "grid", "event_id": event_id, "revision": 1, "feed": "test", "seq": 1,
        "received_at": MONDAY_9, "payload": "{}", "occurred_at": MONDAY_9, "category": "manhole_cover",
        "severity": 3, "title": "井盖缺失", "lon": 114.3, "lat": 30.6, "grid": "339901001001",
        "exercise": 0, "cancelled": 0, **values,
    }  # fmt: skip
    # occurred_at is NOT NULL (and SQLite stores NaN as NULL): such a row cannot be in a store.
    at = columns["occurred_at"]
    if at is None or (isinstance(at, float) and math.isnan(at)):
        columns["occurred_at"] = MONDAY_9
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    cur = loop.conn.execute(f"INSERT INTO events ({names}) VALUES ({marks})", tuple(columns.values()))
    assert cur.lastrowid is not None
    return cur.lastrowid


@SETTINGS
# Found by this test: the C library answers a time past year 2^31 with OSError (EOVERFLOW), not ValueError.
@example(rows=[{"occurred_at": 6.77680361916768e16}])
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {}, optional={name: (times if name == "occurred_at" else stored) for name in EVENT_COLUMNS}
        ),
        min_size=1,
        max_size=6,
    )
)
def test_discovery_takes_every_row_or_sets_it_aside_and_goes_on(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, object]]
) -> None:
    loop = open_loop(tmp_path_factory.mktemp("poison") / "store.sqlite3")
    try:
        ids = [put_row(loop, f"bad-{i}", row) for i, row in enumerate(rows)]
        good = put_row(loop, "good", {})
        result = loop.discovery.run_once()
        assert cursor(loop, DISCOVERY_CURSOR) == good
        assert loop.conn.execute("SELECT count(*) FROM case_events WHERE event_id = 'good'").fetchone() == (
            1,
        )
        failed = {f.item for f in failed_items(loop.conn) if f.job is Job.DISCOVERY}
        assert failed == {str(i) for i in result.failed}
        assert failed <= {str(i) for i in ids}
        # The next pass finds nothing new and tries nothing again.
        again = loop.discovery.run_once()
        assert (again.read, again.failed) == (0, [])
        assert loop.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        loop.close()


# Report bodies: bytes of any kind, JSON of any shape, and well-formed reports with hostile fields.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
report_like = st.fixed_dictionaries(
    {
        "order_id": st.one_of(st.just("ORDER"), st.text(max_size=10), json_values),
        "unit": st.one_of(st.just("U-1"), st.text(max_size=10), json_values),
        "action": st.one_of(st.sampled_from(["sign", "progress", "handled", "return_request"]), json_values),
        "at": st.one_of(
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
            st.text(max_size=25),
            json_values,
        ),
    },
    optional={"note": json_values, "photos": json_values},
)
bodies = st.one_of(
    st.binary(max_size=40),
    st.text(max_size=40),
    json_values.map(lambda v: msgspec.json.encode(v).decode()),
    report_like.map(lambda v: msgspec.json.encode(v).decode()),
)


@pytest.fixture(scope="module")
def dispatched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store with one case dispatched to U-1, copied for each example."""
    path = tmp_path_factory.mktemp("inbox") / "template.sqlite3"
    loop = open_loop(path)
    case = new_case(loop)
    act(loop, case.id, Action.REGISTER, LEAD)
    act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-1")
    (order,) = [r[0] for r in loop.conn.execute("SELECT order_id FROM outbox")]
    loop.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    loop.close()
    return path, order


@SETTINGS
@given(raw=st.lists(bodies, min_size=1, max_size=5))
def test_the_inbox_applies_every_report_or_sets_it_aside_and_goes_on(
    tmp_path_factory: pytest.TempPathFactory, dispatched: tuple[Path, str], raw: list[str | bytes]
) -> None:
    template, order = dispatched
    path = tmp_path_factory.mktemp("inbox") / "store.sqlite3"
    path.write_bytes(template.read_bytes())
    loop = open_loop(path)
    try:
        for body in raw:
            body = body.replace("ORDER", order) if isinstance(body, str) else body
            loop.conn.execute(
                "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('t', 1, ?, ?)",
                (body, MONDAY_9),
            )
        good = Report(order, "U-1", "sign", datetime.fromtimestamp(MONDAY_9 + 60, UTC))
        loop.conn.execute(
            "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES ('t', 2, ?, ?)",
            (msgspec.json.encode(good).decode(), MONDAY_9),
        )
        last = loop.conn.execute("SELECT max(id) FROM report_inbox").fetchone()[0]
        results = apply_inbox(loop.desk)
        assert cursor(loop, INBOX_CURSOR) == last
        failed = [f for f in failed_items(loop.conn) if f.job is Job.REPORTS]
        assert len(results) + len(failed) == len(raw) + 1
        # The good report is on the record (applied, or refused when a generated one moved the case first).
        recorded = loop.conn.execute(
            "SELECT count(*) FROM unit_reports WHERE order_id = ? AND unit = ? AND action = ? AND at = ?",
            (order, "U-1", "sign", MONDAY_9 + 60),
        ).fetchone()
        assert recorded == (1,)
        assert loop.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        loop.close()


CASE_COLUMNS_TO_SPOIL = (
    "version", "category", "severity", "urgency", "area", "unit", "card", "manual_card", "resume_state",
    "handle_unit", "handle_budget_s", "handle_due", "yellow_at", "red_at", "exercise", "discovered_at",
)  # fmt: skip


@pytest.fixture(scope="module")
def two_dispatched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two cases dispatched at 09:00 on the test calendar (4 working hours: the light is due at 11:48)."""
    path = tmp_path_factory.mktemp("cards") / "template.sqlite3"
    loop = open_loop(path)
    for name in ("spoiled", "sound"):
        case = new_case(loop, name, lon=114.3 if name == "spoiled" else 114.6)
        act(loop, case.id, Action.REGISTER, LEAD)
        act(loop, case.id, Action.DISPATCH, DISPATCHER, unit="U-1")
    loop.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    loop.close()
    return path


@SETTINGS
@given(spoil=st.dictionaries(st.sampled_from(CASE_COLUMNS_TO_SPOIL), stored, min_size=1, max_size=4))
def test_the_card_sweep_raises_every_card_it_can_and_sets_the_rest_aside(
    tmp_path_factory: pytest.TempPathFactory, two_dispatched: Path, spoil: dict[str, object]
) -> None:
    path = tmp_path_factory.mktemp("cards") / "store.sqlite3"
    path.write_bytes(two_dispatched.read_bytes())
    loop = open_loop(path)
    try:
        for column, value in spoil.items():
            # A NOT NULL column refuses None: a store cannot hold that row.
            with contextlib.suppress(sqlite3.IntegrityError):
                loop.conn.execute(f"UPDATE cases SET {column} = ? WHERE id = 1", (value,))
        result = sweep_cards(loop.desk, MONDAY_9 + 3 * HOUR)
        assert loop.desk.get(2).card == Card.YELLOW_LIGHT
        failed = [f.item for f in failed_items(loop.conn) if f.job is Job.SUPERVISION]
        assert failed == [str(i) for i in result.failed]
        assert set(failed) <= {"1"}
        # Set aside, it is left alone by the next sweeps.
        assert sweep_cards(loop.desk, MONDAY_9 + 3 * HOUR).failed == []
        assert loop.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        loop.close()


def _raised(job: Callable[[], object]) -> BaseException:
    with pytest.raises((sqlite3.Error, OverflowError, ValueError, OSError)) as caught:
        job()
    return caught.value


def test_a_row_s_fault_is_set_aside_and_a_store_s_fault_stops_the_job(tmp_path: Path) -> None:
    """Real errors: what one row raises through SQL is the item's; a lock, a closed connection are not."""
    path = tmp_path / "store.sqlite3"
    loop = open_loop(path)
    other = sqlite3.connect(path, timeout=0)
    try:
        malformed = _raised(lambda: loop.conn.execute("SELECT json_extract('not json', '$.a')").fetchone())
        overflow = _raised(lambda: loop.conn.execute("SELECT ?", (2**64,)))
        other.execute("BEGIN IMMEDIATE")
        locked = _raised(lambda: sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE"))
        other.execute("ROLLBACK")
        closed_conn = sqlite3.connect(path)
        closed_conn.close()
        closed = _raised(lambda: closed_conn.execute("SELECT 1"))
    finally:
        other.close()
        loop.close()
    too_far = _raised(lambda: datetime.fromtimestamp(6.77680361916768e16, UTC))
    assert [is_environment_fault(e) for e in (malformed, overflow, too_far)] == [False, False, False]
    assert is_environment_fault(OSError(errno.ENOSPC, "No space left on device"))
    assert [is_environment_fault(e) for e in (locked, closed)] == [True, True]
