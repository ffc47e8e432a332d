"""`bench ingest`: feed → store throughput against a bare client, and send-to-visible latency in the GUI."""

from __future__ import annotations

import asyncio
import contextlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
from websockets.asyncio.client import connect

from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.protocol import encode_subscribe

URL_PATTERN = re.compile(r"ws://\S+")


@contextlib.contextmanager
def blast_server(count: int, rate: float | None = None) -> Iterator[str]:
    """A feed server in its own process that pushes `count` single-event messages to each subscriber."""
    command = [sys.executable, "-m", "sim", "blast", "--port", "0", "--count", str(count)]
    if rate is not None:
        command += ["--rate", str(rate)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = URL_PATTERN.search(line)
        if not match:
            process.kill()
            _, err = process.communicate(timeout=5)
            raise RuntimeError(f"blast server did not start: {line.strip()} {err.strip()[-500:]}")
        yield match.group(0)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def raw_rate(url: str, count: int) -> float:
    """Messages per second a bare websockets client receives and JSON-decodes."""
    decoder = msgspec.json.Decoder()
    async with connect(url, compression=None, max_size=None) as ws:
        await ws.send(encode_subscribe("bench/raw", None).decode())
        started = None
        received = 0
        while received < count:
            message = decoder.decode(await ws.recv())
            if message.get("type") != "event":
                continue
            if started is None:
                started = time.perf_counter()
            received += 1
        assert started is not None
        return (count - 1) / (time.perf_counter() - started)


async def intake_rate(url: str, count: int, db_path: Path) -> float:
    """Events per second through Tianshu's headless intake, committed to the store."""
    pipeline = IntakePipeline(db_path=db_path, feed_url=url)
    task = asyncio.create_task(pipeline.run())
    started = None
    try:
        while True:
            await asyncio.sleep(0.01)
            if started is None and pipeline.intake.counters.frames:
                started = time.perf_counter()
            if pipeline.intake.cursor is not None and pipeline.intake.cursor >= count:
                break
        await asyncio.to_thread(pipeline.flush)
        elapsed = time.perf_counter() - (started or time.perf_counter())
        changes = pipeline.drain()
        stored = changes.counters.events if changes else 0
        if stored != count:
            raise RuntimeError(f"stored {stored} of {count} events")
    finally:
        await pipeline.close()
        await asyncio.gather(task, return_exceptions=True)
    return count / elapsed


def run_bench_ingest(*, count: int, runs: int, latency_rate: float, latency_seconds: float, gui: bool) -> int:
    raws: list[float] = []
    intakes: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-") as tmp:
        for run in range(runs):
            with blast_server(count) as url:
                raws.append(asyncio.run(raw_rate(url, count)))
            with blast_server(count) as url:
                intakes.append(asyncio.run(intake_rate(url, count, Path(tmp) / f"run{run}.sqlite3")))
            print(
                f"run {run + 1}: raw {raws[-1]:,.0f} msgs/s, intake {intakes[-1]:,.0f} events/s", flush=True
            )
        if gui:
            from bench.latency import measure_latency

            with blast_server(int(latency_rate * latency_seconds), rate=latency_rate) as url:
                p50, p99, shown = measure_latency(url, Path(tmp) / "latency.sqlite3", latency_seconds)
            print(
                f"latency at {latency_rate:,.0f} events/s (GUI offscreen): p50 {p50:.1f} ms, "
                f"p99 {p99:.1f} ms over {shown} events",
                flush=True,
            )
    raw = statistics.median(raws)
    intake = statistics.median(intakes)
    print(f"ingest: {intake:.0f} events/s, raw {raw:.0f} msgs/s, ratio {intake / raw:.2f}")
    return 0
