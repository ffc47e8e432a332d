"""Runs the demo city: publishes generated items as they fall due, and the blocking `sim` entry point."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from core.clock import Clock, SystemClock
from sim.city import demo_city
from sim.feed_items import CapItem, EventItem, FeedItem
from sim.generator import DemoGenerator
from sim.hostile import FuzzingPublisher, open_log
from sim.server import FeedServer
from sim.unit_motion import UnitMotion
from sim.units import MEDIA_PATH, FieldUnits, demo_photos, report_time

# Where a child demo process takes its token from, so it never shows in the process list.
TOKEN_ENV = "TIANSHU_SIM_TOKEN"


def publish_items(server: FeedServer, items: Iterable[FeedItem]) -> None:
    for item in items:
        if isinstance(item, EventItem):
            server.publish_event(item.event)
        elif isinstance(item, CapItem):
            server.publish_cap(item.xml)
        else:
            server.publish_metric(item.metric)


async def run_demo(
    server: FeedServer,
    generator: DemoGenerator,
    clock: Clock,
    *,
    tick_s: float = 0.05,
    units: FieldUnits | None = None,
    publish: Callable[[Iterable[FeedItem]], None] | None = None,
    motion: UnitMotion | None = None,
) -> None:
    """Publish whatever the generator (and the field units, answering orders) has due, once per tick.

    The generator's own rate sets how many events flow; ticking only decides how finely they are
    spread, so a tick's worth arriving together is expected. `publish` replaces plain publishing (fuzzing).
    With `motion` the crews drive to the orders' scenes and back, reporting where they are (v1.2).
    """
    publish = publish or (lambda items: publish_items(server, items))
    if units is not None:
        server.on_order = lambda order: _take(units, motion, order, clock.now())
    while True:
        now = clock.now()
        publish(generator.next_items(now))
        if units is not None:
            for report in units.due(now):
                if motion is not None:  # where the crews were up to the report, then the report
                    for status in motion.due(report_time(report, now)):
                        server.publish_unit_status(status)
                server.publish_report(report)
                if motion is not None and report["action"] in ("handled", "return_request"):
                    motion.release(report["unit"], report["order_id"], report_time(report, now))
        if motion is not None:
            for status in motion.due(now):
                server.publish_unit_status(status)
        await asyncio.sleep(tick_s)


def _take(units: FieldUnits, motion: UnitMotion | None, order: dict[str, Any], now: float) -> None:
    """A new order: the crew sets off (when it drives) and its reports are planned around its arrival."""
    arrive_at = motion.dispatch(order, now) if motion is not None else None
    units.take(order, now, arrive_at)


def serve_unit_photos(server: FeedServer, units: FieldUnits) -> None:
    """Let the server hand out the demo's photos and the units reference them there."""
    server.media.update({f"{MEDIA_PATH}{name}": data for name, data in demo_photos().items()})
    units.media_base = server.media_url


@contextlib.asynccontextmanager
async def stop_requested(*, exit_on_stdin_eof: bool) -> AsyncIterator[asyncio.Event]:
    """An event set on SIGINT or SIGTERM, or when stdin reaches EOF if asked (the parent went away).

    Enter it before announcing readiness: a signal that arrives right after the announcement must
    already find the handlers in place, or it would kill the process without a clean stop.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    if exit_on_stdin_eof:
        threading.Thread(target=_watch_stdin, args=(loop, stop), name="stdin-eof", daemon=True).start()
    try:
        yield stop
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    # os.read on the raw descriptor: a daemon thread blocked in buffered sys.stdin can abort the
    # interpreter at shutdown, this cannot.
    fd = sys.stdin.fileno()
    with contextlib.suppress(OSError):
        while os.read(fd, 65536):
            pass
    with contextlib.suppress(RuntimeError):  # the loop already closed: we are stopping anyway
        loop.call_soon_threadsafe(stop.set)


# Demo units work four times faster than real ones, so that someone trying Tianshu sees a dispatched order
# signed within a minute and handled within a few, instead of waiting out real working times.
DEMO_UNIT_PACE = 0.25


def run_sim(
    host: str,
    port: int,
    rate: float,
    seed: int | None,
    token: str | None,
    announce: Callable[[str], None],
    *,
    exit_on_stdin_eof: bool = False,
    fuzz: float = 0.0,
    fuzz_log: Path | None = None,
    warm_up_s: float = 0.0,
) -> int:
    """Serve the demo city until SIGINT/SIGTERM (or stdin EOF if asked); `announce(url)` once listening.

    With `fuzz` F > 0, a share F of all frames are hostile (sim.hostile); what was sent is
    summed up on stderr at the end and, with `fuzz_log`, listed one frame per line. With `warm_up_s`, the
    city has already lived that long when it starts: that much past life is sent at once, first."""
    return asyncio.run(
        _serve_demo(host, port, rate, seed, token, announce, exit_on_stdin_eof, fuzz, fuzz_log, warm_up_s)
    )


async def _serve_demo(
    host: str,
    port: int,
    rate: float,
    seed: int | None,
    token: str | None,
    announce: Callable[[str], None],
    exit_on_stdin_eof: bool,
    fuzz: float,
    fuzz_log: Path | None,
    warm_up_s: float = 0.0,
) -> int:
    clock = SystemClock()
    seed = seed if seed is not None else secrets.randbits(32)
    generator = DemoGenerator(demo_city(), seed, clock.now() - warm_up_s, rate=rate)
    units = FieldUnits(random.Random(seed + 1), pace=DEMO_UNIT_PACE)
    motion = UnitMotion(demo_city(), random.Random(seed + 3), clock.now())
    async with (
        stop_requested(exit_on_stdin_eof=exit_on_stdin_eof) as stop,
        FeedServer(host, port, token=token, clock=clock) as server,
    ):
        log = open_log(fuzz_log) if fuzz else None
        fuzzing = FuzzingPublisher(server, fuzz, random.Random(seed + 2), clock.now, log) if fuzz else None
        serve_unit_photos(server, units)
        announce(server.url)
        publish = fuzzing.publish_items if fuzzing is not None else None
        demo = asyncio.create_task(
            run_demo(server, generator, clock, units=units, publish=publish, motion=motion)
        )
        try:
            await stop.wait()
        finally:
            demo.cancel()
            await asyncio.gather(demo, return_exceptions=True)
            if log is not None:
                log.close()
            if fuzzing is not None:
                print(fuzzing.summary(), file=sys.stderr, flush=True)
    return 0
