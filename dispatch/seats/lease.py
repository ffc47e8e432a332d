"""The lease for the periodic jobs: one leader per centre, held in the hub's key-value store with a TTL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from dispatch.seats.subjects import Centre

log = logging.getLogger(__name__)
# A leader that stops renewing (killed, cut off, frozen) loses the lease this long after its last
# renewal; another seat takes it at its next try. Renewing three times per TTL survives two lost renewals.
TTL_S = 3.0
RENEW_S = 1.0
KEY = "leader"
# Announce the term: publish its lease entry to the log (raises HubUnavailable when not confirmed).
Announce = Callable[[int], Awaitable[None]]


class Lease:
    """Takes the lease when it is free, renews it while held, and says which term this seat leads.

    The hub's compare-and-set decides who holds it: `create` succeeds for one seat only, and `update`
    only for the holder of the last revision. The term is the revision it was taken at. A seat leads
    (`term` is set) only once its lease entry is in the log: everything it publishes under that term
    comes after the entry, and the apply refuses jobs under any other term (dispatch/seats/apply.py).

    Polling, not a key-value watcher: a watcher is one more consumer to restore after a reconnect, and
    a try per second is all a lease needs.
    """

    def __init__(
        self, js: JetStreamContext, centre: Centre, seat: str, announce: Announce,
        connected: Callable[[], bool], replicas: int = 1,
    ) -> None:  # fmt: skip
        self._js = js
        self._replicas = replicas
        self._connected = connected
        self.bucket = f"tianshu_{centre.name}_lease"
        self._seat = seat
        self._announce = announce
        self._kv: KeyValue | None = None
        self._revision: int | None = None  # the lease's revision this seat last wrote
        self._taken: int | None = None  # the revision it was taken at: the term
        self._renewed = 0.0  # time.monotonic() of the last confirmed write
        self.term: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed: Callable[[int | None], None] = lambda term: None

    def start(self, changed: Callable[[int | None], None]) -> None:
        """Try for the lease every RENEW_S from now on; `changed(term or None)` when leading starts/ends."""
        self._changed = changed
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                # Nothing is tried while cut off: the client would queue the writes, and a queue left
                # behind when the seat closes makes the client's close fail half-way.
                if self._connected():
                    await self._step()
            except (nats.errors.Error, ConnectionError, OSError, TimeoutError) as error:
                log.info("lease of %s: %s", self._seat, error)
            except Exception as error:  # anything else must not end the tries for good
                log.error("lease of %s: %s", self._seat, error, exc_info=error)
            if self.term is not None and time.monotonic() - self._renewed > TTL_S:
                # Not renewed for a whole TTL (cut off): another seat may hold it now.
                self._lost("not renewed in time")
            await asyncio.sleep(RENEW_S)

    async def _step(self) -> None:
        kv = await self._bucket()
        if self._revision is None:
            try:
                self._revision = self._taken = await kv.create(KEY, self._seat.encode())
            except nats.js.errors.KeyWrongLastSequenceError:
                return  # held by another seat
            self._renewed = time.monotonic()
            log.info("seat %s took the lease (term %d)", self._seat, self._taken)
        else:
            try:
                self._revision = await kv.update(KEY, self._seat.encode(), last=self._revision)
            except nats.js.errors.KeyWrongLastSequenceError:
                if not await self._ours_after_all(kv):
                    self._lost("taken by another seat")
                return
            self._renewed = time.monotonic()
        if self.term is None and self._taken is not None:
            await self._announce(self._taken)  # a failure is tried again at the next renewal
            self.term = self._taken
            self._changed(self.term)

    async def _ours_after_all(self, kv: KeyValue) -> bool:
        """A renewal refused because an earlier one landed after all (its reply was lost on a busy hub,
        so this seat kept the old revision): the lease still names this seat, at a later revision it
        wrote itself. It carries on from there (renewed at the next step) instead of giving up a lease
        that is its own, which would leave the centre with no leader for a TTL."""
        try:
            entry = await kv.get(KEY)
        except nats.js.errors.KeyNotFoundError:
            return False
        if entry.value != self._seat.encode() or entry.revision is None:
            return False
        if self._revision is None or entry.revision <= self._revision:
            return False
        log.info(
            "seat %s: a renewal landed unconfirmed; the lease is at revision %d", self._seat, entry.revision
        )
        self._revision = entry.revision
        return True

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            try:
                self._kv = await self._js.key_value(self.bucket)
            except nats.js.errors.BucketNotFoundError:
                # Two seats creating it together both succeed: the same configuration is a no-op.
                self._kv = await self._js.create_key_value(
                    bucket=self.bucket, ttl=TTL_S, history=1, replicas=self._replicas
                )
        return self._kv

    def _lost(self, why: str, level: int = logging.WARNING) -> None:
        was = self.term
        self._revision = self._taken = None
        self.term = None
        if was is not None:
            log.log(level, "seat %s no longer leads (term %d): %s", self._seat, was, why)
            self._changed(None)

    async def close(self) -> None:
        """Stop trying; give the lease back if held, so that another seat takes it at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._kv is not None and self._revision is not None:
            with contextlib.suppress(nats.errors.Error, ConnectionError, OSError, TimeoutError):
                await asyncio.wait_for(self._kv.delete(KEY, last=self._revision), RENEW_S)
        self._lost("the seat closed", logging.INFO)
