"""A centre's hub with users and TLS for tests: certificates from trustme, files from `seats hub-config`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from cli.main import main
from core.clock import ManualClock
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.seats.credentials import HubCredentials, read_credentials
from dispatch.seats.seat import SeatLoop
from sim.nats_hub import in_ci, missing_reason
from tests.dispatch.seats.seating import START, WAIT

CENTRE = "city"
CONSOLE, WALL = "east-1", "wall-1"
DISTRICT, DISTRICT_CONSOLE = "jianghan", "jh-1"  # a district centre under the city, on the same hub


@dataclass(frozen=True, slots=True)
class Deployment:
    """What `seats hub-config` wrote for centre `city` (console east-1, wall wall-1; console jh-1 of the
    district jianghan on the same hub) and its CA."""

    out: Path
    ca: trustme.CA

    @property
    def config(self) -> Path:
        return self.out / "hub.conf"

    def credentials(self, user: str) -> HubCredentials:
        return read_credentials(self.out / f"{user}.toml")


def needs_nats_server() -> None:
    reason = missing_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI must run the seat tests, but {reason}")
        pytest.skip(reason)


def deploy(directory: Path, *extra: str) -> Deployment:
    """Certificates for 127.0.0.1 signed by a fresh CA, and the hub's files written by the command."""
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    directory.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(directory / "ca-source.pem"))
    issued.cert_chain_pems[0].write_to_path(str(directory / "hub-cert.pem"))
    issued.private_key_pem.write_to_path(str(directory / "hub-key.pem"))
    out = directory / "hub"
    argv = [
        "seats", "hub-config", "--centre", CENTRE, "--user", f"console:{CONSOLE}", "--user", f"wall:{WALL}",
        "--user", f"{DISTRICT}:console:{DISTRICT_CONSOLE}",
        "--cert", str(directory / "hub-cert.pem"), "--key", str(directory / "hub-key.pem"),
        "--ca", str(directory / "ca-source.pem"), "--out", str(out), *extra,
    ]  # fmt: skip
    assert main(argv) == 0
    return Deployment(out, ca)


def seat(
    url: str, directory: Path, name: str, credentials: HubCredentials, *, lead: bool = False
) -> SeatLoop:
    """A seat of centre `city` signed in as `credentials`, on the centre's policy (the default file's,
    as `seats follow` applies it)."""
    return SeatLoop(
        directory / f"{name}.sqlite3", load_policy(default_policy_path()), ManualClock(START), hub=[url],
        centre=CENTRE, seat=name, lead=lead, timeout=WAIT, credentials=credentials,
    )  # fmt: skip
