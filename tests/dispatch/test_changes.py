"""The change value and its tracker: which cases changed, how, and from where — counted once."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.casework.model import Action, Command
from dispatch.casework.records.changes import ChangeTracker
from dispatch.casework.records.commands import CaseDesk
from dispatch.changes import CasesChanged, Origin
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import LEAD, MONDAY_9, open_loop, put_event

rows = st.lists(st.tuples(st.integers(1, 10_000), st.integers(1, 50), st.sampled_from(["register", "close"])))


@given(rows, rows, st.sampled_from(list(Origin)), st.sampled_from(list(Origin)))
def test_merging_two_values_keeps_every_case_action_and_origin_and_the_later_mark(
    first: list[tuple[int, int, str]], second: list[tuple[int, int, str]], a: Origin, b: Origin
) -> None:
    one, two = CasesChanged.from_rows(0, first, a), CasesChanged.from_rows(0, second, b)
    both = one.merged(two)
    assert both.cases == {case for _, case, _ in first + second}
    assert both.actions == {action for _, _, action in first + second}
    assert both.mark == max([0] + [row for row, _, _ in first + second])
    assert bool(both) == bool(first or second)
    assert both.origins == ({a} if first else set()) | ({b} if second else set())


def test_a_tracker_credits_its_own_writes_to_its_origin_and_others_to_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    loop = open_loop(path, ManualClock(MONDAY_9))
    put_event(loop.db.conn, "e1", at=MONDAY_9)
    put_event(loop.db.conn, "e2", at=MONDAY_9, lon=114.5)
    loop.discovery.run_once(10)
    tracker = ChangeTracker(loop.db.conn)
    assert not tracker.collect_elsewhere()  # nothing since it started

    (first, _), (second, _) = loop.db.execute("SELECT id, version FROM cases ORDER BY id").fetchall()
    loop.desk.act(Command(first, 1, Action.REGISTER, LEAD))
    own = tracker.collect(Origin.CONSOLE)
    assert (own.cases, own.actions, own.origins) == ({first}, {"register"}, {Origin.CONSOLE})
    assert not tracker.collect(Origin.CONSOLE)  # counted once

    other = open_store(path)  # another console's connection on the same file
    try:
        CaseDesk(other.conn, loop.desk.timers, loop.clock).act(Command(second, 1, Action.REGISTER, LEAD))
    finally:
        other.close()
    elsewhere = tracker.collect_elsewhere()
    assert (elsewhere.cases, elsewhere.origins) == ({second}, {Origin.ELSEWHERE})
    assert not tracker.collect_elsewhere()
    loop.db.close()
