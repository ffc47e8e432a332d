"""Sends the outbox's unacknowledged orders over the feed connection (protocol v1.1), again after every
reconnect, until the server's `order_ack` arrives (the intake records acks in the outbox)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from dispatch.casework.records.orders import PendingOrder, pending_orders
from dispatch.store.read_only import open_read_only

RESEND_AFTER_S = 30.0


class Sink(Protocol):
    """The part of a websocket connection the sender needs."""

    async def send(self, message: str) -> None: ...


class OrderSender:
    """One per feed client. `serve(ws)` runs for the life of each connection, beside the reader.

    Orders are read from the store (a short indexed query) when woken and at least every `poll_s`; an order
    is sent once per connection, and again on the same connection only if no ack came for `resend_after_s`
    (a server that lost it without dropping the connection). The server acknowledges every copy and passes
    an order on once, so sending again is always safe.
    """

    def __init__(
        self, db_path: Path, *, poll_s: float = 1.0, resend_after_s: float = RESEND_AFTER_S,
        pending: Callable[[sqlite3.Connection], list[PendingOrder]] = pending_orders,
    ) -> None:  # fmt: skip
        """`pending`: which orders of the store at `db_path` to send (a seat's: those not answered)."""
        self.db_path = db_path
        self._pending_in = pending
        self.poll_s = poll_s
        self.resend_after_s = resend_after_s
        self.sent = 0
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: sqlite3.Connection | None = None

    def wake(self) -> None:
        """Look at the outbox now (thread-safe: the desk calls this after a dispatch)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def serve(self, ws: Sink) -> None:
        """Send pending orders on this connection until cancelled (the connection ended)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        sent_at: dict[str, float] = {}
        try:
            while True:
                self._wake.clear()
                now = self._loop.time()
                for order in self._pending():
                    last = sent_at.get(order.order_id)
                    if last is None or now - last >= self.resend_after_s:
                        await ws.send(_frame(order))
                        sent_at[order.order_id] = now
                        self.sent += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_s)
        finally:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _pending(self) -> list[PendingOrder]:
        if self._conn is None and not self.db_path.exists():
            return []
        try:
            if self._conn is None:
                self._conn = open_read_only(self.db_path, live=True)
            return self._pending_in(self._conn)
        except sqlite3.OperationalError:
            # A store not yet readable, or not yet migrated to the closed-loop schema, has no outbox:
            # nothing to send yet; the next look tries again.
            return []


def _frame(order: PendingOrder) -> str:
    return '{"type":"order","order":' + order.body.decode() + "}"
