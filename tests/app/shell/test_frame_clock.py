"""FrameClock: one drain per tick, nothing when idle, a merged summary at the slow cadence."""

from __future__ import annotations

from collections import deque

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.shell.frame_clock import FrameClock
from dispatch.feed.values import (
    ConnectionState,
    FeedStatus,
    Gap,
    IntakeChanges,
    IntakeCounters,
    MetricSample,
)
from tests.widgets.conftest import stored


def batch(n: int, *, with_metric: bool = False) -> IntakeChanges:
    return IntakeChanges(
        counters=IntakeCounters(events=n),
        feed=FeedStatus(ConnectionState.CONNECTED, "ws://x"),
        events=(stored(n),),
        metrics=(MetricSample(n, "aqi", float(n), float(n)),) if with_metric else (),
    )


class Source:
    """A drain that hands out queued batches, then None (idle)."""

    def __init__(self, *batches: IntakeChanges) -> None:
        self.queue = deque(batches)
        self.calls = 0

    def __call__(self) -> IntakeChanges | None:
        self.calls += 1
        return self.queue.popleft() if self.queue else None


def recorder(clock: FrameClock) -> tuple[list[IntakeChanges], list[IntakeChanges]]:
    fast: list[IntakeChanges] = []
    slow: list[IntakeChanges] = []
    clock.changes_flushed.connect(fast.append)
    clock.summary_flushed.connect(slow.append)
    return fast, slow


def test_an_idle_clock_emits_nothing(qapp: QApplication) -> None:
    source = Source()
    clock = FrameClock(source)
    fast, slow = recorder(clock)

    for _ in range(100):
        clock.tick()

    assert source.calls == 100
    assert fast == []
    assert slow == []


def test_each_tick_flushes_at_most_one_batch(qapp: QApplication) -> None:
    first, second = batch(1), batch(2)
    clock = FrameClock(Source(first, second))
    fast, _ = recorder(clock)

    clock.tick()
    assert fast == [first]
    clock.tick()
    clock.tick()
    assert fast == [first, second]


def test_the_summary_merges_a_cadence_worth_without_events(qapp: QApplication) -> None:
    gap = Gap(1, 9, "reset", 0.0)
    third = IntakeChanges(
        counters=IntakeCounters(events=3), feed=FeedStatus(ConnectionState.BACKING_OFF, "ws://x"), gaps=(gap,)
    )
    clock = FrameClock(
        Source(batch(1, with_metric=True), batch(2, with_metric=True), third), fps=30, summary_hz=10
    )
    _, slow = recorder(clock)

    for _ in range(2):
        clock.tick()
    assert slow == []
    clock.tick()

    assert len(slow) == 1
    summary = slow[0]
    assert summary.counters.events == 3
    assert summary.feed.state is ConnectionState.BACKING_OFF
    assert [m.value for m in summary.metrics] == [1.0, 2.0]
    assert summary.gaps == (gap,)
    assert summary.events == ()
    for _ in range(9):
        clock.tick()
    assert len(slow) == 1


def test_first_change_after_a_quiet_spell_reaches_slow_views_at_once(qapp: QApplication) -> None:
    source = Source()
    clock = FrameClock(source, fps=30, summary_hz=2)
    _, slow = recorder(clock)
    for _ in range(40):
        clock.tick()

    source.queue.append(batch(1))
    clock.tick()

    assert len(slow) == 1


def test_the_timer_is_precise_and_drives_tick(qapp: QApplication) -> None:
    clock = FrameClock(Source(), fps=30)
    timer = clock._timer
    assert timer.timerType() == Qt.TimerType.PreciseTimer
    assert timer.interval() == 33
    clock.start()
    assert clock.running
    clock.stop()
    assert not clock.running


def test_bad_rates_are_refused(qapp: QApplication) -> None:
    with pytest.raises(ValueError, match="summary_hz"):
        FrameClock(Source(), fps=2, summary_hz=5)
