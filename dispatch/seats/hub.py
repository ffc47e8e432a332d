"""A seat's connection to the hub: NATS JetStream, the centre's stream, publishing and following its log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext, api

from dispatch.seats.access import inbox
from dispatch.seats.credentials import HubCredentials
from dispatch.seats.hub_client import (
    NOT_CLUSTERED,
    PERMISSIONS,
    TlsClient,
    refusal,
    transient,
)
from dispatch.seats.hub_client import (
    HubUnavailable as HubUnavailable,  # the seat's word for 'no hub': raised here, caught everywhere
)
from dispatch.seats.lease import Announce, Lease
from dispatch.seats.shelf import SnapshotShelf
from dispatch.seats.subjects import MSG_ID, Centre

log = logging.getLogger(__name__)
# How long JetStream remembers a message id: a publish retried within it is stored once.
DUPLICATE_WINDOW_S = 120.0
# How long the centre's log keeps an entry by default: the leader's snapshots (every 10 minutes at most)
# cover a seat that was away longer, so the log need not grow with the centre's years.
KEEP_DAYS = 30.0
# The follower notices a silent consumer (e.g. one lost with a restarted server) after two missed
# heartbeats and re-creates it from the next sequence: this bounds how long a seat lags after that.
HEARTBEAT_S = 1.0
RETRY_S = 1.0  # a follower that could not be created is tried again this often
WATCH_S = 2.0  # how often a seat checks that deliveries did not stop behind the log
# A hub gone silent without closing the connection (a cable pulled, a partition) is noticed after
# MAX_PINGS unanswered pings PING_S apart, plus the ping's own wait: about two seconds. A server that
# stops closes the socket, which is noticed at once.
PING_S = 0.6
MAX_PINGS = 2
# A centre's hub is a cluster of three nodes: the log and the lease are kept on all three (a node may
# die). A single server refuses replicas (NATS error 10074): there they are kept once.
REPLICAS = 3
LEAVE_S = 2.0  # each step of a seat's leaving (the lease, the connection, what is left) at most
ASK_S = 2.0  # how long one request to create the stream waits before it is asked again
# (sequence, bytes, the time the hub stored the entry, the subject it was published on)
Handler = Callable[[int, bytes, float, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Retention:
    """What the centre's log keeps, set when a console creates its stream (a stream that is there keeps
    its own limits). Older entries go first; a seat that was away longer starts from a snapshot, with its
    own records carried over (dispatch/seats/restore.py)."""

    max_age_s: float = KEEP_DAYS * 86_400
    max_entries: int = -1  # no limit by count


class Hub(SnapshotShelf):
    """One seat's NATS connection and the centre's stream (asyncio: use it on one event loop)."""

    def __init__(self, client: Client, js: JetStreamContext, centre: Centre) -> None:
        self._client = client
        self._js = js
        self.centre = centre
        self._subscription: Subscription | None = None
        self._position: Callable[[], int] | None = None
        self._handler: Handler | None = None
        self._following = asyncio.Lock()
        self._retry: asyncio.TimerHandle | None = None
        self.replicas = REPLICAS
        self.retention = Retention()
        self._delivered = (0, 0.0)  # the newest sequence delivered, and when (the loop's clock)
        self._watchdog: asyncio.Task[None] | None = None
        # The last permissions violation the hub reported on this connection (its word for why a
        # request of this seat got no answer).
        self.violations: list[str] = []

    @classmethod
    async def connect(
        cls, servers: Sequence[str], centre: Centre, *, name: str, timeout: float = 5.0,
        online: Callable[[bool], None] = lambda up: None, credentials: HubCredentials | None = None,
        retention: Retention | None = None,
    ) -> Hub:  # fmt: skip
        """Connect (any of `servers`), and create the centre's stream unless it is there. `online(False)`
        when the connection is lost, `online(True)` once it is back and the seat follows again.

        With `credentials` the seat signs in as its user and trusts their CA; with those or a `tls://`
        server it speaks only TLS. A wrong password or a hub it does not trust is HubUnavailable at once,
        saying so (docs/seats.md, "Security")."""
        hubs: list[Hub] = []
        violations: list[str] = []
        refused: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def reconnected() -> None:
            # Joined again: commands may go out at once; they are answered once the seat applied them.
            online(True)
            # Follow again from the seat's own cursor: the consumer may have died with the server, and
            # the client's own re-creation after missed heartbeats is not to be relied on alone.
            for hub in hubs:
                await hub.refollow()

        async def disconnected() -> None:
            online(False)

        async def trouble(error: Exception) -> None:
            # Before joining, the attempts' errors end in one HubUnavailable: not one line per attempt.
            log.log(logging.WARNING if hubs else logging.DEBUG, "hub connection of %s: %s", name, error)
            if PERMISSIONS in str(error).lower():
                violations[:] = [str(error)]  # the hub's word for a request it will never answer
            why = refusal(error, credentials)
            if why is not None and not hubs and not refused.done():
                refused.set_result(why)  # trying again would only be refused again
                client.give_up()

        # Passed as a mapping: nats-py's signature says int where it takes seconds as floats.
        options: dict[str, Any] = {
            "servers": list(servers), "name": name, "connect_timeout": max(1, int(timeout)),
            "allow_reconnect": True, "max_reconnect_attempts": -1, "reconnect_time_wait": 0.5,
            "reconnected_cb": reconnected, "disconnected_cb": disconnected, "error_cb": trouble,
            "ping_interval": PING_S, "max_outstanding_pings": MAX_PINGS,
        }  # fmt: skip
        if credentials is not None:
            # Replies come to the user's own inbox, the only one its permissions let it read.
            options.update(
                user=credentials.user, password=credentials.password, inbox_prefix=inbox(credentials.user)
            )
            if credentials.tls:
                try:
                    options["tls"] = credentials.ssl_context()
                except (ssl.SSLError, OSError) as error:
                    raise HubUnavailable(f"cannot use the seat's certificates: {error}") from error
        require_tls = "tls" in options or any(url.strip().lower().startswith("tls://") for url in servers)
        client = TlsClient(require_tls)
        # Reconnecting forever once joined; the first connection gets `timeout` in all (the client
        # would otherwise retry an unreachable hub for ever).
        connecting = asyncio.ensure_future(client.connect(**options))
        deadline = asyncio.get_running_loop().time() + timeout
        await asyncio.wait((connecting, refused), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if refused.done() and not connecting.done():
            # It ends at once (give_up), or waits for a line already closed: then it is cancelled.
            left = deadline - asyncio.get_running_loop().time()
            await asyncio.wait((connecting,), timeout=min(max(left, 0.1), 1.0))
        if refused.done() and connecting.done() and connecting.exception() is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 1.0)
            raise HubUnavailable(refused.result())
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(BaseException):
                await connecting
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 1.0)
            if refused.done():
                raise HubUnavailable(refused.result())
            raise HubUnavailable(f"cannot reach the hub at {', '.join(servers)}: TimeoutError()")
        try:
            connecting.result()
        except (OSError, TimeoutError, nats.errors.Error) as error:
            raise HubUnavailable(f"cannot reach the hub at {', '.join(servers)}: {error!r}") from error
        hub = cls(client, client.jetstream(timeout=timeout), centre)
        hub.violations = violations
        hub.retention = retention or Retention()
        try:
            await hub._ensure_stream(timeout)
        except BaseException:
            await client.close()
            raise
        hubs.append(hub)
        return hub

    async def _ensure_stream(self, timeout: float) -> None:
        """Create the centre's stream unless it is there. On a cluster the first request of a new
        connection may go unanswered (the node that answers has not yet heard of the connection's reply
        subject), and a cluster that just lost a node may say for a few seconds that the stream is not
        there and cannot be placed either: it is asked again, within `timeout` in all."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        js = self._js
        while True:
            # Each request gets its full ASK_S, the last one too: on a loaded machine a hub that has just
            # started (or signed the seat in with a slow password hash) answers its first request late.
            self._js = self._client.jetstream(timeout=ASK_S)
            try:
                await self._create_stream()
                return
            except HubUnavailable as error:
                left = deadline - loop.time()
                if not transient(error.__cause__) or left <= 0:
                    raise
                if not isinstance(error.__cause__, nats.errors.TimeoutError):  # a timeout waited already
                    await asyncio.sleep(min(RETRY_S, left))
            finally:
                self._js = js

    async def _create_stream(self) -> None:
        config = api.StreamConfig(
            name=self.centre.stream,
            subjects=[self.centre.log],
            storage=api.StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_S,
            num_replicas=self.replicas,
            max_age=self.retention.max_age_s,
            max_msgs=self.retention.max_entries,
        )
        try:
            # A stream that is there is used as it is (with its replicas): a wall may describe the
            # log but never create it.
            info = await self._js.stream_info(self.centre.stream)
        except nats.js.errors.NotFoundError:
            pass
        except nats.errors.TimeoutError as error:
            raise HubUnavailable(f"the hub did not describe {self.centre.stream}: {error}") from error
        except nats.errors.Error as error:
            raise HubUnavailable(f"the hub has no JetStream for {self.centre.stream}: {error}") from error
        else:
            self.replicas = info.config.num_replicas or 1
            return
        try:
            # Creating a stream that exists with the same configuration is a no-op, so two seats
            # starting together both succeed.
            try:
                await self._js.add_stream(config)
            except nats.js.errors.APIError as error:
                if error.err_code != NOT_CLUSTERED:
                    raise
                self.replicas = config.num_replicas = 1
                await self._js.add_stream(config)
        except nats.js.errors.BadRequestError:
            try:
                await self._js.stream_info(self.centre.stream)  # there with another configuration: use it
            except nats.errors.Error as error:
                raise HubUnavailable(f"the hub has no stream {self.centre.stream}: {error}") from error
        except nats.errors.Error as error:
            if self.violations:  # not asked again: the hub will refuse it every time
                raise HubUnavailable(
                    f"the centre's log {self.centre.stream} is not on the hub, and this seat may not "
                    f"create it ({self.violations[-1]}): a console must join first"
                ) from None
            raise HubUnavailable(f"the hub has no JetStream for {self.centre.stream}: {error}") from error

    def lease(self, seat: str, announce: Announce) -> Lease:
        """The centre's lease for the periodic jobs, tried for by `seat` (start it on this loop)."""
        return Lease(
            self._js, self.centre, seat, announce, lambda: bool(self._client.is_connected), self.replicas
        )

    @property
    def connected(self) -> bool:
        return bool(self._client.is_connected)

    async def publish(
        self, subject: str, data: bytes, msg_id: str, *, centre: Centre | None = None
    ) -> api.PubAck:
        """Store one entry (in another centre's log with `centre`: a transfer, levels); a second publish
        of `msg_id` inside the duplicate window is acknowledged with `duplicate=True` and stored once."""
        stream = (centre or self.centre).stream
        try:
            return await self._js.publish(subject, data, stream=stream, headers={MSG_ID: msg_id})
        except (nats.errors.Error, OSError, TimeoutError) as error:  # a line reset mid-write is an OSError
            raise HubUnavailable(f"the hub did not confirm the entry: {error!r}") from error

    async def last_seq(self) -> int:
        """The newest sequence in the centre's log."""
        try:
            info = await self._js.stream_info(self.centre.stream)
        except nats.errors.Error as error:
            raise HubUnavailable(f"cannot read the log's state: {error}") from error
        return int(info.state.last_seq)

    async def first_seq(self) -> int:
        """The oldest sequence the centre's log still holds (1 until its retention trims it; the next
        sequence to come when it is empty)."""
        try:
            info = await self._js.stream_info(self.centre.stream)
        except nats.errors.Error as error:
            raise HubUnavailable(f"cannot read the log's state: {error}") from error
        return int(info.state.first_seq) or 1

    async def follow(self, position: Callable[[], int], handler: Handler) -> None:
        """Deliver the entries after `position()` (the seat's last applied sequence) to `handler`, one at
        a time and in order; again from `position()` after a reconnect or `refollow`.

        Deliveries of two consumers may overlap around a re-follow, so the handler must skip what it
        applied and refuse to skip ahead (dispatch.seats.apply.Gap): the seat's cursor lives in its
        own store, and the hub keeps no consumer state for it.
        """
        self._position, self._handler = position, handler
        await self.refollow()
        if self._watchdog is None:
            self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        """Follow again when deliveries stopped while the log went on. The client re-creates a consumer
        that went silent (lost with a node) by itself, but one failed attempt (the stream between two
        leaders) ends its checking for good, and the seat would stall behind the log without a word."""
        loop = asyncio.get_running_loop()
        while self._position is not None:
            await asyncio.sleep(WATCH_S)
            delivered, at = self._delivered
            if not self._client.is_connected or loop.time() - at < 2 * WATCH_S:
                continue  # cut off (the reconnect follows again), or entries are flowing
            try:
                last = await self.last_seq()
            except HubUnavailable:
                continue
            if last > max(delivered, self._position() if self._position is not None else last):
                log.warning("%s: deliveries stopped at %d while the log is at %d: following again",
                            self.centre.stream, delivered, last)  # fmt: skip
                self._delivered = (delivered, loop.time())  # once per stall, not on every look
                await self.refollow()

    async def refollow(self) -> None:
        """Drop the current consumer and follow again from the seat's cursor."""
        async with self._following:
            if self._position is None or self._handler is None or self._client.is_closed:
                return
            old, self._subscription = self._subscription, None
            if old is not None:
                with contextlib.suppress(nats.errors.Error):  # already gone with the old connection
                    await old.unsubscribe()
            after = self._position()
            if after > 0:
                config = api.ConsumerConfig(
                    deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1
                )
            else:
                config = api.ConsumerConfig(deliver_policy=api.DeliverPolicy.ALL)
            handler = self._handler

            async def on_message(msg: Msg) -> None:
                metadata = msg.metadata
                self._delivered = (metadata.sequence.stream, asyncio.get_running_loop().time())
                await handler(metadata.sequence.stream, msg.data, metadata.timestamp.timestamp(), msg.subject)

            try:
                # A short wait, tried again every RETRY_S: on a cluster that lost a node the stream may
                # have no leader for a few seconds.
                self._subscription = await self._client.jetstream(timeout=ASK_S).subscribe(
                    self.centre.log, stream=self.centre.stream, cb=on_message, ordered_consumer=True,
                    config=config, idle_heartbeat=HEARTBEAT_S,
                )  # fmt: skip
            except nats.errors.Error as error:
                log.warning("cannot follow %s from %d (again in %s s): %s", self.centre.stream, after + 1,
                            RETRY_S, error)  # fmt: skip
                self._retry = asyncio.get_running_loop().call_later(
                    RETRY_S, lambda: asyncio.ensure_future(self.refollow())
                )

    async def close(self) -> None:
        """Stop following (which ends the consumer's heartbeat tasks: closing the client does not) and
        disconnect."""
        self._position = None
        if self._retry is not None:
            self._retry.cancel()
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        async with self._following:
            old, self._subscription = self._subscription, None
            if old is not None:
                with contextlib.suppress(nats.errors.Error):
                    await old.unsubscribe()
        if not self._client.is_closed:
            try:
                await self._client.close()
            except (ConnectionError, OSError) as error:  # flushing to a hub that is gone
                log.warning("closing the hub connection: %s", error)


async def leave(hub: Hub | None, lease: Lease | None) -> None:
    """Give the lease back, close the hub connection, then end whatever is left on the seat's event loop
    (a connection attempt abandoned half-way). Each step is bounded (LEAVE_S): a hub that does not answer
    the lease's release must not keep the connection, and its socket, open."""
    try:
        if lease is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lease.close(), LEAVE_S)
        if hub is not None:  # flushing to a hub that is gone fails: what is left is ended all the same
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hub.close(), LEAVE_S)
    finally:
        await end_all(LEAVE_S)  # a client's reconnection attempt may take its time to end


async def end_all(timeout: float) -> None:
    """Cancel every other task on this loop and wait, `timeout` at most, until they have ended: a task
    destroyed while pending (its loop stopped) is reported later, in the name of whatever code runs then."""
    here = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not here]
    for task in left:
        task.cancel()
    if left:
        await asyncio.wait(left, timeout=timeout)
