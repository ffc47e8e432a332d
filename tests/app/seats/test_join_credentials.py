"""A cockpit joining a centre whose hub has users and TLS: with its credentials file it joins; with a wrong
password it says so in one line and exits 1, before any window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.seats.join import SeatJoin, open_seat_loop
from cli.main import main
from sim.nats_hub import nats_server
from tests.dispatch.seats.securing import CENTRE, CONSOLE, Deployment, deploy, needs_nats_server

pytestmark = pytest.mark.slow


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[tuple[Deployment, str]]:
    needs_nats_server()
    deployment = deploy(tmp_path / "deployment")
    with nats_server(tmp_path / "store", config=deployment.config) as url:
        yield deployment, url


def test_a_console_joins_with_its_credentials_file(deployed: tuple[Deployment, str], tmp_path: Path) -> None:
    deployment, url = deployed
    seat = open_seat_loop(
        SeatJoin((url,), CONSOLE, CENTRE, deployment.credentials(CONSOLE)), tmp_path / "a.db"
    )
    try:
        assert seat.status.online
    finally:
        seat.close()


def test_a_wrong_password_is_one_line_and_exit_1(
    deployed: tuple[Deployment, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment, url = deployed
    good = (deployment.out / f"{CONSOLE}.toml").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(good.replace('password = "', 'password = "not-'), encoding="utf-8")
    (tmp_path / "ca.pem").write_bytes((deployment.out / "ca.pem").read_bytes())
    argv = ["--hub", url, "--seat", CONSOLE, "--centre", CENTRE, "--hub-credentials", str(wrong),
            "--db", str(tmp_path / "seat.sqlite3")]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot join the centre: the hub refused the seat's user 'east-1': authorization violation" in err
