"""`python main.py seats follow`: a read-only replica of a centre (a wall's store), publishing nothing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from cli.main import main
from core.clock import ManualClock
from dispatch.casework.model import Action
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences, read_replica
from tests.dispatch.casework.policies import LEAD
from tests.dispatch.seats.seating import START, WAIT, act, event

pytestmark = pytest.mark.slow


def test_a_follower_keeps_the_same_replica_and_adds_nothing_to_the_log(
    hub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The follower applies with the centre's policy (the default one): so does the console here.
    console = SeatLoop(
        tmp_path / "a.sqlite3", load_policy(default_policy_path()), ManualClock(START), hub=[hub],
        centre="city", seat="a",
    )  # fmt: skip
    try:
        opened = [
            console.publish_event(event(f"e{n}", lon=114.0 + n / 100)).result(WAIT).opened for n in range(3)
        ]
        act(console, opened[0][0], Action.REGISTER, LEAD)
        before = console.caught_up().result(WAIT)
        wall = tmp_path / "wall.sqlite3"
        argv = ["seats", "follow", "--hub", hub, "--seat", "wall-1", "--centre", "city", "--db", str(wall)]
        assert main([*argv, "--once"]) == 0
        out = capsys.readouterr().out
        assert f"log sequence {before}" in out
        assert console.caught_up().result(WAIT) == before  # it published nothing
        assert read_replica(wall).applied == before
        assert differences(console.db_path, wall) == []
    finally:
        console.close()


def test_a_follower_without_a_hub_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, never listening
        url = f"nats://127.0.0.1:{taken.getsockname()[1]}"
        argv = [
            "seats",
            "follow",
            "--hub",
            url,
            "--seat",
            "w",
            "--db",
            str(tmp_path / "w.sqlite3"),
            "--once",
            "--timeout",
            "1",
        ]
        assert main(argv) == 1
    assert "cannot join the centre" in capsys.readouterr().err
