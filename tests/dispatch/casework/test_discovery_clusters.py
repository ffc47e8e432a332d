"""Duplicate clusters: a burst of reports at one place is one master with one proposal per report, not N²."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.geo import distance_m
from dispatch.casework.model import Action
from dispatch.casework.records.case_file import load_case_file
from dispatch.casework.records.clusters import migrate_duplicate_clusters
from tests.dispatch.casework.policies import (
    DISPATCHER,
    LAT,
    LEAD,
    LON,
    MONDAY_9,
    POLICY,
    Loop,
    act,
    open_loop,
    put_event,
)

RADIUS = POLICY.duplicates.radius_m
WINDOW = POLICY.duplicates.window_s


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    opened = open_loop(tmp_path / "store.sqlite3")
    yield opened
    opened.close()


def proposals(loop: Loop) -> list[tuple[int, int]]:
    return loop.conn.execute("SELECT case_id, candidate_id FROM merge_proposals ORDER BY case_id").fetchall()


def masters(loop: Loop) -> list[int]:
    return [r[0] for r in loop.conn.execute("SELECT case_id FROM duplicate_masters ORDER BY case_id")]


def test_a_burst_at_one_corner_is_one_cluster_with_one_proposal_per_report(loop: Loop) -> None:
    for i in range(60):
        put_event(
            loop.conn, f"flood-{i}", at=MONDAY_9 + i, lon=LON + (i % 7) * 1e-5, lat=LAT + (i % 5) * 1e-5
        )
    result = loop.discovery.run_once()
    assert len(result.opened) == 60
    assert result.proposals == 59
    assert masters(loop) == [1]
    assert proposals(loop) == [(case_id, 1) for case_id in range(2, 61)]
    # The officer sees every report of the burst on the master, and each report points at the master.
    master_file = load_case_file(loop.conn, 1)
    assert master_file is not None
    assert sorted(p.other_id for p in master_file.proposals) == list(range(2, 61))
    member_file = load_case_file(loop.conn, 30)
    assert member_file is not None
    assert [(p.other_id, p.master_id, p.possible) for p in member_file.proposals] == [(1, 1, True)]


def test_merging_a_report_into_its_master_leaves_the_rest_of_the_cluster_proposed(loop: Loop) -> None:
    for i in range(4):
        put_event(loop.conn, f"f{i}", at=MONDAY_9 + i)
    loop.discovery.run_once()
    member = loop.desk.get(2)
    act(loop, member.id, Action.MERGE, DISPATCHER, master_id=1)
    master_file = load_case_file(loop.conn, 1)
    assert master_file is not None
    assert sorted(p.other_id for p in master_file.proposals) == [3, 4]
    assert master_file.case.events_count == 2


def test_a_report_after_its_master_closed_starts_a_new_cluster(loop: Loop) -> None:
    put_event(loop.conn, "a", at=MONDAY_9)
    put_event(loop.conn, "b", at=MONDAY_9 + 60)
    loop.discovery.run_once()
    act(loop, 1, Action.VOID, LEAD, "误报")
    put_event(loop.conn, "c", at=MONDAY_9 + 120)
    put_event(loop.conn, "d", at=MONDAY_9 + 180)
    loop.discovery.run_once()
    assert proposals(loop) == [(2, 1), (4, 3)]
    assert masters(loop) == [1, 3]


# Reports of two categories scattered over a few hundred metres and two hours, in any order of arrival.
_report = st.tuples(
    st.floats(0, 7200),  # seconds after 09:00
    st.floats(-0.004, 0.004),  # ~±400 m east-west
    st.floats(-0.004, 0.004),  # ~±440 m north-south
    st.sampled_from(["manhole_cover", "waterlogging"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=st.lists(_report, min_size=1, max_size=40))
def test_every_report_is_a_master_or_proposed_into_one_master_within_the_rule(
    tmp_path_factory: pytest.TempPathFactory, reports: list[tuple[float, float, float, str]]
) -> None:
    loop = open_loop(tmp_path_factory.mktemp("clusters") / "store.sqlite3")
    try:
        for i, (dt, dlon, dlat, category) in enumerate(reports):
            put_event(loop.conn, f"r{i}", at=MONDAY_9 + dt, lon=LON + dlon, lat=LAT + dlat, category=category)
        result = loop.discovery.run_once()
        cases = {
            row[0]: row[1:]
            for row in loop.conn.execute("SELECT id, category, lon, lat, discovered_at FROM cases")
        }
        heads = set(masters(loop))
        pairs = proposals(loop)
        proposed = [case_id for case_id, _ in pairs]
        # Rows grow with the reports: one master row or one proposal per case, never both, never more.
        assert len(heads) + len(pairs) == len(cases) == len(reports)
        assert len(set(proposed)) == len(proposed)
        assert heads.isdisjoint(proposed)
        assert result.proposals == len(pairs)
        for case_id, master_id in pairs:
            assert master_id in heads
            category, lon, lat, at = cases[case_id]
            m_category, m_lon, m_lat, m_at = cases[master_id]
            assert category == m_category
            assert distance_m(lon, lat, m_lon, m_lat) <= RADIUS
            assert abs(at - m_at) <= WINDOW
        # A report that became a master had no earlier master of its kind within the rule.
        for head in heads:
            category, lon, lat, at = cases[head]
            for other in heads:
                if other < head and cases[other][0] == category and abs(cases[other][3] - at) <= WINDOW:
                    assert distance_m(lon, lat, cases[other][1], cases[other][2]) > RADIUS
    finally:
        loop.close()


def test_a_store_from_before_clusters_takes_its_open_unproposed_cases_as_masters(loop: Loop) -> None:
    put_event(loop.conn, "a", at=MONDAY_9)
    put_event(loop.conn, "b", at=MONDAY_9 + 60)
    put_event(loop.conn, "far", at=MONDAY_9 + 60, lon=LON + 0.05)
    put_event(loop.conn, "gone", at=MONDAY_9 + 60, lon=LON + 0.1)
    loop.discovery.run_once()
    act(loop, 4, Action.VOID, LEAD, "误报")
    # As the migration found it: no masters table yet; proposals written the old way.
    loop.conn.execute("DROP TABLE duplicate_masters")
    loop.conn.execute("BEGIN")
    migrate_duplicate_clusters(sqlite_utils.Database(loop.conn))
    loop.conn.execute("COMMIT")
    assert masters(loop) == [1, 3]
    put_event(loop.conn, "c", at=MONDAY_9 + 120)
    loop.discovery.run_once()
    assert proposals(loop) == [(2, 1), (5, 1)]
