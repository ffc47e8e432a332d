"""A centre's hub with users and TLS (docs/seats.md, Security): consoles write the log, walls only read it,
a wrong password or an untrusted hub is refused in words, and nothing goes over the wire in clear."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import nats
import nats.errors
import pytest
import trustme
from nats.js import api

from cli.main import main
from dispatch.casework.model import Action, CaseState
from dispatch.seats import catch_up
from dispatch.seats.access import inbox
from dispatch.seats.credentials import HubCredentials
from dispatch.seats.hub import HubUnavailable
from dispatch.seats.subjects import Centre
from dispatch.seats.verify import differences, read_replica
from sim.nats_hub import nats_server
from tests.dispatch.casework.policies import LEAD
from tests.dispatch.seats.seating import WAIT, act, case_on, event
from tests.dispatch.seats.securing import (
    CENTRE,
    CONSOLE,
    DISTRICT,
    DISTRICT_CONSOLE,
    WALL,
    Deployment,
    deploy,
    needs_nats_server,
    seat,
)  # fmt: skip

LOG = Centre(CENTRE)
ASK_S = 0.5  # a request the hub refuses is never answered: how long the wall's tries wait


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    needs_nats_server()
    return deploy(tmp_path_factory.mktemp("deployment"))


@pytest.fixture
def secure_hub(deployment: Deployment, tmp_path: Path) -> Iterator[str]:
    """A JetStream server started with the deployment's configuration (users, TLS required)."""
    with nats_server(tmp_path / "store", config=deployment.config) as url:
        yield url


