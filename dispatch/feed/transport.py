"""The feed's websocket connection: no message content (too big, not UTF-8) can make it close."""

from __future__ import annotations

import asyncio
import struct
from collections import deque
from dataclasses import dataclass
from typing import Any, cast

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.messages import Assembler
from websockets.frames import CONT, TEXT
from websockets.frames import Frame as WireFrame

from dispatch.feed.protocol import MAX_FRAME_BYTES, RAW_KEEP_BYTES, Frame, InvalidText

# The websockets library answers a text frame that is not UTF-8 (close 1007) or a frame over `max_size`
# (close 1009) by closing the connection. The server then resends the same frame on the next connection,
# forever (and it refuses a message of more than 4,096 fragments the same way). So this connection never
# lets the library see any of these: it decodes text itself (invalid UTF-8 is handed on as InvalidText),
# and a gate in front of the library's parser puts fragmented messages together itself and drops the
# payload of any message over the limit while it streams past, keeping only its first bytes and its size.

_OP_CONT, _OP_TEXT, _OP_BINARY, _OP_PONG = 0x0, 0x1, 0x2, 0xA
# The gate hands the library whole messages within the limit only, so the library's limit never bites.
LIBRARY_MAX_BYTES = MAX_FRAME_BYTES
_GREETING_MAX = 64 * 1024
# First header byte of a final, unfragmented text or binary frame (FIN set, no reserved bits).
_WHOLE_DATA = frozenset({0x80 | _OP_TEXT, 0x80 | _OP_BINARY})


@dataclass(frozen=True, slots=True)
class SkippedFrame:
    """A message over the size limit: its payload was dropped as it arrived; its start and size are kept."""

    size: int
    head: bytes
    text: bool


@dataclass(frozen=True, slots=True)
class _Dropped:
    """The gate finished dropping a message: `forged` stands in for it before the library's parser."""

    size: int
    forged: bytes


class FrameGate:
    """Watches the server's byte stream (after TLS, before websockets parses it) and hands the parser only
    whole messages within the size limit.

    A fragmented message is put together here (never more than `limit` bytes held) and passed on as one
    frame, so the library's own limits on fragments never apply. A message whose size passes `limit` — one
    big frame, or fragments adding up — is dropped as it streams past: the parser receives a short forged
    frame with its first `keep` bytes instead, and the caller learns the real size. Control frames pass at
    once, also between fragments. Anything the gate does not understand (a masked or malformed frame, a
    failed handshake) is passed through untouched for websockets to judge.
    """

    def __init__(self, limit: int = MAX_FRAME_BYTES, keep: int = RAW_KEEP_BYTES) -> None:
        self._limit = limit
        self._keep = keep
        self._greeting: bytearray | None = bytearray()
        self._through = False
        self._stash = b""
        self._pass = 0  # payload bytes of the current frame still to forward
        self._discard = 0  # payload bytes of a dropped control frame still to come
        self._take = 0  # payload bytes of the current frame still to collect (or drop)
        self._fin = False  # the frame being collected or dropped ends its message
        self._opcode = _OP_TEXT  # of the message being collected or dropped
        self._collected: bytearray | None = None  # a fragmented message in progress
        self._dropping = False  # ... which is over the limit: only its start is kept
        self._size = 0  # payload bytes of the message in progress so far

    def feed(self, data: bytes) -> list[bytes | _Dropped]:
        """What to hand to the parser (and which dropped messages end there), in stream order."""
        if self._through:
            return [data]
        if self._greeting is not None:
            return self._after_greeting(data)
        if self._stash:
            data, self._stash = self._stash + data, b""
        return self._frames(data)

    def _after_greeting(self, data: bytes) -> list[bytes | _Dropped]:
        greeting = self._greeting
        assert greeting is not None
        before = len(greeting)
        greeting += data
        end = greeting.find(b"\r\n\r\n")
        if end < 0:
            self._through = len(greeting) > _GREETING_MAX
            return [data]
        self._greeting = None
        if not greeting.startswith(b"HTTP/1.1 101"):
            self._through = True  # not a websocket: websockets reports the HTTP answer
            return [data]
        cut = end + 4 - before
        return ([data[:cut]] if cut else []) + self._frames(data[cut:])

    def _frames(self, data: bytes) -> list[bytes | _Dropped]:
        out: list[bytes | _Dropped] = []
        size = len(data)
        start = i = 0  # data[start:i] is forwarded as one piece
        if self._pass:
            i = min(self._pass, size)
            self._pass -= i
        limit = self._limit
        small = min(126, limit + 1)  # lengths that fit the header's first length field and the limit
        while i < size:
            if self._discard:
                step = min(self._discard, size - i)
                self._discard -= step
                i = start = i + step
                continue
            if self._take:
                step = min(self._take, size - i)
                self._collect(data, i, step)
                self._take -= step
                i = start = i + step
                if not self._take and self._fin:
                    out.append(self._end_message())
                continue
            # Fast path, nearly every frame: a whole small text or binary message, unmasked.
            if self._collected is None and i + 1 < size:
                first, length = data[i], data[i + 1]
                if first in _WHOLE_DATA and length < small:
                    i += 2 + length
                    continue
                if first in _WHOLE_DATA and length == 126 and i + 3 < size:
                    length = (data[i + 2] << 8) | data[i + 3]
                    if length <= limit:
                        i += 4 + length
                        continue
            header = _header(data, i)
            if header is None:
                self._stash = data[i:]
                break
            opcode, fin, reserved, masked, length, header_size = header
            if masked:
                self._through = True  # every frame of such a server is masked: websockets names the error
                i = size
                break
            if opcode >= 8 and (opcode > _OP_PONG or reserved or not fin or length > 125):
                # A control frame websockets would close the connection over carries no content: dropped.
                if i > start:
                    out.append(data[start:i])
                i = start = i + header_size
                self._discard = length
                continue
            # Reserved bits (say, compression nobody agreed on) or a reserved data opcode would close the
            # connection too: the bits are cleared and an unknown opcode becomes binary, so the message is
            # quarantined like any other instead of replayed forever.
            odd = opcode < 8 and (reserved or opcode > _OP_BINARY)
            opcode = min(opcode, _OP_BINARY) if opcode < 8 else opcode
            if opcode in (_OP_TEXT, _OP_BINARY) and self._collected is not None:
                # A new message before the last one ended: hand the parser what came, to name the error.
                out += [data[start:i], self._unfinished()]
                start, self._through = i, True
                i = size
                break
            if opcode >= 8 or not self._takes(opcode, fin, length):
                if odd:
                    if i > start:
                        out.append(data[start:i])
                    out.append(bytes([(0x80 if fin else 0) | opcode]) + data[i + 1 : i + header_size])
                    start = i + header_size
                i += header_size + length
                continue
            if i > start:
                out.append(data[start:i])
            i = start = i + header_size
            self._take, self._fin = length, fin
            if not length and fin:
                out.append(self._end_message())
        if i > size:  # the last frame forwarded goes on in the next piece of the stream
            self._pass = i - size
            i = size
        if i > start:
            out.append(data[start:i])
        return out

    def _takes(self, opcode: int, fin: bool, length: int) -> bool:
        """Decide for one data frame: False to forward it, True to collect or drop its payload here."""
        if opcode != _OP_CONT:  # a new message
            if fin and length <= self._limit:
                return False
            self._opcode, self._size = opcode, 0
            self._collected, self._dropping = bytearray(), False
        elif self._collected is None:
            return False  # a stray continuation: the parser reports it
        self._size += length
        if self._size > self._limit and not self._dropping:
            self._dropping = True
            del self._collected[self._keep :]
        return True

    def _collect(self, data: bytes, i: int, step: int) -> None:
        collected = self._collected
        assert collected is not None
        if not self._dropping:
            collected += data[i : i + step]
        elif len(collected) < self._keep:
            collected += data[i : i + min(step, self._keep - len(collected))]

    def _unfinished(self) -> bytes:
        collected = self._collected or b""
        return _frame_header(self._opcode, len(collected), fin=False) + collected

    def _end_message(self) -> bytes | _Dropped:
        collected = self._collected
        assert collected is not None
        whole = _frame_header(self._opcode, len(collected)) + collected
        self._collected = None
        return _Dropped(self._size, whole) if self._dropping else whole


