"""The demo city's case rate: a simulated day through the real intake, store and discovery stays within the
documented bounds (about 1–3 new cases a minute at the peaks, far fewer at night)."""

from __future__ import annotations

import functools
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from core.clock import ManualClock
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.discovery import Discovery
from dispatch.casework.routing import Router
from dispatch.casework.timers import Timers
from dispatch.feed.intake import Intake
from dispatch.store.database import open_store
from dispatch.store.write_items import CommitResult
from dispatch.store.writer import StoreWriter
from sim.city import demo_city
from sim.feed_items import EventItem, FeedItem, MetricItem
from sim.generator import DemoGenerator
from sim.rhythm import local_hour

START = 1_767_196_800.0  # 2026-01-01 00:00 in the city (+08:00)
DAY = 86_400.0
STEP_S = 300.0


def _frame(seq: int, item: FeedItem) -> dict[str, object]:
    if isinstance(item, EventItem):
        return {"type": "event", "seq": seq, "event": item.event}
    if isinstance(item, MetricItem):
        return {"type": "metric", "seq": seq, "metric": item.metric}
    return {"type": "cap", "seq": seq, "xml": item.xml}


@functools.cache
def a_day(seed: int) -> tuple[Counter[int], int, int]:
    """New cases per local hour over one simulated day, the events sent, and the repeats folded."""
    clock = ManualClock(START)
    generator = DemoGenerator(demo_city(), seed, START, metric_interval_s=DAY)
    per_hour: Counter[int] = Counter()
    events = folded = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.sqlite3"
        results: list[CommitResult] = []
        writer = StoreWriter(path, "ws://127.0.0.1:1/demo", results.append)
        intake = Intake(writer.submit, clock, None)
        writer.flush(30)
        db = open_store(path)
        policy = load_policy(default_policy_path())
        discovery = Discovery(CaseDesk(db.conn, Timers(policy), clock), policy, Router(policy.routing).route)
        seq = 0
        try:
            while clock.now() < START + DAY:
                clock.advance(STEP_S)
                for item in generator.next_items(clock.now()):
                    seq += 1
                    events += isinstance(item, EventItem)
                    intake.handle_frame(json.dumps(_frame(seq, item), ensure_ascii=False))
                assert writer.flush(30)
                result = discovery.run_once()
                assert not result.failed
                folded += result.folded
                per_hour[int(local_hour(clock.now() - 1))] += len(result.opened)
        finally:
            db.close()
            writer.close()
    return per_hour, events, folded


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7])
def test_a_day_of_the_demo_city_makes_a_queue_one_officer_can_work(seed: int) -> None:
    per_hour, events, folded = a_day(seed)
    per_minute = {hour: per_hour[hour] / 60 for hour in range(24)}
    peak = max(per_minute.values())
    # About 1–3 new cases a minute at the busiest hour of the day (a rainstorm may add to it)…
    assert 1.0 <= peak <= 3.0, per_minute
    # … far fewer in the small hours …
    night = [per_minute[hour] for hour in range(1, 5)]
    assert max(night) < 0.6
    assert max(night) < peak / 3
    # … and machines' repeats are folded, so the feed says much more than the queue shows.
    cases = sum(per_hour.values())
    assert 1_000 <= cases <= 2_600
    assert folded > 0.5 * cases
    assert events > 1.5 * cases
