"""A leader whose renewal landed but whose reply was lost (a busy hub) keeps its lease; a lease that names
another seat is given up at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from dispatch.seats.lease import KEY
from dispatch.seats.seat import SeatLoop
from dispatch.seats.status import SeatStatus
from tests.dispatch.seats.seating import WAIT, open_seat

pytestmark = pytest.mark.slow


async def _write(hub: str, bucket: str, value: bytes) -> int:
    """Write the lease's key as the hub saw it last written (as a seat's lost renewal, or another seat)."""
    client = await nats.connect(hub)
    try:
        kv = await client.jetstream().key_value(bucket)
        entry = await kv.get(KEY)
        assert entry.revision is not None
        return await kv.update(KEY, value, last=entry.revision)
    finally:
        await client.close()


async def _renewed_past(hub: str, bucket: str, revision: int) -> None:
    """Until the leader has renewed after `revision` (a renewal a second), as the hub's watcher tells it."""
    client = await nats.connect(hub)
    try:
        watcher = await (await client.jetstream().key_value(bucket)).watch(KEY)
        try:
            while True:  # the key as it is now, then each write
                entry = await watcher.updates(timeout=WAIT)
                if entry is not None and entry.revision is not None and entry.revision > revision:
                    return
        finally:
            await watcher.stop()
    finally:
        await client.close()


def test_a_renewal_that_landed_unconfirmed_does_not_cost_the_lease(hub: str, tmp_path: Path) -> None:
    a = open_seat(hub, tmp_path, "a", lead=True)
    heard: list[SeatStatus] = []
    try:
        term = a.wait_status(lambda status: status.leading, WAIT).term
        a.watch_status(heard.append)
        bucket = "tianshu_test_lease"
        # The hub stored a renewal of "a" whose reply never reached it: a now holds an old revision.
        landed = asyncio.run(_write(hub, bucket, b"a"))
        asyncio.run(_renewed_past(hub, bucket, landed))
        assert a.status.term == term
        assert all(status.term == term for status in heard), "it never stopped leading"
    finally:
        a.close()


def test_a_lease_that_names_another_seat_is_given_up(hub: str, tmp_path: Path) -> None:
    a: SeatLoop = open_seat(hub, tmp_path, "a", lead=True)
    try:
        a.wait_status(lambda status: status.leading, WAIT)
        asyncio.run(_write(hub, "tianshu_test_lease", b"b"))
        assert a.wait_status(lambda status: status.term is None, WAIT).term is None
    finally:
        a.close()
