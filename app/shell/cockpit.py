"""The Cockpit controller: builds the pipeline, owns the FrameClock and the tasks, shuts down cleanly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject

from app.desk.controller import DutyController
from app.desk.jobs import UnitDirectory, demo_directory
from app.desk.photos import UnitPhotos
from app.shell.change_bus import ChangeBus
from app.shell.feed_watch import install_feed_watch
from app.shell.frame_clock import DEFAULT_FPS, FrameClock
from app.shell.main_window import MainWindow
from app.shell.store_stats import file_size, local_midnight
from app.situation.vital_state import Alarms, alarms_of
from core.clock import Clock, SystemClock
from dispatch.beat import JobHealth
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.checkpoints import Checkpointer
from dispatch.feed.order_sender import OrderSender
from dispatch.feed.pipeline import IntakePipeline, PipelineThread
from dispatch.feed.positions_wire import PositionRules
from dispatch.feed.protocol import Event
from dispatch.feed.values import ConnectionState, FeedStatus, IntakeChanges, MetricSample
from dispatch.service import ClosedLoop, LocalLoop
from dispatch.store.database import count_events_since, load_recent_events, load_recent_metrics
from dispatch.vitals.watch import VitalsWatch
from widgets.desk.duty_desk import DutyDesk

log = logging.getLogger(__name__)
# The vital sign 在办事件: with a desk, the store's count of open cases (docs/closed-loop.md).
OPEN_CASES_METRIC = "open_incidents"

STATUS_INTERVAL_S = 1.0


class Pipeline(Protocol):
    """What the cockpit needs from dispatch.feed.pipeline.IntakePipeline."""

    @property
    def status(self) -> FeedStatus: ...

    async def run(self) -> None: ...

    def drain(self) -> IntakeChanges | None: ...

    def submit_local(self, event: Event) -> None: ...

    def wake_orders(self) -> None: ...

    async def close(self) -> None: ...


class DemoFeed(Protocol):
    """What the cockpit needs from sim.process.DemoFeedProcess (running once constructed)."""

    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


PipelineFactory = Callable[[Path, str], Pipeline]


class Cockpit(QObject):
    """Wires feed → pipeline → FrameClock → window; every task it starts is kept and awaited on shutdown."""

    def __init__(
        self,
        window: MainWindow,
        *,
        db_path: Path,
        feed_url: str | None,
        pipeline_factory: PipelineFactory,
        demo_factory: Callable[[], DemoFeed] | None = None,
        fps: float = DEFAULT_FPS,
        duty: bool = True,
        loop: ClosedLoop | None = None,
        audit_checkpoints: Checkpointer | None = None,
        directory: Callable[[], UnitDirectory] = demo_directory,
        clock: Clock | None = None,
    ) -> None:
        """`directory` builds, on the desk thread, the units and roads the dispatch dialog offers: a city's
        atlas (`--atlas`), else the demo city's. `clock`: the time the cockpit shows and stamps (a drill's
        exercise clock; default the wall's)."""
        super().__init__(window)
        if feed_url is None and demo_factory is None:
            raise ValueError("without a feed URL the cockpit needs the demo city")
        self.window = window
        self.db_path = db_path
        self.clock: Clock = clock or SystemClock()
        self.feed_url = feed_url
        self._pipeline_factory = pipeline_factory
        self._demo_factory = demo_factory
        self.pipeline: Pipeline | None = None
        self._demo: DemoFeed | None = None
        # One thread for every SQLite read, so the GUI thread never waits on the disk.
        self._store_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-store-read")
        self._process_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-demo")
        # The vital-sign rules take readings and judge them on one thread of their own, in that order.
        self._vitals_io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-vitals")
        self._tasks: set[asyncio.Task[None]] = set()
        self._pipeline_task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._shut_down = False
        self._today_start = local_midnight(self.clock.now())
        # Events today = stored since midnight when counted + what the pipeline committed since then.
        self._today_base = 0
        self._committed = 0
        self._committed_at_count = 0
        self.frame_clock = FrameClock(lambda: None, fps=fps, parent=self)
        self.frame_clock.changes_flushed.connect(self._on_frame_clock_changes_flushed)
        self.frame_clock.summary_flushed.connect(self._on_frame_clock_summary_flushed)
        window.window_closed.connect(self._on_window_closed)
        # A lost feed: a banner over the main view, and the vital signs say since when.
        self.feed_watch = install_feed_watch(window, window.vocabulary, window.vitals)
        # The closed loop (one database thread) and its change bus, shared by every room that works cases.
        self.loop: ClosedLoop | None = None
        self.bus: ChangeBus | None = None
        self._owns_loop = False
        self.duty: DutyController | None = None
        self.photos: UnitPhotos | None = None
        self.vitals_watch: VitalsWatch | None = None
        if duty:
            policy = load_policy(default_policy_path())
            self._owns_loop = loop is None
            self.loop = loop or LocalLoop(
                db_path,
                policy,
                SystemClock(),
                audit_checkpoints=audit_checkpoints,
            )
            # The policy's vital-sign alert rules raise alarms into the intake, to become cases.
            # The rules judge readings on the cockpit's time (a drill's readings carry the exercise clock's).
            self.vitals_watch = VitalsWatch(policy.alert_rules, self.clock, self._submit_vital_alarm)
            desk = DutyDesk(window.vocabulary, window.theme_palette)
            window.add_duty_dock(desk)
            self.bus = ChangeBus(self.loop, self)
            self.duty = DutyController(desk, self.loop, directory=directory, bus=self.bus)
            self.duty.health_changed.connect(self._on_duty_health_changed)
            self.duty.open_counted.connect(self._on_duty_open_counted)
            # Units' photos are fetched from the feed's own origin only, into a cache beside the store.
            trusted = [feed_url] if feed_url else []
            self.photos = UnitPhotos(db_path.with_name(db_path.name + ".photos"), trusted, self)
            self.duty.case_shown.connect(self.photos.want)
            self.photos.photo_fetched.connect(desk.panel.show_photo)
            self.photos.photo_fetched.connect(desk.form.show_photo)
            window.health.failed_retry_requested.connect(self.duty.retry_failed)
        window.status.show_store(db_path, None)
        window.header.show_feed(self.tr("Demo city") if feed_url is None else feed_url)

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        return frozenset(self._tasks)

    async def start(self) -> None:
        """Start the demo city if needed, prefill from the store, then let the feed flow."""
        loop = asyncio.get_running_loop()
        self._keep(self._status_loop(), "status")
        url_job = (
            loop.run_in_executor(self._process_io, self._start_demo)
            if self.feed_url is None
            else _ready(self.feed_url)
        )
        capacity = self.window.events.model.capacity
        since = self.clock.now() - self.window.vitals.history_s
        history, readings, today, url = await asyncio.gather(
            loop.run_in_executor(self._store_io, load_recent_events, self.db_path, capacity),
            loop.run_in_executor(self._store_io, load_recent_metrics, self.db_path, since),
            loop.run_in_executor(self._store_io, count_events_since, self.db_path, self._today_start),
            url_job,
        )
        if self._shut_down:
            return
        self.window.events.prefill(history)
        # A restart during a storm must not blank the trends the room was watching.
        self.window.vitals.apply(self._vital_signs(readings))
        self._today_base = today
        self._show_events_today()
        self.feed_url = url
        if self.photos is not None:
            self.photos.trust([url])
        self.pipeline = await loop.run_in_executor(self._store_io, self._pipeline_factory, self.db_path, url)
        if self._shut_down:
            await self.pipeline.close()
            return
        self.frame_clock.set_drain(self.pipeline.drain)
        if self.duty is not None:
            self.duty.order_queued.connect(self._on_order_queued)
        self._pipeline_task = self._keep(self.pipeline.run(), "pipeline")
        self.frame_clock.start()
        # Only now: the pipeline has created and migrated the store the desk works on.
        if self.duty is not None:
            self.duty.start()

    def _on_duty_open_counted(self, count: int) -> None:
        self.window.vitals.apply([MetricSample(0, OPEN_CASES_METRIC, float(count), self.clock.now())])

    def _vital_signs(self, metrics: Sequence[MetricSample]) -> list[MetricSample]:
        """The feed's readings for the vital-sign band. With a desk, 在办事件 is the store's own count of
        open cases (the queue's and 综合评价's), never a figure a feed sends under that name."""
        if self.duty is None:
            return list(metrics)
        return [m for m in metrics if m.name != OPEN_CASES_METRIC]

    def _submit_vital_alarm(self, event: Event) -> None:
        if self.pipeline is not None:
            self.pipeline.submit_local(event)

    async def _vitals_beat(self) -> None:
        """Once a second: every alert rule, judged on the vitals thread (10,000 series take tens of ms,
        which the GUI thread must not wait for); a fault is logged and never stops the status loop."""
        if self.vitals_watch is None or self.pipeline is None:
            return
        try:
            alarms = await asyncio.get_running_loop().run_in_executor(self._vitals_io, self._judge_vitals)
        except Exception:
            log.exception("the vital-sign rules could not be evaluated")
            return
        self.window.vitals.show_alerts(alarms.by_metric, alarms.lines_by_metric)

    def _take_vitals(self, metrics: tuple[MetricSample, ...]) -> None:
        """On the vitals thread: readings for the rules; a fault is logged, not lost in a future."""
        assert self.vitals_watch is not None
        try:
            self.vitals_watch.take(metrics)
        except Exception:
            log.exception("vital-sign readings could not be taken in")

    def _judge_vitals(self) -> Alarms:
        """On the vitals thread, after the readings taken before it: alarms into the intake, the standing."""
        assert self.vitals_watch is not None
        self.vitals_watch.beat()
        return alarms_of(self.vitals_watch.monitor, self.vitals_watch.rules)

    def _on_duty_health_changed(self, health: JobHealth) -> None:
        self.window.health.show_failed_items(health.failed, health.total)
        self.window.status.show_job_health(health.total, health.errors)

    def _on_order_queued(self, order_id: str) -> None:
        if self.pipeline is not None:
            self.pipeline.wake_orders()

    def _start_demo(self) -> str:
        assert self._demo_factory is not None
        self._demo = self._demo_factory()
        return self._demo.url

    def request_stop(self) -> None:
        """SIGINT, SIGTERM or the window closing: wake whoever waits in `wait_closed`."""
        self._stop.set()

    async def wait_closed(self) -> None:
        await self._stop.wait()

    async def shutdown(self) -> None:
        """Stop painting, cancel and await our tasks, close the pipeline (store flushed), stop the demo."""
        if self._shut_down:
            return
        self._shut_down = True
        self.frame_clock.stop()
        self.window.save_layout()
        # The status loop paints too, and must end before the pipeline closes: the feed reads "stopped"
        # while the store flushes, and a tick in that time would show it on a window that is only closing.
        painters = [task for task in self._tasks if task is not self._pipeline_task]
        for task in painters:
            task.cancel()
        await asyncio.gather(*painters, return_exceptions=True)
        if self.pipeline is not None:
            await self.pipeline.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        loop = asyncio.get_running_loop()
        if self.photos is not None:
            self.photos.close()
        if self.duty is not None:
            self.duty.stop()
        if self.bus is not None:
            self.bus.close()
        if self._owns_loop and self.loop is not None:
            await loop.run_in_executor(self._process_io, self.loop.close)
        if self._demo is not None:
            await loop.run_in_executor(self._process_io, self._demo.stop)
        # The pools are idle by now; joining them makes "no stray threads after exit" hold.
        self._store_io.shutdown(wait=True)
        self._process_io.shutdown(wait=True)
        self._vitals_io.shutdown(wait=True)

    def flush_frame(self) -> None:
        """Paint whatever is pending right now (the screenshot calls this before grabbing)."""
        self.frame_clock.tick()

    def _keep(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=f"cockpit-{name}")
        task.add_done_callback(self._on_task_done)
        self._tasks.add(task)
        return task

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self._shut_down:
            return
        error = task.exception()
        if error is None:
            return
        log.error("%s stopped unexpectedly", task.get_name(), exc_info=error)
        if task is self._pipeline_task:
            # The pipeline never raises for feed trouble, so this is a bug: say the feed has stopped.
            detail = f"{type(error).__name__}: {error}"
            self.window.health.show_connection(
                FeedStatus(ConnectionState.STOPPED, self.feed_url or "", detail)
            )

    def _on_window_closed(self, _: object) -> None:
        self.request_stop()

    def _on_frame_clock_changes_flushed(self, changes: IntakeChanges) -> None:
        self.window.events.apply(changes.events)

    def _on_frame_clock_summary_flushed(self, changes: IntakeChanges) -> None:
        retry_in = _retry_in(changes.feed, self.clock.now())
        self.window.health.apply(changes, retry_in)
        if changes.metrics:
            self.window.vitals.apply(self._vital_signs(changes.metrics))
            if self.vitals_watch is not None:
                self._vitals_io.submit(self._take_vitals, tuple(changes.metrics))
        self._committed = changes.counters.events
        self._show_events_today()
        self.window.status.show_connection(
            changes.feed.state, self.window.vocabulary.connection(changes.feed, retry_in)
        )
        self.feed_watch.observe(changes.feed, retry_in)

    def _show_events_today(self) -> None:
        self.window.status.show_events_today(self._today_base + self._committed - self._committed_at_count)

    async def _status_loop(self) -> None:
        """Once a second: clocks, back-off countdown, store size, and the day rollover."""
        loop = asyncio.get_running_loop()
        while True:
            now = self.clock.now()
            window = self.window
            window.header.show_time(now)
            window.status.show_time(now)
            await self._vitals_beat()
            if self.pipeline is not None:
                feed = self.pipeline.status
                retry_in = _retry_in(feed, now)
                window.health.show_connection(feed, retry_in)
                window.status.show_connection(feed.state, window.vocabulary.connection(feed, retry_in))
                self.feed_watch.observe(feed, retry_in)
            size = await loop.run_in_executor(self._store_io, file_size, self.db_path)
            window.status.show_store(self.db_path, size)
            midnight = local_midnight(now)
            if midnight != self._today_start:
                self._today_start = midnight
                counted = await loop.run_in_executor(
                    self._store_io, count_events_since, self.db_path, midnight
                )
                self._today_base, self._committed_at_count = counted, self._committed
                self._show_events_today()
            await asyncio.sleep(STATUS_INTERVAL_S - (time.time() % STATUS_INTERVAL_S))


def _retry_in(feed: FeedStatus, now: float) -> float | None:
    """Seconds to the next attempt, on the clock the feed client stamped it with (the cockpit's)."""
    if feed.state is not ConnectionState.BACKING_OFF or feed.retry_at is None:
        return None
    return max(0.0, feed.retry_at - now)


async def _ready(value: str) -> str:
    return value


def make_pipeline_factory(
    token: str | None,
    ca_file: Path | None,
    positions: PositionRules | None = None,
    orders: Callable[[], OrderSender] | None = None,
) -> PipelineFactory:
    """The production pipeline, given the connection options the command line collected and the units and
    area live positions may name (any without); `orders` makes each pipeline's order sender (default:
    the outbox of the store the feed goes to; a seat's comes from its replica)."""

    def build(db_path: Path, feed_url: str) -> Pipeline:
        return PipelineThread(
            IntakePipeline(
                db_path=db_path,
                feed_url=feed_url,
                token=token,
                ca_file=ca_file,
                positions=positions,
                orders=orders() if orders is not None else None,
            )
        )

    return build
