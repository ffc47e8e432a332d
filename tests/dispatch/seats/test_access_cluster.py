"""A centre's three-node hub as deployed (docs/seats.md, Security): users, TLS for seats and between nodes."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from dispatch.seats.verify import differences
from sim.nats_hub import nats_cluster
from tests.dispatch.seats.seating import WAIT, event
from tests.dispatch.seats.securing import CONSOLE, WALL, deploy, needs_nats_server, seat

pytestmark = pytest.mark.slow
GREETING_S = 1.0


def test_a_console_and_a_wall_on_two_nodes_share_the_log_over_tls_routes(tmp_path: Path) -> None:
    needs_nats_server()
    deployment = deploy(tmp_path / "deployment", "--routes-tls")
    with nats_cluster(tmp_path / "hub", config=deployment.config) as nodes:
        # The nodes' routes speak TLS only: a line in clear gets no greeting (a route in clear greets
        # at once; this one waits for a TLS handshake, and closes the line after its TLS timeout).
        route = next(line for line in nodes[0].lines if "Listening for route connections on " in line)
        host, port = route.rsplit(" ", 1)[1].strip().rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=GREETING_S) as plain:
            try:
                greeting = plain.recv(4)
            except TimeoutError:
                greeting = b""
        assert greeting != b"INFO"
        # The console on the first node, the wall on the third: every entry crosses the routes.
        console = seat(nodes[0].url, tmp_path, CONSOLE, deployment.credentials(CONSOLE))
        try:
            assert console._hub.replicas == 3  # kept on every node
            for n in range(3):
                console.publish_event(event(f"e{n}", lon=114.0 + n / 100)).result(WAIT)
            last = console.caught_up().result(WAIT)
            wall = seat(nodes[2].url, tmp_path, WALL, deployment.credentials(WALL))
            try:
                assert wall.caught_up().result(WAIT) == last
                assert differences(console.db_path, wall.db_path) == []
            finally:
                wall.close()
        finally:
            console.close()
