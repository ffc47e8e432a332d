"""Replay: a recorded real period plays again into a drill store through a real server and intake, on the
exercise clock; the real store is only read, byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.drill.replay_period import Period, open_recorded, read_period
from dispatch.drill.review import read_review
from sim.drill.director import DirectorCommand, Verb
from sim.drill.replay import ReplayOptions, ReplayResult, replay
from tests.sim.drill.recorded import MIN, T0, Recorded, record_real_store

STEP_S = 2.0  # wall seconds a beat; at 10x twenty seconds of the period


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record_real_store(tmp_path_factory.mktemp("real") / "real.sqlite3")


def _digest(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.iterdir())}


def _period(real: Path, start_min: float, end_min: float) -> Period:
    conn = open_recorded(real)
    try:
        return read_period(conn, T0 + start_min * MIN, T0 + end_min * MIN)
    finally:
        conn.close()


def _replay(period: Period, out: Path, pause_at_beat: int | None = None) -> ReplayResult:
    wall = ManualClock(T0 + 86_400)  # the replay runs a day later; its rows carry the period's times
    commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
    beats = [0]

    def on_beat() -> None:
        beats[0] += 1
        if beats[0] == pause_at_beat:
            commands.put_nowait(DirectorCommand(Verb.PAUSE, by="导演 li"))
        if pause_at_beat is not None and beats[0] == pause_at_beat + 30:
            commands.put_nowait(DirectorCommand(Verb.RESUME, by="导演 li"))
        wall.advance(STEP_S)

    options = ReplayOptions(
        speed=10, wall=wall, beat_s=0.002, on_beat=on_beat, announce=lambda _: None, settle=True,
        director=commands,
    )  # fmt: skip
    return asyncio.run(replay(period, out, options))


def test_a_period_replays_into_a_drill_store_flagged_exercise_with_the_real_actions(
    recorded: Recorded, tmp_path: Path
) -> None:
    before = _digest(recorded.path)
    out = tmp_path / "replay.sqlite3"
    result = _replay(_period(recorded.path, 0, 20), out)
    assert _digest(recorded.path) == before
    assert result.fed
    assert (result.events, result.metrics, result.applied) == (3, 10, 4)
    assert not result.refused
    assert not result.unmatched
    conn = sqlite3.connect(out)
    try:
        for table in ("events", "cases", "audit", "outbox"):
            assert {row[0] for row in conn.execute(f"SELECT DISTINCT exercise FROM {table}")} == {1}, table
        assert [row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY id")] == [
            "wl-1", "wl-1", "rd-2",
        ]  # fmt: skip
        labels = [row[0].replace(" ", "") for row in conn.execute("SELECT labels FROM metrics")]
        assert len(labels) == 10
        assert all('"exercise":"true"' in label for label in labels)
        # The people's actions, by the same people, at the times they had in real life (within a beat).
        acted = conn.execute(
            "SELECT action, actor, role, at FROM audit WHERE role != 'system' ORDER BY id"
        ).fetchall()
        real = [a.value for minute, _, a, _ in recorded.done if minute < 20]
        assert [row[0] for row in acted] == real
        for (action, actor, _, at), (minute, _, _, _) in zip(acted, recorded.done, strict=False):
            assert abs(at - (T0 + minute * MIN)) <= STEP_S * 10, (action, actor)
        assert {row[1] for row in acted} == {"li", "wang"}
        # The review reads a replay as a drill: its timeline holds what was replayed and done.
        review = read_review(conn)
        kinds = {line.kind for line in review.timeline}
        assert {"event", "metric", "case_action"} <= kinds
        assert len(review.cases) == 2
    finally:
        conn.close()


def test_pause_keeps_the_spacing_of_the_real_period(recorded: Recorded, tmp_path: Path) -> None:
    out = tmp_path / "paused.sqlite3"
    # Paused after the third beat (one minute into the period) for thirty beats: an hour of the wall.
    result = _replay(_period(recorded.path, 0, 20), out, pause_at_beat=3)
    assert result.applied == 4
    conn = sqlite3.connect(out)
    try:
        acted = conn.execute("SELECT action, at FROM audit WHERE role != 'system' ORDER BY id").fetchall()
        logged = conn.execute("SELECT how, by FROM drill_log WHERE kind = 'director'").fetchall()
    finally:
        conn.close()
    for (action, at), (minute, _, _, _) in zip(acted, recorded.done, strict=False):
        # Nothing came in a burst after the pause: each action at its own time in the period.
        assert abs(at - (T0 + minute * MIN)) <= STEP_S * 10, action
    assert logged == [("pause", "导演 li"), ("resume", "导演 li")]


def test_an_action_on_a_case_opened_before_the_period_finds_its_case(
    recorded: Recorded, tmp_path: Path
) -> None:
    # From minute 4: wl-1 arrived at minute 1 and was registered at 3, its dispatch comes at 6. The case
    # is brought to where it stood at the start (its event and registration then), so the dispatch holds.
    period = _period(recorded.path, 4, 14)
    assert next(e.at_s for e in period.events if e.event_id == "wl-1") == 0.0
    result = _replay(period, tmp_path / "late.sqlite3")
    assert (result.applied, result.refused, result.unmatched) == (4, [], [])
    conn = sqlite3.connect(tmp_path / "late.sqlite3")
    try:
        acted = conn.execute("SELECT action, at FROM audit WHERE role != 'system' ORDER BY id").fetchall()
    finally:
        conn.close()
    assert [a for a, _ in acted] == ["register", "dispatch", "register", "dispatch"]
    assert acted[0][1] - (T0 + 4 * MIN) <= STEP_S * 10  # the earlier registration, at the start
