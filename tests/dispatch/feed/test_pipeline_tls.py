"""wss:// feeds: the certificate is checked against the given CA file (`--ca`), and an untrusted one is
reported in words an operator can act on, without storing anything from it."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import trustme

from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.values import ConnectionState
from sim.server import FeedServer
from tests.dispatch.feed.test_pipeline_live import FAST, Watch, stored_ids, with_pipeline
from tests.feeds import make_event


def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def test_a_feed_signed_by_the_given_ca_is_read(tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "city-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    db = tmp_path / "s.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None, tls=server_tls(ca)) as server:
            assert server.url.startswith("wss://")

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                server.publish_event(make_event(1))
                await watch.until(lambda: watch.event_ids() == ["iot-test-000001"])

            await with_pipeline(db, server, body, ca_file=ca_file)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert stored_ids(db) == ["iot-test-000001"]


def test_a_feed_whose_certificate_is_not_trusted_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    stranger = trustme.CA()
    ours = tmp_path / "our-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ours))
    db = tmp_path / "s.sqlite3"

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None, tls=server_tls(stranger)) as server:
            server.publish_event(make_event(1))

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await watch.until(lambda: pipeline.status.state is ConnectionState.BACKING_OFF)
                assert "TLS certificate not trusted" in pipeline.status.detail
                assert server.subscribed == 0

            slow = BackoffPolicy(base_s=5.0, cap_s=5.0, idle_timeout_s=FAST.idle_timeout_s)
            await with_pipeline(db, server, body, ca_file=ours, policy=slow)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert stored_ids(db) == []
