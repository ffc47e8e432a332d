"""The review's figures are judged again from the drill store's audit table and match the drill's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dispatch.drill.expectations import Outcome
from dispatch.drill.review import ReviewError, read_review
from dispatch.drill.review_model import STAGES, Rating, rating
from sim.drill.runner import DrillResult
from tests.sim.drill.played import SLOW, play_bundled


@pytest.fixture(scope="module")
def slow_drill(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DrillResult]:
    db = tmp_path_factory.mktemp("review") / "drill.sqlite3"
    return db, play_bundled("crowd_surge_event", db, step_s=3.0, pace=SLOW)


def test_verdicts_recomputed_from_the_audit_match_the_drills(slow_drill: tuple[Path, DrillResult]) -> None:
    db, result = slow_drill
    conn = sqlite3.connect(db)
    try:
        review = read_review(conn)
    finally:
        conn.close()
    mine = {v.expected.id: (v.outcome, v.done_at_s) for v in review.verdicts}
    theirs = {v.expected.id: (v.outcome, v.done_at_s) for v in result.verdicts}
    assert mine == theirs
    assert review.recorded == {key: outcome.value for key, (outcome, _) in mine.items()}
    assert mine["E02"][0] in (Outcome.LATE, Outcome.MISSED)
    assert review.contingencies == tuple(result.contingencies)
    assert "C01" in review.contingencies
    # Objective O2 holds only E02, which the slow officers did not meet in time.
    o2 = next(o for o in review.objectives if o.objective.id == "O2")
    assert o2.rating in (Rating.SOME, Rating.UNABLE)


def test_stage_times_are_the_audit_rows(slow_drill: tuple[Path, DrillResult]) -> None:
    db, _ = slow_drill
    conn = sqlite3.connect(db)
    try:
        review = read_review(conn)
        origin = review.origin
        for case in review.cases:
            for (_, action), ended in zip(STAGES, case.ended, strict=True):
                first = conn.execute(
                    "SELECT min(a.at) FROM audit a JOIN cases c ON c.id = a.case_id "
                    "WHERE c.code = ? AND a.action = ?",
                    (case.code, action.value),
                ).fetchone()[0]
                assert ended == (None if first is None else pytest.approx(first - origin))
        registered = [case.durations()[0] for case in review.cases]
        assert all(d is not None and d >= 0 for d in registered)
        roles = {r.role: r for r in review.roles}
        assert roles["dispatcher"].actions >= 1
        assert sum(r.expectations_met for r in review.roles) == len(review.strengths)
    finally:
        conn.close()


def test_a_store_without_a_drill_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "empty.sqlite3")
    with pytest.raises(ReviewError, match="holds no drill"):
        read_review(conn)
    conn.close()


def test_the_suggested_rating_follows_the_targets() -> None:
    def counts(met: int, late: int, missed: int) -> dict[Outcome, int]:
        base = dict.fromkeys(Outcome, 0)
        return {**base, Outcome.MET: met, Outcome.LATE: late, Outcome.MISSED: missed}

    assert rating(counts(3, 0, 0)) is Rating.PERFORMED
    assert rating(counts(2, 1, 0)) is Rating.SOME
    assert rating(counts(2, 0, 1)) is Rating.MAJOR
    assert rating(counts(0, 1, 1)) is Rating.UNABLE
    assert rating(counts(0, 0, 0)) is Rating.NOT_RATED
