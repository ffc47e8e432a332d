"""The feed server's subscribers: resume from the replay buffer, then bounded live queues and heartbeats."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from core.clock import Clock
from sim.replay import Frame, ReplayBuffer

_ENCODE = msgspec.json.Encoder().encode
_DECODE = msgspec.json.Decoder().decode
_log = logging.getLogger(__name__)


class SubscribeError(ValueError):
    """The first client frame was not a valid subscribe."""


@dataclass(eq=False, slots=True)
class Client:
    """One connection: its replay cursor while catching up, then a bounded queue of live frames."""

    ws: ServerConnection
    queue: deque[Frame] = field(default_factory=deque)
    queued_bytes: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    cursor: int = 0
    subscribed: bool = False
    live: bool = False
    cut: bool = False


class Subscribers:
    """The connected clients of one server and what goes out to them, paused while `unpaused` is clear.

    A client whose queue of unsent live frames exceeds the bound is disconnected rather than allowed to
    grow memory or slow the others.
    """

    def __init__(
        self, buffer: ReplayBuffer, unpaused: asyncio.Event, queue_frames: int, queue_bytes: int
    ) -> None:
        self.clients: set[Client] = set()
        self.cut_off = 0
        self._buffer = buffer
        self._unpaused = unpaused
        self._queue_frames = queue_frames
        self._queue_bytes = queue_bytes

    def fan_out(self, frame: Frame) -> None:
        size = len(frame[0])
        for client in self.clients:
            if not client.live or client.cut:
                continue
            if len(client.queue) >= self._queue_frames or client.queued_bytes + size > self._queue_bytes:
                self._disconnect_laggard(client)
                continue
            client.queue.append(frame)
            client.queued_bytes += size
            client.wake.set()

    def _disconnect_laggard(self, client: Client) -> None:
        # Abort, not close: a close frame would wait behind everything the client is not reading.
        client.cut = True
        client.queue.clear()
        client.queued_bytes = 0
        self.cut_off += 1
        client.ws.transport.abort()

    def subscribe(self, client: Client, resume_after: int | None) -> None:
        head = self._buffer.head
        client.subscribed = True
        if resume_after is None:
            # A client with no position gets whatever history is still buffered, then live.
            oldest = self._buffer.oldest
            client.cursor = head if oldest is None else oldest - 1
        elif self._buffer.covers(resume_after):
            client.cursor = resume_after
        else:
            oldest = self._buffer.oldest
            reason = (
                f"resume point {resume_after} is ahead of this server's head {head}"
                if resume_after > head
                else f"resume point {resume_after} is older than the replay buffer (oldest seq {oldest})"
            )
            frame = _ENCODE({"type": "reset", "head": head, "reason": reason})
            client.queue.append((frame, True))
            client.queued_bytes += len(frame)
            client.cursor, client.live = head, True

    async def write(self, client: Client) -> None:
        ws = client.ws
        try:
            # Catch up from the buffer; going live happens with no await after the last check, so no
            # message published meanwhile can be missed or sent twice.
            while not client.live:
                if not self._buffer.covers(client.cursor):
                    self._disconnect_laggard(client)
                    return
                batch = self._buffer.after(client.cursor, 256)
                if not batch:
                    client.live = True
                    break
                for seq, (data, text) in batch:
                    await self._unpaused.wait()
                    await ws.send(data, text=text)
                    client.cursor = seq
            while True:
                while not client.queue:
                    client.wake.clear()
                    await client.wake.wait()
                await self._unpaused.wait()
                data, text = client.queue.popleft()
                client.queued_bytes -= len(data)
                await ws.send(data, text=text)
        except ConnectionClosed:
            pass
        except Exception:
            _log.exception("feed writer failed; dropping the client")
            ws.transport.abort()

    async def heartbeats(self, every_s: float, clock: Clock) -> None:
        while True:
            await asyncio.sleep(every_s)
            if not self._unpaused.is_set():
                continue
            at = datetime.fromtimestamp(clock.now(), UTC).isoformat(timespec="milliseconds")
            self.fan_out((_ENCODE({"type": "heartbeat", "head": self._buffer.head, "at": at}), True))


def resume_point(raw: str | bytes) -> int | None:
    """The `resume_after` of a subscribe frame; SubscribeError if the frame is not a valid subscribe."""
    try:
        message = _DECODE(raw)
    except msgspec.DecodeError as exc:
        raise SubscribeError("first frame must be a JSON subscribe") from exc
    if not isinstance(message, dict) or message.get("type") != "subscribe":
        raise SubscribeError('first frame must be {"type":"subscribe",...}')
    resume_after = message.get("resume_after")
    if resume_after is not None and (type(resume_after) is not int or resume_after < 0):
        raise SubscribeError("resume_after must be a non-negative integer or null")
    return resume_after