def _header(data: bytes, i: int) -> tuple[int, bool, int, bool, int, int] | None:
    """(opcode, fin, reserved bits, masked, payload length, header size) of the frame at i, or None if
    incomplete."""
    available = len(data) - i
    if available < 2:
        return None
    first, second = data[i], data[i + 1]
    length = second & 0x7F
    size = 2
    if length == 126:
        size = 4
        if available < size:
            return None
        (length,) = struct.unpack_from("!H", data, i + 2)
    elif length == 127:
        size = 10
        if available < size:
            return None
        (length,) = struct.unpack_from("!Q", data, i + 2)
    masked = bool(second & 0x80)
    return first & 0x0F, bool(first & 0x80), first & 0x70, masked, length, size + (4 if masked else 0)


def _frame_header(opcode: int, length: int, *, fin: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    if length < 126:
        return struct.pack("!BB", first, length)
    if length < 1 << 16:
        return struct.pack("!BBH", first, 126, length)
    return struct.pack("!BBQ", first, 127, length)


class _Kind:
    __slots__ = ("oversized", "text")

    def __init__(self, text: bool) -> None:
        self.text = text
        self.oversized: int | None = None


class _KindAssembler(Assembler):
    """The library's message assembler, remembering for each message whether it began as text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds: deque[_Kind] = deque()

    def put(self, frame: WireFrame) -> None:
        super().put(frame)
        if frame.opcode is not CONT:
            self.kinds.append(_Kind(frame.opcode is TEXT))


class FeedConnection(ClientConnection):
    """A client connection whose messages never close it for their content (pass as `create_connection`)."""

    recv_messages: _KindAssembler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate = FrameGate()
        # Bytes arriving count as life even while a large message is still streaming in.
        self.last_data_at = self.loop.time()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        stream = cast(asyncio.Transport, transport)
        self.recv_messages = _KindAssembler(
            self.max_queue_high,
            self.max_queue_low,
            pause=stream.pause_reading,
            resume=stream.resume_reading,
        )

    def data_received(self, data: bytes) -> None:
        self.last_data_at = self.loop.time()
        for piece in self._gate.feed(data):
            if isinstance(piece, _Dropped):
                super().data_received(piece.forged)
                if self.recv_messages.kinds:
                    self.recv_messages.kinds[-1].oversized = piece.size
            else:
                super().data_received(piece)

    async def next_frame(self) -> Frame | SkippedFrame:
        """The next message: str (text), bytes (binary), InvalidText or SkippedFrame; content never raises."""
        data = await self.recv(decode=False)
        kind = self.recv_messages.kinds.popleft()
        if kind.oversized is not None:
            return SkippedFrame(kind.oversized, data[:RAW_KEEP_BYTES], kind.text)
        if not kind.text:
            return data
        try:
            return data.decode()
        except UnicodeDecodeError:
            return InvalidText(data)
