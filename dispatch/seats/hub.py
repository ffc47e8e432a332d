"""A seat's connection to the hub: NATS JetStream, the centre's stream, publishing and following its log."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext, api

from dispatch.seats.subjects import MSG_ID, Centre

# How long JetStream remembers a message id: a publish retried within it is stored once.
DUPLICATE_WINDOW_S = 120.0
Handler = Callable[[int, bytes], Awaitable[None]]


class HubUnavailable(ConnectionError):
    """The hub could not be reached, or did not store an entry: nothing was published."""


class Hub:
    """One seat's NATS connection and the centre's stream (asyncio: use it on one event loop)."""

    def __init__(self, client: Client, js: JetStreamContext, centre: Centre) -> None:
        self._client = client
        self._js = js
        self.centre = centre
        self._following: list[Subscription] = []

    @classmethod
    async def connect(cls, servers: Sequence[str], centre: Centre, *, name: str, timeout: float = 5.0) -> Hub:
        """Connect (any of `servers`), and create the centre's stream unless it is there."""
        try:
            client = await nats.connect(
                servers=list(servers), name=name, connect_timeout=max(1, int(timeout)),
                allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
            )  # fmt: skip
        except (OSError, nats.errors.Error) as error:
            raise HubUnavailable(f"cannot reach the hub at {', '.join(servers)}: {error}") from error
        js = client.jetstream(timeout=timeout)
        hub = cls(client, js, centre)
        try:
            await hub._ensure_stream()
        except BaseException:
            await client.close()
            raise
        return hub

    async def _ensure_stream(self) -> None:
        config = api.StreamConfig(
            name=self.centre.stream,
            subjects=[self.centre.log],
            storage=api.StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_S,
        )
        try:
            # Creating a stream that exists with the same configuration is a no-op, so two seats
            # starting together both succeed.
            await self._js.add_stream(config)
        except nats.js.errors.BadRequestError:
            await self._js.stream_info(self.centre.stream)  # there with another configuration: use it
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub has no JetStream for {self.centre.stream}: {error}") from error

    async def publish(self, subject: str, data: bytes, msg_id: str) -> api.PubAck:
        """Store one entry; a second publish of `msg_id` inside the duplicate window is acknowledged with
        `duplicate=True` and stored only once."""
        try:
            return await self._js.publish(subject, data, stream=self.centre.stream, headers={MSG_ID: msg_id})
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub did not store the entry: {error}") from error

    async def last_seq(self) -> int:
        """The newest sequence in the centre's log."""
        try:
            info = await self._js.stream_info(self.centre.stream)
        except nats.errors.Error as error:
            raise HubUnavailable(f"cannot read the log's state: {error}") from error
        return int(info.state.last_seq)

    async def follow(self, after: int, handler: Handler) -> Subscription:
        """Deliver every entry after sequence `after` to `handler`, one at a time and in order.

        An ordered consumer: the client re-creates it from the next sequence after a gap or a reconnect,
        so the seat needs no consumer state on the hub — its cursor lives in its own store.
        """
        if after > 0:
            config = api.ConsumerConfig(
                deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1
            )
        else:
            config = api.ConsumerConfig(deliver_policy=api.DeliverPolicy.ALL)

        async def on_message(msg: Msg) -> None:
            await handler(msg.metadata.sequence.stream, msg.data)

        subscription = await self._js.subscribe(
            self.centre.log, stream=self.centre.stream, cb=on_message, ordered_consumer=True, config=config
        )
        self._following.append(subscription)
        return subscription

    async def close(self) -> None:
        """Stop following (which ends the consumer's heartbeat tasks: closing the client does not) and
        disconnect; then end whatever the client left running on this event loop."""
        following, self._following = self._following, []
        for subscription in following:
            with contextlib.suppress(nats.errors.Error):  # already gone with the connection
                await subscription.unsubscribe()
        if not self._client.is_closed:
            await self._client.close()
        here = asyncio.current_task()
        left = [task for task in asyncio.all_tasks() if task is not here]
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
