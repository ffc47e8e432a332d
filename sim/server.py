"""A protocol v1 feed server: publishing, connections with token and media, orders, fault injection."""

from __future__ import annotations

import asyncio
import hmac
import ssl
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any

import msgspec
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from core.clock import Clock, SystemClock
from sim.replay import Frame, ReplayBuffer
from sim.subscribers import Client, SubscribeError, Subscribers, resume_point

MAX_FRAME_BYTES = 16 * 1024 * 1024 + 4096
_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder().decode


class FeedServer:
    """Serves protocol v1 on a websocket; publish_* are plain calls from the server's event loop.

    Every published message gets the next seq and goes into the replay buffer, so a client that
    reconnects with `resume_after` gets exactly what it missed. A client whose queue of unsent live
    frames exceeds the bound is disconnected rather than allowed to grow memory or slow the others.
    With `tls` it serves wss:// (the tests use it to check certificate handling).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        buffer_size: int = 100_000,
        heartbeat_s: float | None = 5.0,
        clock: Clock | None = None,
        *,
        client_queue: int = 10_000,
        client_queue_bytes: int = 64 * 1024 * 1024,
        subscribe_timeout_s: float = 30.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._token = token
        self._heartbeat_s = heartbeat_s
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._subscribe_timeout_s = subscribe_timeout_s
        self._tls = tls
        self._buffer = ReplayBuffer(buffer_size)
        self._unpaused = asyncio.Event()
        self._unpaused.set()
        self._subscribers = Subscribers(self._buffer, self._unpaused, client_queue, client_queue_bytes)
        self._server: Server | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._change = asyncio.Event()
        self._orders: dict[str, dict[str, Any]] = {}
        self._drop_before_ack = 0
        # Plain GETs of these paths are answered with these bytes (JPEG): the demo's unit photos.
        self.media: dict[str, bytes] = {}
        # Called once per new order_id (v1.1): the demo's field units listen here.
        self.on_order: Callable[[dict[str, Any]], object] | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self._host,
            self._port,
            process_request=self._process_request,
            ssl=self._tls,
            compression=None,
            max_size=MAX_FRAME_BYTES,
            # Liveness is the heartbeat's job; protocol pings would also keep a paused server "alive".
            ping_interval=None,
            close_timeout=2.0,
        )
        if self._heartbeat_s is not None:
            self._heartbeat_task = asyncio.create_task(
                self._subscribers.heartbeats(self._heartbeat_s, self._clock)
            )

    async def stop(self) -> None:
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            await asyncio.gather(self._heartbeat_task, return_exceptions=True)
            self._heartbeat_task = None
        self.resume()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the feed server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        scheme = "ws" if self._tls is None else "wss"
        return f"{scheme}://{self._host}:{self.port}"

    # -- publishing ----------------------------------------------------------------------------------

    @property
    def head(self) -> int:
        """The seq of the newest buffered message (0 before the first)."""
        return self._buffer.head

    def next_seq(self) -> int:
        return self._buffer.head + 1

    def publish_event(self, event: dict[str, Any]) -> int:
        return self._publish("event", event)

    def publish_metric(self, metric: dict[str, Any]) -> int:
        return self._publish("metric", metric)

    def publish_cap(self, xml: str) -> int:
        return self._publish("xml", xml, kind="cap")

    def publish_raw(self, frame: str | bytes, *, seq: int | None = None, text: bool | None = None) -> None:
        """Send exactly these bytes (str as text, bytes as binary unless `text` says otherwise).

        With `seq` (from next_seq()), the frame is buffered under it and replayed like any message.
        """
        if seq is not None:
            if seq <= self._buffer.head:
                raise ValueError(f"seq {seq} is not after head {self._buffer.head}")
            self._buffer.append(seq, (frame, text))
        self._subscribers.fan_out((frame, text))

    def publish_report(self, report: dict[str, Any]) -> int:
        """A field unit's answer to an order (v1.1 `unit_report`)."""
        return self._publish("report", report, kind="unit_report")

    def publish_unit_status(self, status: dict[str, Any]) -> int:
        """Where a unit is and what it is doing (v1.2 `unit_status`)."""
        return self._publish("status", status, kind="unit_status")

    def _publish_ack(self, order_id: str) -> int:
        seq = self._buffer.head + 1
        frame: Frame = (_ENCODE({"type": "order_ack", "seq": seq, "order_id": order_id}), True)
        self._buffer.append(seq, frame)
        self._subscribers.fan_out(frame)
        return seq

    def _publish(self, key: str, payload: object, *, kind: str | None = None) -> int:
        seq = self._buffer.head + 1
        frame: Frame = (_ENCODE({"type": kind or key, "seq": seq, key: payload}), True)
        self._buffer.append(seq, frame)
        self._subscribers.fan_out(frame)
        return seq

    # -- observation and fault injection -------------------------------------------------------------

    @property
    def connections(self) -> int:
        return len(self._subscribers.clients)

    @property
    def subscribed(self) -> int:
        return sum(1 for c in self._subscribers.clients if c.subscribed and not c.cut)

    @property
    def cut_off(self) -> int:
        """How many clients were disconnected for falling too far behind."""
        return self._subscribers.cut_off

    async def wait_subscribed(self, n: int = 1) -> None:
        """Return once at least n clients have subscribed and are connected."""
        await self._wait_until(lambda: self.subscribed >= n)

    async def wait_connections(self, n: int) -> None:
        """Return once exactly n clients are connected."""
        await self._wait_until(lambda: self.connections == n)

    async def drop_connections(self) -> None:
        """Abort every connection without a close handshake, as a network failure would."""
        victims = list(self._subscribers.clients)
        for client in victims:
            client.ws.transport.abort()
        await asyncio.gather(*(c.done.wait() for c in victims))

    def pause(self) -> None:
        """Freeze: send nothing (heartbeats included) and read nothing, but keep connections open."""
        self._unpaused.clear()
        for client in self._subscribers.clients:
            client.ws.transport.pause_reading()

    def resume(self) -> None:
        if self._unpaused.is_set():
            return
        self._unpaused.set()
        for client in self._subscribers.clients:
            client.ws.transport.resume_reading()

    def _changed(self) -> None:
        self._change.set()
        self._change = asyncio.Event()

    async def _wait_until(self, done: Callable[[], bool]) -> None:
        while not done():
            await self._change.wait()

    # -- connections ---------------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path in self.media:
            body = self.media[request.path]
            headers = Headers({"Content-Type": "image/jpeg", "Content-Length": str(len(body))})
            return Response(HTTPStatus.OK, "OK", headers, body)
        return self._check_token(connection, request) if self._token is not None else None

    @property
    def media_url(self) -> str:
        """The http(s) origin the media paths are served from."""
        return self.url.replace("ws", "http", 1)

    def _check_token(self, connection: ServerConnection, request: Request) -> Response | None:
        supplied = request.headers.get("Authorization", "")
        if hmac.compare_digest(supplied.encode(), f"Bearer {self._token}".encode()):
            return None
        response = connection.respond(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer token\n")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    async def _handle(self, ws: ServerConnection) -> None:
        client = Client(ws)
        self._subscribers.clients.add(client)
        if not self._unpaused.is_set():
            ws.transport.pause_reading()
        self._changed()
        writer: asyncio.Task[None] | None = None
        try:
            first = await asyncio.wait_for(ws.recv(), self._subscribe_timeout_s)
            self._subscribers.subscribe(client, resume_point(first))
            writer = asyncio.create_task(self._subscribers.write(client))
            self._changed()
            async for message in ws:
                self._receive(client, message)
        except SubscribeError as exc:
            await ws.close(1008, str(exc)[:120])
        except TimeoutError:
            await ws.close(1008, f"no subscribe within {self._subscribe_timeout_s:g} s")
        except ConnectionClosed:
            pass
        finally:
            if writer is not None:
                writer.cancel()
                await asyncio.gather(writer, return_exceptions=True)
            self._subscribers.clients.discard(client)
            client.done.set()
            self._changed()

    # -- orders (v1.1) -------------------------------------------------------------------------------

    @property
    def orders(self) -> dict[str, dict[str, Any]]:
        """Every distinct order received, by order_id."""
        return dict(self._orders)

    def drop_before_ack(self, count: int = 1) -> None:
        """Fault injection: the next `count` orders are lost with the connection before any ack."""
        self._drop_before_ack = count

    def _receive(self, client: Client, raw: str | bytes) -> None:
        try:
            message = _DECODE(raw)
        except msgspec.DecodeError:
            return  # a v1 server ignores what it does not understand; so do we
        if not isinstance(message, dict) or message.get("type") != "order":
            return
        order = message.get("order")
        if not isinstance(order, dict) or not isinstance(order.get("order_id"), str):
            return
        if self._drop_before_ack > 0:
            self._drop_before_ack -= 1
            client.ws.transport.abort()
            return
        order_id = order["order_id"]
        first = order_id not in self._orders
        if first:
            self._orders[order_id] = order
        # Acknowledge every copy (the client may have missed an earlier ack); hand it on only once.
        self._publish_ack(order_id)
        self._changed()
        if first and self.on_order is not None:
            self.on_order(order)

    async def wait_orders(self, n: int) -> None:
        """Return once at least n distinct orders have arrived."""
        await self._wait_until(lambda: len(self._orders) >= n)
