"""The intake pipeline: feed client → intake → store writer, with changes accumulated for the views."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from dataclasses import replace
from pathlib import Path

import msgspec

from core.clock import Clock, SystemClock
from dispatch.casework.policy import TimeWindow
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.feed.client import BackoffPolicy, FeedClient
from dispatch.feed.intake import Intake
from dispatch.feed.order_sender import OrderSender
from dispatch.feed.positions_wire import PositionRules
from dispatch.feed.protocol import Event, Rejected, decode_event, encode_event_object
from dispatch.feed.values import (
    ConnectionState,
    FeedStatus,
    Gap,
    IntakeChanges,
    IntakeCounters,
    MetricSample,
    QuarantineEntry,
    StorageTrouble,
)
from dispatch.store.write_items import NEWEST_KEPT, CommitResult, EventItem, EventRow, stored_events
from dispatch.store.writer import StoreWriter

RATE_WINDOW_S = 5.0
LOCAL_VIDEO_FEED = "local:video"


class IntakePipeline:
    """One feed into one store. `run()` on the event loop; `drain()` from the view side, on the same loop."""

    def __init__(
        self,
        *,
        db_path: Path,
        feed_url: str,
        token: str | None = None,
        ca_file: Path | None = None,
        clock: Clock | None = None,
        policy: BackoffPolicy | None = None,
        time_window: TimeWindow | None = None,
        positions: PositionRules | None = None,
        orders: OrderSender | None = None,
    ) -> None:
        """`positions`: the units and area live positions may name (PositionRules.from_atlas); any without.
        `orders`: where the orders sent on this connection come from (default: this store's outbox)."""
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()
        # Filled by the writer thread under the lock, taken by drain(); only the newest rows can be shown.
        self._rows: deque[EventRow] = deque(maxlen=NEWEST_KEPT)
        self._metrics: list[MetricSample] = []
        self._gaps: list[Gap] = []
        self._quarantined: list[QuarantineEntry] = []
        self._commits = 0
        self._totals = {
            "events": 0,
            "revisions": 0,
            "duplicates": 0,
            "quarantined": 0,
            "metrics": 0,
            "gaps": 0,
            "positions": 0,
        }
        self._rate_marks: deque[tuple[float, int]] = deque()
        self._status = FeedStatus(ConnectionState.IDLE, feed_url, since=self._clock.now())
        self._status_changed = True
        self._committed_cursor: int | None = None
        # Written by the writer thread; the feed is not read while the store cannot take writes.
        self._storage: StorageTrouble | None = None
        self._storage_detail = ""
        self._storage_moved = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.writer = StoreWriter(db_path, feed_url, self._on_commit, self._on_storage)
        self._committed_cursor = self.writer.initial_cursor
        # Received times are judged by the policy the closed loop runs on (the shipped file, as the desk's).
        window = time_window or load_policy(default_policy_path()).time_window
        self.intake = Intake(self.writer.submit, self._clock, self.writer.initial_cursor, window, positions)
        # Orders dispatched on this console go out on the feed connection (protocol v1.1).
        self.orders = orders or OrderSender(db_path)
        self.client = FeedClient(
            feed_url,
            on_frame=self.intake.handle_frame,
            resume_after=lambda: self.intake.cursor,
            on_status=self._on_status,
            clock=self._clock,
            token=token,
            ca_file=ca_file,
            policy=policy,
            companion=self.orders.serve,
        )
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._last_frames = 0
        self._last_rate = 0.0

    @property
    def status(self) -> FeedStatus:
        """The connection, and why the feed is paused while the store cannot take writes."""
        status, storage = self._status, self._storage
        return status if storage is None else replace(status, storage=storage, detail=self._storage_detail)

    async def run(self) -> None:
        """Keep the feed flowing until `close()`; feed trouble is reported through status, never raised.

        While the store cannot take writes (a full disk, an I/O error) the feed is not read: the writer
        keeps what it was given and retries with back-off, the server keeps the rest, and reading resumes
        from the last accepted frame once a write succeeds again.
        """
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        try:
            while True:
                await self._read_feed()
                while self._storage is not None:
                    self._storage_moved.clear()
                    await self._storage_moved.wait()
        except asyncio.CancelledError:
            if not self._closed:
                raise

    async def _read_feed(self) -> None:
        """Run the feed client until the store reports trouble."""
        client = asyncio.ensure_future(self.client.run())
        moved: asyncio.Task[bool] | None = None
        try:
            while not client.done() and self._storage is None:
                self._storage_moved.clear()
                moved = asyncio.ensure_future(self._storage_moved.wait())
                await asyncio.wait({client, moved}, return_when=asyncio.FIRST_COMPLETED)
                moved.cancel()
            if client.done():
                client.result()
        finally:
            client.cancel()
            if moved is not None:
                moved.cancel()
            await asyncio.gather(client, *([] if moved is None else [moved]), return_exceptions=True)

    def _on_storage(self, trouble: StorageTrouble | None, detail: str) -> None:
        """From the writer thread: the store stopped or started taking writes."""
        self._storage, self._storage_detail = trouble, detail
        self._status_changed = True
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(self._storage_moved.set)

    async def close(self) -> None:
        """Stop reading, commit everything accepted so far, and join the writer thread."""
        self._closed = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.to_thread(self.writer.close)

    def flush(self, timeout: float | None = None) -> bool:
        """Block until every accepted frame is committed (for tests and the headless exit)."""
        return self.writer.flush(timeout)

    def submit_local(self, event: Event, feed: str = LOCAL_VIDEO_FEED) -> None:
        """Store an event raised on this console (motion analytics) like a feed event: same checks for
        repeats, same discovery, but under its own feed name and without moving the server's cursor.
        Safe from any thread; an event that breaks the protocol's field rules raises ValueError."""
        fields = {k: v for k, v in msgspec.to_builtins(event).items() if v is not None}
        decoded = decode_event(encode_event_object(fields), 0)
        if isinstance(decoded, Rejected):
            raise ValueError(f"local event {event.id!r} is invalid: {decoded.detail}")
        self.writer.submit(EventItem(decoded, self._clock.now(), feed))

    def wake_orders(self) -> None:
        """A new order is in the outbox: send it now rather than at the next poll (any thread)."""
        self.orders.wake()

    def _on_status(self, status: FeedStatus) -> None:
        self._status = status
        self._status_changed = True

    def _on_commit(self, result: CommitResult) -> None:
        with self._lock:
            self._commits += 1
            self._rows.extend(result.rows)
            self._metrics += result.metrics
            self._gaps += result.gaps
            self._quarantined += result.quarantined
            totals = self._totals
            totals["events"] += result.stored
            totals["revisions"] += result.revisions
            totals["duplicates"] += result.duplicates
            totals["quarantined"] += len(result.quarantined)
            totals["metrics"] += len(result.metrics)
            totals["gaps"] += len(result.gaps)
            totals["positions"] += result.positions
            self._committed_cursor = result.cursor

    def counters(self) -> IntakeCounters:
        frames = self.intake.counters
        totals = self._totals
        return IntakeCounters(
            frames=frames.frames,
            events=totals["events"],
            revisions=totals["revisions"],
            duplicates=totals["duplicates"],
            replays=frames.replays,
            quarantined=totals["quarantined"],
            unknown=frames.unknown,
            metrics=totals["metrics"],
            heartbeats=frames.heartbeats,
            cap_dropped=frames.cap_dropped,
            gaps=totals["gaps"],
            positions=totals["positions"],
            last_seq=self._committed_cursor,
            head=frames.head,
            events_per_s=self._rate(),
        )

    def _rate(self) -> float:
        marks = self._rate_marks
        if len(marks) < 2:
            return 0.0
        (t0, n0), (t1, n1) = marks[0], marks[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    def drain(self) -> IntakeChanges | None:
        """Everything committed since the last drain, or None when nothing at all changed."""
        with self._lock:
            commits, self._commits = self._commits, 0
            rows, self._rows = self._rows, deque(maxlen=NEWEST_KEPT)
            metrics, self._metrics = self._metrics, []
            gaps, self._gaps = self._gaps, []
            quarantined, self._quarantined = self._quarantined, []
            counters = self.counters()
        failure = self.writer.failure
        if failure is not None and self._status.state is not ConnectionState.STOPPED:
            self._on_status(
                FeedStatus(
                    ConnectionState.STOPPED,
                    self._status.url,
                    f"store write failed: {failure}",
                    self._clock.now(),
                )
            )
            if self._task is not None:
                # drain() may run on another thread than the pipeline's loop.
                self._task.get_loop().call_soon_threadsafe(self._task.cancel)
        now = self._clock.monotonic()
        self._mark_rate(now, counters.events)
        rate = round(self._rate())
        moved = counters.frames != self._last_frames or rate != self._last_rate
        if not commits and not self._status_changed and not moved:
            return None
        self._status_changed = False
        self._last_rate = rate
        self._last_frames = counters.frames
        return IntakeChanges(
            counters=replace(counters, events_per_s=self._rate()),
            feed=self.status,
            events=stored_events(rows),
            metrics=tuple(metrics),
            gaps=tuple(gaps),
            quarantined=tuple(quarantined),
        )

    def _mark_rate(self, now: float, events: int) -> None:
        marks = self._rate_marks
        if marks and now - marks[-1][0] < 0.2:
            return
        marks.append((now, events))
        while marks and now - marks[0][0] > RATE_WINDOW_S:
            marks.popleft()


class PipelineThread:
    """Runs an IntakePipeline on its own thread and event loop, so reading the feed never waits for a
    busy GUI thread (and painting never waits for the feed). Same interface as the pipeline."""

    def __init__(self, pipeline: IntakePipeline) -> None:
        self.pipeline = pipeline
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._finished: asyncio.Future[None] | None = None
        self._started = threading.Event()
        self._closed = False

    @property
    def status(self) -> FeedStatus:
        return self.pipeline.status

    def drain(self) -> IntakeChanges | None:
        return self.pipeline.drain()

    def submit_local(self, event: Event) -> None:
        self.pipeline.submit_local(event)

    def wake_orders(self) -> None:
        self.pipeline.wake_orders()

    async def run(self) -> None:
        """Start the feed thread and wait until it has ended (after `close()`)."""
        if self._closed:
            return
        caller = asyncio.get_running_loop()
        started = self._started
        finished: asyncio.Future[None] = caller.create_future()
        self._finished = finished

        async def body() -> None:
            self._closing = asyncio.Event()
            started.set()
            feed = asyncio.ensure_future(self.pipeline.run())
            await self._closing.wait()
            await self.pipeline.close()
            await asyncio.gather(feed, return_exceptions=True)

        def main() -> None:
            # Explicitly a plain loop: the GUI installs qasync's policy, whose loops belong to Qt's thread.
            loop = asyncio.SelectorEventLoop()
            self._loop = loop
            try:
                loop.run_until_complete(body())
            finally:
                loop.close()
                caller.call_soon_threadsafe(_settle, finished)

        self._thread = threading.Thread(target=main, name="tianshu-feed", daemon=True)
        self._thread.start()
        await asyncio.to_thread(started.wait)
        await asyncio.shield(finished)

    async def close(self) -> None:
        """Close the pipeline on its own loop (everything accepted is committed), then join the thread."""
        self._closed = True
        if self._thread is None or self._finished is None:
            await self.pipeline.close()  # never started: only the store writer to stop
            return
        await asyncio.to_thread(self._started.wait)  # close() may come while the thread is starting
        loop, closing, thread = self._loop, self._closing, self._thread
        assert loop is not None
        assert closing is not None
        with contextlib.suppress(RuntimeError):  # the loop already ended on its own
            loop.call_soon_threadsafe(closing.set)
        await self._finished
        await asyncio.to_thread(thread.join)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
