"""The one FrameClock: a precise timer that pulls batched intake changes and hands them to the views."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from dispatch.feed.values import IntakeChanges

DEFAULT_FPS = 30.0
DEFAULT_SUMMARY_HZ = 2.0


def merge_summary(older: IntakeChanges | None, newer: IntakeChanges) -> IntakeChanges:
    """Counters and feed status are snapshots (latest wins); the rest accumulates, except events,
    which only the fast views show and which would make the summary grow with the event rate."""
    if older is None:
        return IntakeChanges(newer.counters, newer.feed, (), newer.metrics, newer.gaps, newer.quarantined)
    return IntakeChanges(
        counters=newer.counters,
        feed=newer.feed,
        metrics=older.metrics + newer.metrics,
        gaps=older.gaps + newer.gaps,
        quarantined=older.quarantined + newer.quarantined,
    )


class FrameClock(QObject):
    """Each tick drains once: fast views get that batch, slow views a merged summary at `summary_hz`.

    `tick()` is public so tests drive frames by hand; the timer only calls it.
    """

    changes_flushed = Signal(object)
    """One drained IntakeChanges batch, at most once per tick, never when idle."""

    summary_flushed = Signal(object)
    """Everything but events drained since the previous summary, at most `summary_hz` times a second."""

    ticked = Signal(object)
    """Every tick, busy or idle (carries None): views that paint continuously (the video wall) follow it."""

    def __init__(
        self,
        drain: Callable[[], IntakeChanges | None],
        *,
        fps: float = DEFAULT_FPS,
        summary_hz: float = DEFAULT_SUMMARY_HZ,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if fps <= 0 or summary_hz <= 0 or summary_hz > fps:
            raise ValueError("need 0 < summary_hz <= fps")
        self._drain = drain
        self._ticks_per_summary = max(1, round(fps / summary_hz))
        self._ticks = 0
        self._summary: IntakeChanges | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, round(1000 / fps)))
        self._timer.timeout.connect(self.tick)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def set_drain(self, drain: Callable[[], IntakeChanges | None]) -> None:
        """Point the clock at a new source (the pipeline exists only once the feed URL is known)."""
        self._drain = drain

    def tick(self) -> None:
        changes = self._drain()
        if changes is not None:
            self.changes_flushed.emit(changes)
            self._summary = merge_summary(self._summary, changes)
        self._ticks += 1
        if self._ticks >= self._ticks_per_summary and self._summary is not None:
            summary, self._summary = self._summary, None
            self._ticks = 0
            self.summary_flushed.emit(summary)
        self.ticked.emit(None)
