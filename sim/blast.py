"""Blast server for the ingest benchmark: pre-encoded single-event messages as fast (or as paced) as asked."""

from __future__ import annotations

import asyncio
import math
import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from core.clock import Clock, SystemClock
from sim.city import demo_city
from sim.runner import stop_requested
from sim.server import MAX_FRAME_BYTES
from sim.subscribers import SubscribeError, resume_point

_ENCODE = msgspec.json.Encoder().encode
# Frames per transport write on the unpaced path.
_CHUNK = 512
_MARK = "@@occurred_at@@"
_CATEGORIES = (
    ("waterlogging", "积水深度{n}厘米"),
    ("illegal_parking", "机动车违停{n}分钟"),
    ("garbage_overflow", "垃圾桶满溢{n}个"),
    ("manhole_cover", "井盖倾斜{n}°"),
    ("air_quality", "AQI {n}"),
)


def encode_messages(count: int, run: str, occurred_at: str) -> list[tuple[bytes, bytes]]:
    """Frames for seq 1..count as (before, after) the occurred_at value, so pacing can stamp send times."""
    places = demo_city().landmarks
    frames = []
    for seq in range(1, count + 1):
        place = places[seq % len(places)]
        code, title = _CATEGORIES[seq % len(_CATEGORIES)]
        event = {
            "id": f"blast-{run}-{seq:08d}",
            "source": "iot",
            "category": code,
            "title": place.name + title.format(n=10 + seq % 90),
            "severity": 3 + seq % 2,
            "occurred_at": _MARK,
            "location": {
                "lon": place.lon,
                "lat": place.lat,
                "address": place.address,
                "grid": place.grid_code,
            },
            "exercise": False,
        }
        before, after = _ENCODE({"type": "event", "seq": seq, "event": event}).split(_MARK.encode())
        frames.append((before + occurred_at.encode(), after) if occurred_at else (before, after))
    return frames


class BlastServer:
    """Sends every pre-encoded message with seq > resume_after to each subscriber, then heartbeats."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        count: int = 200_000,
        rate: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        if count < 1 or (rate is not None and not 0 < rate < math.inf):
            raise ValueError("count and rate must be positive (and the rate finite)")
        self._host, self._port, self._count, self._rate = host, port, count, rate
        self._clock: Clock = clock if clock is not None else SystemClock()
        run = f"{int(self._clock.now() * 1000):x}"
        # Unpaced frames are complete websocket frames up front; paced ones get their send time spliced in.
        stamp = _utc_text(self._clock.now()) if rate is None else ""
        parts = encode_messages(count, run, stamp)
        self._wire = [_text_frame(before + after) for before, after in parts] if rate is None else []
        self._parts = parts if rate is not None else []
        self._server: Server | None = None

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self._host,
            self._port,
            compression=None,
            max_size=MAX_FRAME_BYTES,
            ping_interval=None,
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the blast server is not started")
        return f"ws://{self._host}:{self._server.sockets[0].getsockname()[1]}"

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            resume_after = resume_point(await asyncio.wait_for(ws.recv(), 30.0)) or 0
            if resume_after > self._count:
                reason = f"resume point {resume_after} is ahead of this server's head {self._count}"
                await ws.send(_ENCODE({"type": "reset", "head": self._count, "reason": reason}), text=True)
            elif self._rate is None:
                await self._burst(ws, resume_after)
            else:
                await self._paced(ws, resume_after, self._rate)
            while True:
                heartbeat = {"type": "heartbeat", "head": self._count, "at": _utc_text(self._clock.now())}
                await ws.send(_ENCODE(heartbeat), text=True)
                try:
                    await asyncio.wait_for(ws.wait_closed(), 1.0)
                    return
                except TimeoutError:
                    continue
        except SubscribeError as exc:
            await ws.close(1008, str(exc))
        except (ConnectionClosed, TimeoutError, OSError):
            return

    async def _burst(self, ws: ServerConnection, first: int) -> None:
        """Write pre-framed messages straight to the transport, many per write, with flow control.

        The benchmark measures the client, so this side must outpace any client: one ws.send per
        message costs about as much CPU here as receiving costs there. Only complete frames are
        written, and nothing else is sent meanwhile, so the connection's framing stays intact.
        """
        transport = ws.transport
        for start in range(first, self._count, _CHUNK):
            if transport.is_closing():
                return
            transport.write(b"".join(self._wire[start : start + _CHUNK]))
            await ws.drain()

    async def _paced(self, ws: ServerConnection, first: int, rate: float) -> None:
        """Send at `rate` msgs/s, each stamped with its send time to the millisecond."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        index = first
        while index < self._count:
            due = first + int((loop.time() - began) * rate) + 1
            if due <= index:
                await asyncio.sleep((index + 1 - first) / rate - (loop.time() - began))
                continue
            stamp = _utc_text(self._clock.now()).encode()
            for before, after in self._parts[index : min(due, self._count)]:
                await ws.send(before + stamp + after, text=True)
            index = min(due, self._count)


def _text_frame(payload: bytes) -> bytes:
    """An unmasked, final text frame (RFC 6455 §5.2), as a server sends it."""
    size = len(payload)
    if size < 126:
        return struct.pack("!BB", 0x81, size) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


def _utc_text(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")


def run_blast(
    host: str,
    port: int,
    count: int,
    rate: float | None,
    announce: Callable[[str], None],
    *,
    exit_on_stdin_eof: bool = False,
) -> int:
    """Serve `count` messages to every subscriber until SIGINT/SIGTERM (or stdin EOF if asked)."""

    async def main() -> int:
        server = BlastServer(host, port, count, rate)
        async with stop_requested(exit_on_stdin_eof=exit_on_stdin_eof) as stop:
            await server.start()
            try:
                announce(server.url)
                await stop.wait()
            finally:
                await server.stop()
        return 0

    return asyncio.run(main())


async def receive_rate(url: str, count: int) -> float:
    """What a bare websockets client achieves: msgs/s to receive and decode `count` events."""
    decode = msgspec.json.Decoder().decode
    async with connect(url, compression=None, max_size=MAX_FRAME_BYTES, ping_interval=None) as ws:
        began = time.perf_counter()
        await ws.send(
            _ENCODE({"type": "subscribe", "client": "tianshu-raw", "resume_after": None}), text=True
        )
        received = 0
        while received < count:
            message = decode(await ws.recv(decode=False))
            if message["type"] == "event":
                received += 1
        return count / (time.perf_counter() - began)
