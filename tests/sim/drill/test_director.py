"""The director pauses, sends an inject now, skips one and resumes: spacing kept, each logged by name."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from core.clock import ManualClock
from dispatch.atlas import load_atlas
from dispatch.drill import load_scenario
from dispatch.drill.scenario_atlas import atlas_directory
from sim.drill.director import DirectorCommand, Verb, parse_command
from sim.drill.runner import DrillOptions, play
from tests.sim.drill.played import BUNDLED

STEP_S = 3.0  # wall seconds a beat; at 10x, 30 s of the drill


def test_pause_send_now_skip_and_resume_through_a_real_drill(tmp_path: Path) -> None:
    scenario = load_scenario(BUNDLED / "crowd_surge_event.yaml")
    commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
    commands.put_nowait(DirectorCommand(Verb.SKIP, "I04", "李导演"))
    wall = ManualClock()
    # Beat 20 ends at 10 min of the drill: pause; 20 beats (10 wall minutes) later send I05 now; resume.
    script = {20: "pause", 40: "send I05", 60: "resume"}
    beats = 0

    def on_beat() -> None:
        nonlocal beats
        beats += 1
        wall.advance(STEP_S)
        if beats in script:
            command = parse_command(script[beats], by="李导演")
            assert isinstance(command, DirectorCommand)
            commands.put_nowait(command)

    replies: list[str] = []
    options = DrillOptions(
        speed=10, wall=wall, beat_s=0.002, on_beat=on_beat, announce=replies.append, settle=True,
        director=commands,
    )  # fmt: skip
    db = tmp_path / "drill.sqlite3"
    result = asyncio.run(play(scenario, load_atlas(atlas_directory(scenario)), db, options))
    assert "I04" not in result.fired
    assert result.fired["I05"] == 600.0  # sent at once, while paused
    # After the long pause the next inject comes at its own time (14 min), not in a burst at resume.
    assert result.fired["I03"] == 840.0
    conn = sqlite3.connect(db)
    try:
        director = conn.execute(
            "SELECT scenario_s, how, inject, by FROM drill_log WHERE kind = 'director' ORDER BY id"
        ).fetchall()
        sent = conn.execute(
            "SELECT how, by FROM drill_log WHERE inject = 'I05' AND kind = 'event'"
        ).fetchall()
    finally:
        conn.close()
    assert director == [
        (0.0, "skip", "I04", "李导演"),
        (600.0, "pause", "", "李导演"),
        (600.0, "send", "I05", "李导演"),
        (600.0, "resume", "", "李导演"),
    ]
    assert sent == [("sent_now", "李导演")]
    assert any("send I05" in reply for reply in replies)


@given(st.text(max_size=60))
def test_any_line_typed_is_a_command_or_a_reply_never_an_error(line: str) -> None:
    parsed = parse_command(line)
    assert isinstance(parsed, DirectorCommand | str)
    if isinstance(parsed, DirectorCommand) and parsed.verb in (Verb.SEND, Verb.SKIP):
        assert parsed.inject == line.split()[1]


def test_the_director_moves_an_inject_and_sends_a_call_again_each_logged(tmp_path: Path) -> None:
    """Editing the list live: I02 (a camera scene at 8 min) moved to 12 min, the caller of I03 ringing
    again four minutes after the first call, a unit's scripted report refused a repeat."""
    scenario = load_scenario(BUNDLED / "crowd_surge_event.yaml")
    commands: asyncio.Queue[DirectorCommand] = asyncio.Queue()
    for line in ("move I02 12m", "again I03 18m"):
        command = parse_command(line, by="李导演")
        assert isinstance(command, DirectorCommand)
        commands.put_nowait(command)
    wall = ManualClock()

    def on_beat() -> None:
        wall.advance(STEP_S)

    replies: list[str] = []
    options = DrillOptions(
        speed=10, wall=wall, beat_s=0.002, on_beat=on_beat, announce=replies.append, settle=True,
        director=commands,
    )  # fmt: skip
    db = tmp_path / "drill.sqlite3"
    result = asyncio.run(play(scenario, load_atlas(atlas_directory(scenario)), db, options))

    assert result.fired["I02"] == 720.0  # at its new time, not at 8 min
    assert result.fired["I03"] == 840.0
    assert result.fired["I03-2"] == 1080.0
    conn = sqlite3.connect(db)
    try:
        director = conn.execute(
            "SELECT how, inject, by, detail FROM drill_log WHERE kind = 'director' ORDER BY id"
        ).fetchall()
        calls = conn.execute(
            "SELECT inject, how FROM drill_log WHERE kind = 'call' AND inject LIKE 'I03%' ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    assert director == [
        ("move", "I02", "李导演", "→ +0:12:00"),
        ("again", "I03", "李导演", "I03-2 at +0:18:00"),
    ]
    # Each ring is logged by the (simulated) intake officer as a call of its own.
    assert calls.count(("I03-2", "logged")) == 1
    assert calls.count(("I03", "logged")) == 1


@given(st.text(max_size=60))
def test_a_time_typed_for_move_or_again_is_a_time_or_a_reply(line: str) -> None:
    parsed = parse_command(f"move I05 {line}")
    if isinstance(parsed, DirectorCommand):
        assert parsed.at_s is not None
        assert 0 <= parsed.at_s <= 7 * 24 * 3600
    parsed = parse_command(f"again I05 {line}")
    assert isinstance(parsed, DirectorCommand | str)
