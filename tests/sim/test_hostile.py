"""`sim --fuzz`: the demo feed with a share of hostile frames, checked end to end against a real store."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from core.clock import SystemClock
from dispatch.feed.client import BackoffPolicy
from dispatch.feed.intake import Intake
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.protocol import InvalidText
from dispatch.store.write_items import QuarantineItem, WriteItem
from sim.city import demo_city
from sim.fuzz_check import check
from sim.generator import DemoGenerator
from sim.hostile import CLASSES, FuzzingPublisher, HostileFrames, open_log
from sim.server import FeedServer

FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)


def test_a_fuzzed_demo_feed_loses_no_valid_frame_and_quarantines_each_hostile_one(tmp_path: Path) -> None:
    log_path, db = tmp_path / "fuzz.jsonl", tmp_path / "s.sqlite3"
    start = time.time() - 120  # two minutes of demo life, generated at once
    generator = DemoGenerator(demo_city(), 11, start, rate=25.0)

    async def scenario() -> FuzzingPublisher:
        log = open_log(log_path)
        assert log is not None
        async with FeedServer(heartbeat_s=None) as server:
            fuzzing = FuzzingPublisher(server, 0.2, random.Random(3), time.time, log)
            pipeline = IntakePipeline(db_path=db, feed_url=server.url, policy=FAST)
            task = asyncio.create_task(pipeline.run())
            try:
                await server.wait_subscribed(1)
                for second in range(1, 121):
                    fuzzing.publish_items(generator.next_items(start + second))
                    await asyncio.sleep(0)
                deadline = time.monotonic() + 30
                while pipeline.counters().last_seq != server.head and time.monotonic() < deadline:
                    pipeline.drain()
                    await asyncio.sleep(0.01)
                # Said in full when it fails: once, under load in a whole run, the intake had not caught up
                # after 30 s (it takes under 2 s alone, also beside two CPU hogs); which part stalled?
                counters = pipeline.counters()
                assert counters.last_seq == server.head, (
                    f"intake at seq {counters.last_seq} of {server.head} after 30 s: {counters}, "
                    f"client failure {pipeline.client.last_failure!r}, "
                    f"server: {server.connections} connected, {server.cut_off} cut off for falling behind"
                )
                assert pipeline.client.last_failure == "", "the client had to reconnect"
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)
                log.close()
        return fuzzing

    fuzzing = asyncio.run(scenario())
    hostile = sum(n for kind, n in fuzzing.tally.items() if kind.startswith("hostile:"))
    total = sum(fuzzing.tally.values())
    assert total > 2000
    assert abs(hostile / total - 0.2) < 0.01
    result = check(log_path, db)
    assert result.lines()[-1] == "fuzz check: ok", "\n".join(result.lines())
    assert result.valid_stored == result.valid_expected > 1500
    assert result.quarantined.total() == hostile


REASONS = {
    "binary": {"binary_frame"},
    "not_json": {"not_json"},
    "not_object": {"not_object"},
    "not_utf8": {"not_utf8"},
    "deep": {"too_deep"},
    "bad_number": {"invalid_fields"},
    "wrong_type": {"invalid_fields", "missing_type"},
    "bad_time": {"bad_time"},
    "oversized": {"oversized"},
}


@pytest.mark.parametrize("kind", [name for name, _ in CLASSES])
def test_every_hostile_class_is_one_quarantine_row_for_the_intake(kind: str) -> None:
    frames = HostileFrames(random.Random(kind), time.time)
    for seq in range(1, 31):
        frame, text = frames.build(kind, seq)
        if text and isinstance(frame, bytes):
            frame = InvalidText(frame)
        items: list[WriteItem] = []
        Intake(items.append, SystemClock(), None).handle_frame(frame)
        assert len(items) == 1
        assert isinstance(items[0], QuarantineItem)
        assert items[0].entry.reason.value in REASONS[kind], items[0].entry.detail
