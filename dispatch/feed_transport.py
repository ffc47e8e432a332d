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

from dispatch.protocol import MAX_FRAME_BYTES, RAW_KEEP_BYTES, Frame, InvalidText

# The websockets library answers a text frame that is not UTF-8 (close 1007) or a frame over `max_size`
# (close 1009) by closing the connection. The server then resends the same frame on the next connection,
# forever. So this connection never lets the library see either: it decodes text itself (invalid UTF-8 is
# handed on as InvalidText) and a gate in front of the library's parser drops the payload of any message
# over the limit while it streams past, keeping only its first bytes and its size.

_OP_CONT, _OP_TEXT, _OP_BINARY = 0x0, 0x1, 0x2
# The library applies its limit to the control frames inside a fragmented message too (a ping between two
# fragments of a message near the limit would close the connection): it gets room for one such frame.
CONTROL_ROOM = 125
LIBRARY_MAX_BYTES = MAX_FRAME_BYTES + CONTROL_ROOM
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
    """The gate finished dropping a message: `forged` closes it for the library's parser."""

    size: int
    forged: bytes


class FrameGate:
    """Watches the server's byte stream (after TLS, before websockets parses it) and cuts oversized messages.

    A data message whose size passes `limit` — one big frame, or fragments adding up — is not forwarded;
    in its place the parser receives a short forged frame with the message's first `keep` bytes (or, if
    fragments under the limit were already forwarded, an empty final fragment), and the caller learns the
    real size. Control frames inside a dropped message still pass. Anything the gate does not understand
    (a masked or malformed frame, a failed handshake) is passed through untouched for websockets to judge.
    """

    def __init__(self, limit: int = MAX_FRAME_BYTES, keep: int = RAW_KEEP_BYTES) -> None:
        self._limit = limit
        self._keep = keep
        self._greeting: bytearray | None = bytearray()
        self._through = False
        self._stash = b""
        self._pass = 0  # payload bytes of the current frame still to forward
        self._skip = 0  # payload bytes of the current frame still to drop
        self._message: int | None = None  # bytes forwarded of a fragmented message in progress
        self._drop: bytearray | None = None  # kept start of a message being dropped
        self._drop_size = 0
        self._drop_fin = False
        self._drop_opcode = _OP_TEXT
        self._drop_started = False  # fragments of the dropped message already reached the parser

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
            # Fast path, nearly every frame: a whole small text or binary message, unmasked.
            if not self._skip and self._message is None and self._drop is None and i + 1 < size:
                first, length = data[i], data[i + 1]
                if first in _WHOLE_DATA and length < small:
                    i += 2 + length
                    continue
                if first in _WHOLE_DATA and length == 126 and i + 3 < size:
                    length = (data[i + 2] << 8) | data[i + 3]
                    if length <= limit:
                        i += 4 + length
                        continue
            if self._skip:
                step = min(self._skip, size - i)
                kept = self._drop
                if kept is not None and len(kept) < self._keep:
                    kept += data[i : i + min(step, self._keep - len(kept))]
                self._skip -= step
                i += step
                start = i
                if not self._skip and self._drop_fin:
                    out.append(self._end_drop())
                continue
            header = _header(data, i)
            if header is None:
                self._stash = data[i:]
                break
            opcode, fin, masked, length, header_size = header
            if masked or (opcode < 8 and opcode not in (_OP_CONT, _OP_TEXT, _OP_BINARY)):
                self._through = True  # a protocol error websockets will name
                i = size
                break
            if opcode >= 8 or not self._drops(opcode, fin, length):
                i += header_size + length
                continue
            if i > start:
                out.append(data[start:i])
            i += header_size
            start = i
            self._skip = length
            self._drop_fin = fin
            self._drop_size += length
            if not length and fin:
                out.append(self._end_drop())
        if i > size:  # the last frame forwarded goes on in the next piece of the stream
            self._pass = i - size
            i = size
        if i > start:
            out.append(data[start:i])
        return out

    def _drops(self, opcode: int, fin: bool, length: int) -> bool:
        """Decide for one data frame; True when its payload is to be dropped."""
        if opcode != _OP_CONT:  # a new message
            if length <= self._limit:
                self._message = None if fin else length
                return False
            self._drop, self._drop_size, self._drop_started = bytearray(), 0, False
            self._drop_opcode = opcode
            return True
        if self._drop is not None:
            return True
        if self._message is None:
            return False  # a stray continuation: the parser reports it
        if self._message + length <= self._limit:
            self._message = None if fin else self._message + length
            return False
        self._drop, self._drop_size, self._drop_started = bytearray(), self._message, True
        return True

    def _end_drop(self) -> _Dropped:
        kept = bytes(self._drop or b"")
        # An empty final continuation ends a message whose first fragments the parser already has.
        forged = b"\x80\x00" if self._drop_started else _frame_header(self._drop_opcode, len(kept)) + kept
        dropped = _Dropped(self._drop_size, forged)
        self._drop, self._drop_size, self._message = None, 0, None
        return dropped


def _header(data: bytes, i: int) -> tuple[int, bool, bool, int, int] | None:
    """(opcode, fin, masked, payload length, header size) of the frame at i, or None if incomplete."""
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
    return first & 0x0F, bool(first & 0x80), masked, length, size + (4 if masked else 0)


def _frame_header(opcode: int, length: int) -> bytes:
    if length < 126:
        return struct.pack("!BB", 0x80 | opcode, length)
    if length < 1 << 16:
        return struct.pack("!BBH", 0x80 | opcode, 126, length)
    return struct.pack("!BBQ", 0x80 | opcode, 127, length)


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