def test_a_console_and_a_wall_share_the_log_over_tls(
    deployment: Deployment, secure_hub: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(catch_up, "DELTA_ENTRIES", 1)  # the leading console cuts a row delta a batch
    assert secure_hub.startswith("tls://")
    console = seat(secure_hub, tmp_path, CONSOLE, deployment.credentials(CONSOLE), lead=True)
    try:
        # The console may take the lease (its bucket, its key) and announce its term in the log.
        assert console.wait_status(lambda status: status.term is not None, WAIT).term is not None
        case_id = console.publish_event(event("e1")).result(WAIT).opened[0]
        assert act(console, case_id, Action.REGISTER, LEAD).state is CaseState.REGISTERED
        last = console.caught_up().result(WAIT)
        assert console.last_delta is not None
        console.last_delta.result(WAIT)  # the console may keep row deltas …
        wall = seat(secure_hub, tmp_path, WALL, deployment.credentials(WALL))
        try:
            assert wall.caught.deltas >= 1  # … and the wall may read them
            assert wall.caught_up().result(WAIT) == last
            assert case_on(wall, case_id).state is CaseState.REGISTERED
            assert differences(console.db_path, wall.db_path) == []
        finally:
            wall.close()
        # The wall's command line, with its credentials file: the same replica, nothing published.
        replica = tmp_path / "wall-cli.sqlite3"
        argv = [
            "seats", "follow", "--hub", secure_hub, "--seat", WALL, "--centre", CENTRE, "--db", str(replica),
            "--hub-credentials", str(deployment.out / f"{WALL}.toml"), "--once",
        ]  # fmt: skip
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert f"log sequence {last}" in out
        assert re.search(r"caught up \d+ entries by \d+ row deltas in [\d.]+ s", out), out
        assert read_replica(replica).applied == last
        assert console.caught_up().result(WAIT) == last
    finally:
        console.close()


async def _wall_tries_to_write(url: str, credentials: HubCredentials) -> tuple[int, list[str], list[str]]:
    """The wall's own NATS connection reads the log's last sequence (allowed), then tries every write;
    what it read, what the hub said, and what got through."""
    said: list[str] = []
    unread = asyncio.Event()  # both subscriptions refused

    async def heard(error: Exception) -> None:
        said.append(str(error))
        if sum("permissions violation for subscription" in line for line in said) == 2:
            unread.set()

    client = await nats.connect(
        url, user=credentials.user, password=credentials.password, tls=credentials.ssl_context(),
        error_cb=heard, allow_reconnect=False, inbox_prefix=inbox(credentials.user),
    )  # fmt: skip
    js = client.jetstream(timeout=ASK_S)
    # Allowed: answered, however busy the machine (ASK_S is for what is never answered).
    read = (await client.jetstream(timeout=WAIT).stream_info(LOG.stream)).state.last_seq
    command = json.dumps({"case_id": 1, "action": "close"}).encode()
    tries = {
        "a command": js.publish(LOG.case_subject(1), command, stream=LOG.stream),
        "a report": client.request(LOG.event_subject, b"{}", timeout=ASK_S),
        "another stream": js.add_stream(api.StreamConfig(name="WALL_OWN", subjects=["tianshu.city.log.>"])),
        "the stream deleted": js.delete_stream(LOG.stream),
        "the stream purged": js.purge_stream(LOG.stream),
        "the lease written": js.publish(f"$KV.tianshu_{CENTRE}_lease.leader", b"wall-1"),
        "a row delta written": js.publish(f"$O.tianshu_{CENTRE}_deltas.C.wall", b"rows"),
    }
    try:
        # All at once (each waits ASK_S for an answer that never comes): the hub never answers a
        # request it did not let through.
        outcomes = await asyncio.gather(*tries.values(), return_exceptions=True)
        # Nor may it read the answers meant for the console (the lease's, its commands').
        await client.subscribe(f"{inbox(CONSOLE)}.>")
        await client.subscribe("_INBOX.>")
        with contextlib.suppress(TimeoutError):  # then the test says what was heard
            await asyncio.wait_for(unread.wait(), WAIT)
    finally:
        await client.close()
    refused = (nats.errors.TimeoutError, nats.errors.NoRespondersError)
    return (
        read,
        said,
        [what for what, outcome in zip(tries, outcomes, strict=True) if not isinstance(outcome, refused)],
    )


def test_a_wall_cannot_write_the_log_the_stream_or_the_lease(
    deployment: Deployment, secure_hub: str, tmp_path: Path
) -> None:
    console = seat(secure_hub, tmp_path, CONSOLE, deployment.credentials(CONSOLE))
    try:
        console.publish_event(event("e1")).result(WAIT)
        before = console.caught_up().result(WAIT)
        read, said, through = asyncio.run(_wall_tries_to_write(secure_hub, deployment.credentials(WALL)))
        assert read == before  # the wall's line works: what it may do, it does
        assert through == []
        refused = [line for line in said if "permissions violation for publish" in line]
        assert len(refused) == 7, said
        unread = [line for line in said if "permissions violation for subscription" in line]
        assert len(unread) == 2, said
        for subject in (
            LOG.case_subject(1), LOG.event_subject, f"$js.api.stream.delete.{LOG.stream}",
            f"$o.tianshu_{CENTRE}_deltas.c.wall",
        ):  # fmt: skip
            assert any(subject.lower() in line for line in refused), (subject, said)
        assert console.caught_up().result(WAIT) == before  # the log is unchanged
        assert console.publish_event(event("e2")).result(WAIT).seq == before + 1  # and still the console's
    finally:
        console.close()


def test_a_wall_cannot_start_a_centre(deployment: Deployment, secure_hub: str, tmp_path: Path) -> None:
    with pytest.raises(HubUnavailable, match=r"this seat may not create it .*a console must join first"):
        seat(secure_hub, tmp_path, WALL, deployment.credentials(WALL))


def test_a_wrong_password_is_refused_in_words(
    deployment: Deployment, secure_hub: str, tmp_path: Path
) -> None:
    good = deployment.credentials(CONSOLE)
    wrong = HubCredentials(good.user, good.password + "x", good.ca)
    with pytest.raises(HubUnavailable, match="refused the seat's user 'east-1': authorization violation"):
        seat(secure_hub, tmp_path, CONSOLE, wrong)


def test_a_hub_the_seat_does_not_trust_is_refused_in_words(
    deployment: Deployment, secure_hub: str, tmp_path: Path
) -> None:
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    good = deployment.credentials(CONSOLE)
    with pytest.raises(HubUnavailable, match="certificate is not trusted by this seat"):
        seat(secure_hub, tmp_path, CONSOLE, HubCredentials(good.user, good.password, stranger))
    # Without a CA of its own the seat trusts only the system's CAs: not the centre's either.
    with pytest.raises(HubUnavailable, match="certificate is not trusted by this seat"):
        seat(secure_hub, tmp_path, CONSOLE, HubCredentials(good.user, good.password))


def test_the_hub_refuses_a_client_in_clear(secure_hub: str) -> None:
    address = urlparse(secure_hub)
    with socket.create_connection((address.hostname, address.port), timeout=WAIT) as plain:
        with plain.makefile("rb") as reader:
            greeting = reader.readline()
        assert json.loads(greeting.split(b" ", 1)[1])["tls_required"] is True
        plain.sendall(b'CONNECT {"user":"wall-1","pass":"x","verbose":false}\r\nPING\r\n')
        answer = plain.recv(100)
    assert b"PONG" not in answer  # never joined: the server closed the line


def test_a_seat_that_asks_for_tls_never_signs_in_in_clear(hub: str, tmp_path: Path) -> None:
    # A server without TLS (or someone in between striking it out): refused before the password goes.
    credentials = HubCredentials("east-1", "secret")
    tls_url = "tls://" + hub.removeprefix("nats://")
    with pytest.raises(HubUnavailable, match="does not use TLS"):
        seat(tls_url, tmp_path, CONSOLE, credentials)


async def _district_sends(url: str, credentials: HubCredentials) -> dict[str, bool]:
    """What a district console's connection may store in the city's log (levels): stored or not."""
    client = await nats.connect(
        url, user=credentials.user, password=credentials.password, tls=credentials.ssl_context(),
        error_cb=_ignore, allow_reconnect=False, inbox_prefix=inbox(credentials.user),
    )  # fmt: skip
    js = client.jetstream()
    # Its own subject is stored and acknowledged however busy the machine; the others are never answered
    # (ASK_S). One let through by mistake would still be caught: the test counts the entries stored.
    subjects = {
        "its own inbound subject": (LOG.inbound_subject(DISTRICT), WAIT),
        "another centre's inbound subject": (LOG.inbound_subject("hanyang"), ASK_S),
        "a command": (LOG.case_subject(1), ASK_S),
        "a report": (LOG.event_subject, ASK_S),
    }
    try:
        outcomes = await asyncio.gather(
            *(
                js.publish(subject, b"{}", stream=LOG.stream, timeout=wait)
                for subject, wait in subjects.values()
            ),
            return_exceptions=True,
        )
    finally:
        await client.close()
    return {what: isinstance(outcome, api.PubAck) for what, outcome in zip(subjects, outcomes, strict=True)}


async def _ignore(error: Exception) -> None:
    """The refusals are read from what was stored, not from the error callback."""


def test_a_district_console_sends_the_city_only_its_own_transfers(
    deployment: Deployment, secure_hub: str, tmp_path: Path
) -> None:
    console = seat(secure_hub, tmp_path, CONSOLE, deployment.credentials(CONSOLE))  # the city's log exists
    try:
        before = console.caught_up().result(WAIT)
        stored = asyncio.run(_district_sends(secure_hub, deployment.credentials(DISTRICT_CONSOLE)))
        assert stored == {
            "its own inbound subject": True,
            "another centre's inbound subject": False,
            "a command": False,
            "a report": False,
        }
        assert console.caught_up().result(WAIT) == before + 1  # that one entry, which the city's apply judges
    finally:
        console.close()


def test_a_hub_that_checks_its_seats_takes_only_a_seat_with_its_certificate(tmp_path: Path) -> None:
    needs_nats_server()
    deployment = deploy(tmp_path / "deployment", "--verify-clients")  # mutual TLS
    issued = deployment.ca.issue_cert(CONSOLE)
    issued.cert_chain_pems[0].write_to_path(str(tmp_path / "east-1.pem"))
    issued.private_key_pem.write_to_path(str(tmp_path / "east-1.key"))
    plain = deployment.credentials(CONSOLE)
    with nats_server(tmp_path / "store", config=deployment.config) as url:
        with pytest.raises(HubUnavailable, match="the hub refused this seat's certificate"):
            seat(url, tmp_path, CONSOLE, plain)
        shown = HubCredentials(
            plain.user, plain.password, plain.ca, tmp_path / "east-1.pem", tmp_path / "east-1.key"
        )
        console = seat(url, tmp_path, CONSOLE, shown)
        try:
            assert console.publish_event(event("e1")).result(WAIT).seq == console.caught_up().result(WAIT)
        finally:
            console.close()
