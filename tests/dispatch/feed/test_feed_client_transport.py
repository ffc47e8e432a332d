"""Transport rejects: text that is not UTF-8 and messages over the size limit are quarantined, not looped."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import BINARY, CONT, TEXT, Opcode
from websockets.protocol import Protocol, Side

from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.protocol import MAX_FRAME_BYTES
from dispatch.feed.transport import FrameGate, _Dropped
from dispatch.feed.values import ConnectionState
from dispatch.store.database import open_store
from tests.feeds import make_event

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)
GREETING = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"

# -- the gate alone, against the library's own parser ------------------------------------------------------

LIMIT, KEEP = 200, 16  # above 125, so both header length forms occur on each side of the limit


def wire_frame(opcode: int, payload: bytes, fin: bool, reserved: int = 0) -> bytes:
    """A server frame (unmasked) as RFC 6455 §5.2 lays it out."""
    first = (0x80 if fin else 0) | reserved | opcode
    size = len(payload)
    if size < 126:
        return struct.pack("!BB", first, size) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", first, 126, size) + payload
    return struct.pack("!BBQ", first, 127, size) + payload


@dataclass
class Message:
    opcode: Opcode
    data: bytearray = field(default_factory=bytearray)
    oversized: int | None = None


def parse_through_gate(stream: bytes, cuts: Iterable[int]) -> tuple[list[Message], int]:
    """Feed `stream` to a gate in pieces, the gate's output to websockets' parser; messages and pings seen."""
    gate = FrameGate(limit=LIMIT, keep=KEEP)
    parser = Protocol(Side.CLIENT, max_size=LIMIT)
    messages: list[Message] = []
    pings = 0

    def parse(data: bytes) -> None:
        nonlocal pings
        parser.receive_data(data)
        for frame in parser.events_received():
            if frame.opcode in (TEXT, BINARY):
                messages.append(Message(frame.opcode))
            if frame.opcode in (TEXT, BINARY, CONT):
                messages[-1].data += frame.data
            elif frame.opcode is Opcode.PING:
                pings += 1
        assert parser.parser_exc is None, parser.parser_exc

    assert gate.feed(GREETING) == [GREETING]
    edges = sorted({0, len(stream), *(c for c in cuts if 0 < c < len(stream))})
    for start, end in pairwise(edges):
        for piece in gate.feed(stream[start:end]):
            if isinstance(piece, _Dropped):
                parse(piece.forged)
                messages[-1].oversized = piece.size
            else:
                parse(piece)
    return messages, pings


payloads = st.one_of(st.binary(max_size=LIMIT), st.binary(min_size=LIMIT + 1, max_size=4 * LIMIT))
sent_messages = st.lists(
    st.tuples(
        st.booleans(),  # text or binary
        payloads,
        st.lists(st.integers(0, 4 * LIMIT), max_size=4),  # fragment boundaries
        st.booleans(),  # a ping between the fragments
        st.sampled_from(["", "reserved_bits", "reserved_opcode"]),  # what websockets would close over
        st.sampled_from(["", "reserved_control", "long_ping", "split_ping", "flagged_pong"]),  # likewise
    ),
    max_size=8,
)
JUNK_CONTROL = {
    "reserved_control": wire_frame(0xB, b"?", fin=True),
    "long_ping": wire_frame(0x9, b"p" * 126, fin=True),
    "split_ping": wire_frame(0x9, b"p", fin=False),
    "flagged_pong": wire_frame(0xA, b"p", fin=True, reserved=0x20),
}


@settings(max_examples=200, deadline=None)
@given(sent_messages, st.lists(st.integers(0, 8000), max_size=12))
def test_the_gate_passes_every_message_within_the_limit_and_cuts_every_other(
    sent: list[tuple[bool, bytes, list[int], bool, str, str]], cuts: list[int]
) -> None:
    """Also: reserved bits and opcodes on data frames and malformed control frames, on which websockets
    closes the connection, cost nothing but the control frame (data arrives with the bits cleared, an
    unknown data opcode as binary)."""
    stream = bytearray()
    pings_sent = 0
    for text, payload, bounds, ping, odd, junk in sent:
        edges = sorted({0, len(payload), *(b for b in bounds if 0 < b < len(payload))})
        parts = [payload[a:b] for a, b in pairwise(edges)] or [b""]
        for n, part in enumerate(parts):
            opcode = (0x1 if text else 0x2) if n == 0 else 0x0
            if odd == "reserved_opcode" and n == 0:
                opcode = 0x3 + len(payload) % 5
            reserved = 0x40 if odd == "reserved_bits" else 0
            stream += wire_frame(opcode, part, fin=n == len(parts) - 1, reserved=reserved)
            if ping and n == 0:
                stream += wire_frame(0x9, b"alive", fin=True)
                pings_sent += 1
            if junk and n == 0:
                stream += JUNK_CONTROL[junk]

    messages, pings = parse_through_gate(bytes(stream), cuts)
    assert pings == pings_sent
    assert len(messages) == len(sent)
    for got, (text, payload, _, _, odd, _) in zip(messages, sent, strict=True):
        assert got.opcode is (TEXT if text and odd != "reserved_opcode" else BINARY)
        if len(payload) <= LIMIT:
            assert (bytes(got.data), got.oversized) == (payload, None)
        else:
            assert got.oversized == len(payload)
            assert payload.startswith(bytes(got.data)), "only the message's own first bytes are kept"
            assert len(got.data) <= LIMIT


def test_the_gate_never_holds_a_huge_frame_in_memory() -> None:
    gate = FrameGate()
    size = 1 << 40  # a terabyte announced; streamed past in 1 MiB reads
    header = struct.pack("!BBQ", 0x81, 127, size)
    out = gate.feed(GREETING) + gate.feed(header + b'{"type":"event","seq":7,' + b" " * 1000)
    chunk = b"x" * (1 << 20)
    for _ in range(64):
        out += gate.feed(chunk)
    assert b"".join(p for p in out if isinstance(p, bytes)) == GREETING, "no byte of the frame went through"
    assert not any(isinstance(p, _Dropped) for p in out), "the frame has not ended yet"


# -- the client against a real server ------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """Bytes written to the connection as they are: frames the websockets server would not build."""

    wire: bytes


Script = list[tuple[str | bytes | list[str] | Raw, bool]]  # (message or its fragments, text)


@dataclass
class ScriptedFeed:
    """A websocket server on 127.0.0.1 that sends one script to every subscriber, then heartbeats."""

    script: Script
    connections: int = 0
    url: str = ""

    async def handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        try:
            await ws.recv()
            for message, text in self.script:
                if isinstance(message, Raw):
                    ws.transport.write(message.wire)
                else:
                    await ws.send(message, text=text)
            while True:
                beat = {"type": "heartbeat", "head": 0, "at": "2026-12-01T00:00:00Z"}
                await ws.send(json.dumps(beat))
                await asyncio.sleep(0.05)
        except ConnectionClosed:
            pass


@asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[ScriptedFeed]:
    feed = ScriptedFeed(script)
    async with serve(feed.handle, "127.0.0.1", 0, compression=None, max_size=None) as server:
        feed.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        yield feed


def event_text(seq: int, n: int, **overrides: object) -> str:
    return json.dumps({"type": "event", "seq": seq, "event": make_event(n, **overrides)}, ensure_ascii=False)


async def until(predicate: Callable[[], bool], pipeline: IntakePipeline, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            pipeline.drain()
            await asyncio.sleep(0.01)


def stored(db: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int | None, int, str]]]:
    store = open_store(db)
    try:
        events = [(r[0], r[1]) for r in store.execute("SELECT event_id, seq FROM events ORDER BY id")]
        rows = store.execute("SELECT reason, seq, raw_size, detail FROM quarantine ORDER BY id").fetchall()
        return events, [(r[0], r[1], r[2], r[3]) for r in rows]
    finally:
        store.close()


def test_text_that_is_not_utf8_and_oversized_messages_are_quarantined_on_one_connection(
    tmp_path: Path,
) -> None:
    """Each of these made websockets close the connection (1007, 1009, 1009 "too many fragments" for a valid
    event in 5,000 pieces, 1002 for a ping over 125 bytes, a reserved opcode or reserved bits on a valid
    event); the server then resent it forever."""
    broken = b'{"type":"event","seq":2,"event":{"title":"\xff\xfe broken"}}'
    big_text = event_text(4, 99, description="洪" * 1_200_000)  # 3.6 MB
    fragments = [event_text(6, 98)[:-1], ' , "pad": "', "x" * (MAX_FRAME_BYTES - 1000), "y" * 5000, '"}']
    many = event_text(8, 8)
    crumbs = [many[n : n + 1] for n in range(len(many))] + [""] * 3000  # past websockets' 4,096 fragments
    script: Script = [
        (event_text(1, 1), True),
        (broken, True),
        (event_text(3, 3), True),
        (big_text, True),
        (event_text(5, 5), True),
        (fragments, True),  # each fragment under the limit, the message over it
        (b"\x00" * (2 * MAX_FRAME_BYTES), False),
        (event_text(7, 7), True),
        (crumbs, True),
        (Raw(JUNK_CONTROL["long_ping"] + wire_frame(0x5, b"x" * 300, fin=True)), False),
        (Raw(wire_frame(0x1, event_text(10, 10).encode(), fin=True, reserved=0x40)), True),
    ]
    db = tmp_path / "s.sqlite3"
    states: list[ConnectionState] = []

    async def scenario() -> ScriptedFeed:
        async with scripted(script) as feed:
            pipeline = IntakePipeline(db_path=db, feed_url=feed.url, policy=FAST)
            task = asyncio.create_task(pipeline.run())
            try:
                await until(lambda: pipeline.counters().last_seq == 10, pipeline)
                states.append(pipeline.status.state)
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)
            return feed

    feed = asyncio.run(scenario())
    events, quarantine = stored(db)
    assert [seq for _, seq in events] == [1, 3, 5, 7, 8, 10]
    assert [(reason, seq, size) for reason, seq, size, _ in quarantine] == [
        ("not_utf8", None, len(broken)),
        ("oversized", 4, len(big_text.encode())),
        ("oversized", 6, sum(len(f.encode()) for f in fragments)),
        ("binary_frame", None, 2 * MAX_FRAME_BYTES),
        ("binary_frame", None, 300),  # opcode 5 is reserved: taken as binary
    ]
    assert feed.connections == 1, "a transport reject made the client reconnect"
    assert states == [ConnectionState.CONNECTED]
