"""The feed `bench ui` drives the cockpit with: events and metric readings at fixed rates, in a process of
its own (`python -m bench.ui_feed --events N --metrics M`), so its encoding costs the cockpit nothing."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import UTC, datetime

import msgspec
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from sim.blast import encode_messages
from sim.runner import stop_requested
from sim.server import MAX_FRAME_BYTES

_ENCODE = msgspec.json.Encoder().encode
# The cockpit's vital signs, with units and a plausible level, each reported per district.
METRICS = (
    ("congestion_index", "", 1.6),
    ("hotline_calls_per_hour", "", 120.0),
    ("water_level_max", "m", 3.1),
    ("aqi", "", 60.0),
    ("power_load", "MW", 820.0),
)
# 40 stations a metric: 200 series, each read about once a second at 200 points a second.
STATIONS = tuple(f"S{n:02d}" for n in range(1, 41))
STEP_S = 0.01
EVENTS_MADE = 400_000


def _utc(t: float) -> bytes:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").encode()


class PacedFeed:
    """Each subscriber gets events at `events` a second and metric readings at `metrics` a second,
    interleaved in one seq, every message stamped with its send time; then nothing but more of the same."""

    def __init__(self, events: float, metrics: float) -> None:
        self.events, self.metrics = events, metrics
        self._parts = encode_messages(EVENTS_MADE, f"ui{random.getrandbits(32):x}", "")
        self._rng = random.Random(1)

    async def handle(self, ws: ServerConnection) -> None:
        try:
            await ws.recv()  # the subscribe message: this feed always starts from the beginning
            loop = asyncio.get_running_loop()
            began = loop.time()
            sent_events = sent_metrics = 0
            seq = 0
            levels = {(name, d): base for name, _, base in METRICS for d in STATIONS}
            keys = list(levels)
            while True:
                elapsed = loop.time() - began
                stamp = _utc(datetime.now(UTC).timestamp())
                batch = []
                for _ in range(int(elapsed * self.events) - sent_events):
                    before, after = self._parts[sent_events % EVENTS_MADE]
                    seq += 1
                    # Renumber: the pre-encoded frames count their own seq, this feed interleaves metrics.
                    own = b'"seq":%d,' % (sent_events % EVENTS_MADE + 1)
                    text = (before + stamp + after).replace(own, b'"seq":%d,' % seq, 1)
                    batch.append(text)
                    sent_events += 1
                for _ in range(int(elapsed * self.metrics) - sent_metrics):
                    name, station = keys[sent_metrics % len(keys)]
                    unit = next(u for n, u, _ in METRICS if n == name)
                    levels[(name, station)] *= 1.0 + self._rng.gauss(0.0, 0.01)
                    seq += 1
                    metric = {"name": name, "value": round(levels[(name, station)], 3), "at": stamp.decode(),
                              "unit": unit or None, "labels": {"station": station}}  # fmt: skip
                    batch.append(_ENCODE({"type": "metric", "seq": seq, "metric": metric}))
                    sent_metrics += 1
                for text in batch:
                    await ws.send(text, text=True)
                await asyncio.sleep(STEP_S)
        except (ConnectionClosed, OSError):
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_feed")
    parser.add_argument("--events", type=float, default=1000.0)
    parser.add_argument("--metrics", type=float, default=200.0)
    args = parser.parse_args(argv)
    feed = PacedFeed(args.events, args.metrics)

    async def run() -> int:
        async with stop_requested(exit_on_stdin_eof=True) as stop:
            server = await serve(feed.handle, "127.0.0.1", 0, compression=None, max_size=MAX_FRAME_BYTES)
            port = server.sockets[0].getsockname()[1]
            print(f"ws://127.0.0.1:{port}", flush=True)
            await stop.wait()
            server.close()
            await server.wait_closed()
        return 0

    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
