"""Send-to-visible latency: the real cockpit offscreen on a paced feed whose events carry their send time."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings

from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.gui import build_window, dispose, prepare_application
from dispatch.feed.values import StoredEvent


def measure_latency(
    url: str, db_path: Path, seconds: float, *, duty: bool = True
) -> tuple[float, float, int]:
    """p50 and p99 in ms from an event's send time (its occurred_at) to the live stream showing it;
    `duty=False` leaves the duty desk (and its database work) out, to tell its share apart."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = prepare_application()
    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tianshu-latency-") as scratch:
        settings = QSettings(str(Path(scratch) / "layout.ini"), QSettings.Format.IniFormat)
        window = build_window(app, settings)
        window.resize(1920, 1080)
        panel = window.events
        shown_by_panel = panel.apply

        def apply_and_time(events: Sequence[StoredEvent]) -> None:
            shown_by_panel(events)
            # Qt lays the rows out and paints them when control returns to it; do exactly that now, so
            # the stamp is taken after the paint the operator sees (and that paint is not done twice).
            panel.table.doItemsLayout()
            panel.table.viewport().repaint()
            now = time.time()
            latencies.extend((now - event.occurred_at) * 1000 for event in events)

        panel.apply = apply_and_time  # type: ignore[method-assign]
        cockpit = Cockpit(
            window,
            db_path=db_path,
            feed_url=url,
            pipeline_factory=make_pipeline_factory(None, None),
            duty=duty,
        )
        window.show()
        # The live stream shares its dock area with the duty desk, which opens in front: measure the stream
        # the way an operator watching it sees it, at its full size.
        window.event_dock.raise_()

        async def run() -> None:
            try:
                await cockpit.start()
                await asyncio.sleep(seconds + 1.0)
            finally:
                await cockpit.shutdown()

        qasync.run(run())
        dispose(window)
    if len(latencies) < 2:
        raise RuntimeError("the live stream showed no events")
    # The first second includes connecting and the start-up prefill; measure the steady state.
    steady = latencies[len(latencies) // 10 :]
    quantiles = statistics.quantiles(steady, n=100)
    return statistics.median(steady), quantiles[98], len(latencies)
