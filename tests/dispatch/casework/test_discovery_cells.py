"""Duplicate masters found by cell and time decide exactly as the scan of every master in the window did."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.geo import degrees_around, distance_m
from dispatch.casework.model import Action, Case
from dispatch.casework.policy import DuplicateRule
from dispatch.casework.records import clusters
from dispatch.casework.records.discovery import DiscoveryResult
from tests.dispatch.casework.policies import LEAD, MONDAY_9, POLICY, Loop, act, open_loop, put_event

# Radii from a few metres to kilometres: the widest box spans more cells than the look-up takes, and
# falls back to reading the masters by time alone.
CELLS_POLICY = dataclasses.replace(
    POLICY,
    duplicate_overrides=(
        ("fire_alarm", DuplicateRule(radius_m=300.0, window_s=7200.0)),
        ("air_quality", DuplicateRule(radius_m=5.0, window_s=21600.0)),
        ("hazardous_chemicals", DuplicateRule(radius_m=5000.0, window_s=7200.0)),
    ),
)
CATEGORIES = ["waterlogging", "fire_alarm", "air_quality", "hazardous_chemicals"]
# Where reports gather: a city, cell corners (a 0.01° cell's edges), both sides of 0° (CAST truncates
# towards zero), the antimeridian and near a pole (a box wider than four cells).
ANCHORS = [(114.30, 30.60), (114.0, 30.0), (114.005, 30.005), (0.0, 0.0), (-0.01, -0.01), (179.999, -45.0),
           (-73.99, 40.73), (10.0, 89.99)]  # fmt: skip


def scan_place(conn: sqlite3.Connection, case: Case, rule: DuplicateRule, now: float) -> int:
    """The look-up as it was before cells: every master of the category in the time window, boxed."""
    if case.lon is None or case.lat is None:
        return 0
    dlon, dlat = degrees_around(case.lat, rule.radius_m)
    rows = conn.execute(
        "SELECT m.case_id, m.lon, m.lat, m.discovered_at FROM duplicate_masters AS m "
        "JOIN cases AS c ON c.id = m.case_id "
        "WHERE m.category = ? AND m.exercise = ? AND m.discovered_at BETWEEN ? AND ? "
        "AND m.lon BETWEEN ? AND ? AND m.lat BETWEEN ? AND ? AND c.is_open = 1 AND m.case_id != ?",
        (case.category, int(case.exercise), case.discovered_at - rule.window_s,
         case.discovered_at + rule.window_s, case.lon - dlon, case.lon + dlon, case.lat - dlat,
         case.lat + dlat, case.id),
    ).fetchall()  # fmt: skip
    measured = [(distance_m(case.lon, case.lat, lon, lat), master_id, at) for master_id, lon, lat, at in rows]
    near = [m for m in measured if m[0] <= rule.radius_m]
    if not near:
        conn.execute(
            "INSERT INTO duplicate_masters (case_id, category, exercise, lon, lat, discovered_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (case.id, case.category, int(case.exercise), case.lon, case.lat, case.discovered_at),
        )
        return 0
    gap_m, master_id, master_at = min(near)
    conn.execute(
        "INSERT OR IGNORE INTO merge_proposals (case_id, candidate_id, distance_m, gap_s, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (case.id, master_id, gap_m, abs(case.discovered_at - master_at), now),
    )
    return 1


@dataclass(frozen=True)
class Report:
    """A report near an anchor (offsets up to ~2 km), at seconds after 09:00, as one of a few event ids
    (so also revisions of one event)."""

    anchor: int
    dlon: float
    dlat: float
    dt: float
    category: str
    source: str
    event: int


@dataclass(frozen=True)
class Void:
    """An officer voids a case (its master, if it was one, is no longer open)."""

    case_id: int


@dataclass(frozen=True)
class Run:
    """A discovery pass over what arrived."""


Step = Report | Void | Run
_step = st.one_of(
    st.builds(
        Report,
        st.integers(0, len(ANCHORS) - 1),
        st.floats(-0.02, 0.02),
        st.floats(-0.02, 0.02),
        st.floats(0, 10_800),
        st.sampled_from(CATEGORIES),
        st.sampled_from(["grid", "iot"]),
        st.integers(0, 12),
    ),
    st.builds(Void, st.integers(1, 40)),
    st.just(Run()),
)


def _play(loop: Loop, steps: list[Step]) -> list[tuple[int, int, int, int, int]]:
    revisions: dict[int, int] = {}
    results: list[tuple[int, int, int, int, int]] = []
    for i, step in enumerate([*steps, Run()]):
        if isinstance(step, Report):
            lon, lat = ANCHORS[step.anchor]
            revisions[step.event] = revisions.get(step.event, 0) + 1
            put_event(
                loop.conn, f"e{step.event}", revision=revisions[step.event], at=MONDAY_9 + step.dt,
                lon=lon + step.dlon, lat=lat + step.dlat, category=step.category, source=step.source,
                address=f"人民路{i % 3}号",
            )  # fmt: skip
        elif isinstance(step, Void):
            row = loop.conn.execute("SELECT is_open FROM cases WHERE id = ?", (step.case_id,)).fetchone()
            if row is not None and row[0]:
                act(loop, step.case_id, Action.VOID, LEAD, "误报")
        else:
            result: DiscoveryResult = loop.discovery.run_once()
            results.append(
                (len(result.opened), result.proposals, result.folded, result.linked, len(result.failed))
            )
    return results


def _store(loop: Loop) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "cases": "SELECT id, state, version, category, lon, lat, discovered_at FROM cases ORDER BY id",
        "masters": "SELECT * FROM duplicate_masters ORDER BY case_id",
        "proposals": "SELECT case_id, candidate_id, distance_m, gap_s FROM merge_proposals ORDER BY case_id",
        "links": "SELECT case_id, source, event_id, event_row FROM case_events ORDER BY case_id, event_row",
    }
    return {name: loop.conn.execute(sql).fetchall() for name, sql in queries.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_step, min_size=1, max_size=40))
@example(
    # Two reports in neighbouring cells (114.299… and 114.300…) 20 m apart: one master, one proposal.
    steps=[Report(0, -0.0001, 0.0, 0.0, "waterlogging", "grid", 1),
           Report(0, 0.0001, 0.0, 60.0, "waterlogging", "grid", 2)],
)  # fmt: skip
@example(
    # West of 0°, 110 m apart, both in cell 0 as CAST counts (it truncates, floor would say -1 for one).
    steps=[Report(3, -0.0045, 0.001, 0.0, "waterlogging", "grid", 1),
           Report(3, -0.0055, 0.001, 60.0, "waterlogging", "grid", 2)],
)  # fmt: skip
def test_cells_open_fold_link_and_propose_as_the_scan_of_every_master(
    tmp_path_factory: pytest.TempPathFactory, steps: list[Step]
) -> None:
    folder: Path = tmp_path_factory.mktemp("cells")
    cells, scan = (
        open_loop(folder / "cells.sqlite3", policy=CELLS_POLICY),
        open_loop(folder / "scan.sqlite3", policy=CELLS_POLICY),
    )
    try:
        by_cells = _play(cells, steps)
        with mock.patch.object(clusters, "place", scan_place):
            by_scan = _play(scan, steps)
        assert by_cells == by_scan
        assert _store(cells) == _store(scan)
    finally:
        cells.close()
        scan.close()


def test_the_look_up_reads_masters_through_the_cell_index(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    try:
        put_event(loop.conn, "a", at=MONDAY_9)
        loop.discovery.run_once()
        plan = loop.conn.execute(
            "EXPLAIN QUERY PLAN " + clusters._CELLS_SQL, ("c", 0, *range(8), 0, 1, 0, 1, 0, 1, 0)
        ).fetchall()
        assert any("duplicate_masters_cell" in row[-1] for row in plan), plan
    finally:
        loop.close()
