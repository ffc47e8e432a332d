"""Drives the 综合评价 panel: a cheap look at the store on the desk thread, the evaluation itself on a reader
thread of its own when the audit table or the period moved, never more than a small share of the time."""

from __future__ import annotations

import concurrent.futures
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from app.shell.change_bus import ChangeBus
from app.shell.gui_call import GuiCall
from app.shift.session import Session
from dispatch.casework.evaluation import Tally
from dispatch.casework.jobs import Job
from dispatch.casework.model import Action, Role
from dispatch.casework.records import failures
from dispatch.casework.records.live import Live, closed_since, live_counts
from dispatch.casework.records.metrics import Report, compute
from dispatch.casework.records.queue import watermark
from dispatch.casework.shifts import DEFAULT_SHIFTS, ShiftPattern, current_shift
from dispatch.service import ClosedLoop, LoopContext
from dispatch.store.read_only import open_read_only
from widgets.shift.metrics_panel import MetricsPanel
from widgets.shift.metrics_values import (
    DepartmentRow,
    LiveFigures,
    MetricsView,
    OperatorRow,
    Period,
    StageTimes,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

REFRESH_MS = 30_000
# The evaluation may take this share of the time at most: one that took 1.4 s (a busy city's month) is
# not worked out again for another 12.6 s, however often the store changes meanwhile.
BUSY_SHARE = 0.1
# An evaluation that failed (a row it cannot read) is set aside as a failed item and not worked out again
# for this long, unless an operator asks for a retry or another period is chosen.
FAILED_REST_S = 300.0
_ACTIONS = frozenset(a.value for a in Action)
_ROLES = frozenset(r.value for r in Role)


def period_span(
    period: Period, now: float, zone: ZoneInfo, pattern: ShiftPattern = DEFAULT_SHIFTS
) -> tuple[float, float]:
    """[start, end) of the period running at `now` on the local calendar of `zone` (weeks start Monday)."""
    if period is Period.SHIFT:
        shift = current_shift(now, zone, pattern)
        return shift.start, shift.end
    today = datetime.fromtimestamp(now, zone).date()
    if period is Period.TODAY:
        first, after = today, today + timedelta(days=1)
    elif period is Period.WEEK:
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    else:
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    return _midnight(first, zone), _midnight(after, zone)


def _midnight(day: date, zone: ZoneInfo) -> float:
    return datetime.combine(day, clock_time(0), zone).timestamp()


@dataclass(frozen=True, slots=True)
class Glance:
    """The cheap look on the desk thread: the time, the period then, the audit watermark, live counts."""

    now: float
    start: float
    end: float
    mark: int
    live: Live
    closed_today: int = 0
    set_aside: bool = False  # this period's evaluation failed and is set aside
    retry: bool = False  # an operator asked to retry failed evaluations


def metrics_item(period: Period, start: float, zone: ZoneInfo) -> str:
    """How a period's evaluation is named in the failed items list: the period and its local start."""
    return f"{period.value} {datetime.fromtimestamp(start, zone).isoformat(timespec='minutes')}"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The period's evaluation as the panel shows it, and what it was worked out for."""

    key: tuple[float, float, int]  # start, end, audit watermark
    computed_at: float
    seconds: float  # how long compute() took
    counts: Tally
    stages: tuple[StageTimes, ...]
    departments: tuple[DepartmentRow, ...]
    operators: tuple[OperatorRow, ...]


class MetricsReader:
    """One thread with a read-only connection of its own: a month's evaluation of a busy city takes over
    a second, which the desk thread's officers' commands must not wait behind."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="tianshu-metrics"
        )

    def _connection(self) -> sqlite3.Connection:
        # Opened on first use, on this thread: by then the desk thread has created the store.
        if self._conn is None:
            conn = open_read_only(self.db_path, live=True)
            with self._lock:
                self._conn = conn
        return self._conn

    def submit(self, job: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        return self._executor.submit(lambda: job(self._connection()))

    def close(self) -> None:
        """Cut a running evaluation short, then close the connection on its own thread."""
        with self._lock:
            if self._conn is not None:
                self._conn.interrupt()
        self._executor.submit(self._close_connection)
        self._executor.shutdown(wait=True)

    def _close_connection(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class MetricsControl(QObject):
    """Owns the panel's timer and jobs; the panel only renders and says which period is chosen."""

    metrics_shown = Signal(object)
    """The panel shows a new reading (carries the MetricsView)."""

    def __init__(
        self,
        panel: MetricsPanel,
        loop: ClosedLoop,
        bus: ChangeBus,
        session: Session,
        *,
        tz: str,
        pattern: ShiftPattern = DEFAULT_SHIFTS,
        exercise: bool = False,
        refresh_ms: int = REFRESH_MS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self._loop = loop
        self._reader = MetricsReader(loop.db_path)
        self._session = session
        self._tz = tz
        self._pattern = pattern
        self._exercise = exercise
        self._monotonic = monotonic
        self._gui = GuiCall(self)
        self._evaluation: Evaluation | None = None
        self._rest_until = 0.0
        self._failed_until = 0.0
        self._busy = False
        self._again: bool | None = None  # a read asked for while one is under way (forced or not)
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._after_rest = QTimer(self)
        self._after_rest.setSingleShot(True)
        self._after_rest.timeout.connect(self._on_after_rest_timeout)
        panel.period_changed.connect(self._on_panel_period_changed)
        # Every change to a case (here or at another console) may move the figures; the timer is for the
        # counts that move with the clock alone (overdue, on time).
        bus.changed.connect(self.store_changed)
        session.lock_changed.connect(self._on_session_lock_changed)

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        """Stop the timers and the reader thread; answers still on their way are dropped."""
        self._stopped = True
        self._timer.stop()
        self._after_rest.stop()
        self._reader.close()

    def refresh(self, *, force: bool = False) -> None:
        """Read again now: the live counts always, the evaluation when the audit table or the period moved
        (`force`: even while the last evaluation's rest lasts). Not while hidden or locked."""
        if self._stopped or self._session.locked or not self.panel.isVisible():
            return
        if self._busy:
            self._again = force or bool(self._again)
            return
        self._busy = True
        period, zone, pattern, exercise = self.panel.period, ZoneInfo(self._tz), self._pattern, self._exercise

        def glance(ctx: LoopContext) -> Glance:
            conn = ctx.desk.conn
            now = ctx.clock.now()
            start, end = period_span(period, now, zone, pattern)
            # The watermark first: rows landing after it make the next look recompute, never miss them.
            mark = watermark(conn)
            set_aside = metrics_item(period, start, zone) in failures.set_aside_items(conn, Job.METRICS)
            retry = bool(failures.retries_due(conn, Job.METRICS))
            today, _ = period_span(Period.TODAY, now, zone, pattern)
            closed = closed_since(conn, today, exercise=exercise)
            live = live_counts(conn, now, exercise=exercise)
            return Glance(now, start, end, mark, live, closed, set_aside, retry)

        self._gui.when_done(
            self._loop.query(glance),
            lambda seen: self._on_glance(period, force, seen),
            self._on_failed,
        )

    def store_changed(self, *_: object) -> None:
        """Something was done on the store (this console's command, a unit's report): read again soon."""
        self.refresh()

    def _on_glance(self, period: Period, force: bool, seen: Glance) -> None:
        if self._stopped:
            return
        if period is not self.panel.period:
            # Another period was chosen meanwhile; the read it asked for comes next.
            self._settle()
            return
        known = self._evaluation
        key = (seen.start, seen.end, seen.mark)
        item = metrics_item(period, seen.start, ZoneInfo(self._tz))
        if known is not None and known.key == key:
            self._show(period, seen, known)
            return
        force = force or seen.retry
        if seen.set_aside and not force and self._monotonic() < self._failed_until:
            # This period's evaluation failed a moment ago: the live counts go on, the failure is listed.
            if known is not None and known.key[:2] == key[:2]:
                self._show(period, seen, known)
            self._settle()
            return
        resting = self._rest_until - self._monotonic()
        if known is not None and not force and resting > 0:
            # Live counts now; the evaluation when the rest is over.
            if known.key[:2] == key[:2]:
                self._show(period, seen, known)
            self._after_rest.start(max(1, round(resting * 1000)))
            self._settle()
            return
        exercise = self._exercise
        self._gui.when_done(
            self._reader.submit(lambda conn: _evaluate(conn, seen, exercise)),
            lambda done: self._on_evaluated(period, seen, done),
            lambda error: self._on_evaluation_failed(period, item, seen, error),
        )

    def _on_evaluated(self, period: Period, seen: Glance, done: Evaluation) -> None:
        if self._stopped:
            return
        item = metrics_item(period, seen.start, ZoneInfo(self._tz))
        if seen.retry or seen.set_aside:
            self._record(item, None)
        self._evaluation = done
        self._rest_until = self._monotonic() + done.seconds * (1 / BUSY_SHARE - 1)
        self._show(period, seen, done)

    def _show(self, period: Period, seen: Glance, done: Evaluation) -> None:
        if period is not self.panel.period:
            self._settle()
            return
        live = seen.live
        view = MetricsView(
            period=period, start=seen.start, end=seen.end, zone=self._tz, exercise=self._exercise,
            as_of=seen.now, computed_at=done.computed_at, counts=done.counts, stages=done.stages,
            departments=done.departments, operators=done.operators,
            live=LiveFigures(live.open, live.overdue, live.carded, live.parked, seen.closed_today),
        )  # fmt: skip
        self.panel.show_metrics(view)
        self.metrics_shown.emit(view)
        self._settle()

    def _settle(self) -> None:
        self._busy = False
        again, self._again = self._again, None
        if again is not None:
            self.refresh(force=again)

    def _on_failed(self, error: BaseException) -> None:
        if self._stopped:
            return
        log.error("reading the evaluation failed: %s", error)
        self._settle()

    def _on_evaluation_failed(self, period: Period, item: str, seen: Glance, error: BaseException) -> None:
        """Set the period's evaluation aside (listed on the feed-health panel) and rest from it a while;
        the live counts keep coming, beside the period's last evaluation when there is one."""
        if self._stopped:
            return
        log.error("the evaluation of %s failed: %s", item, error, exc_info=error)
        self._failed_until = self._monotonic() + FAILED_REST_S
        self._record(item, error)
        known = self._evaluation
        if known is not None and known.key[:2] == (seen.start, seen.end):
            self._show(period, seen, known)
        else:
            self._settle()

    def _record(self, item: str, error: BaseException | None) -> None:
        # On the desk thread, before any later glance there: the next one sees the item set aside.
        self._gui.when_done(self._loop.write(partial(_record, item, error)), _ignore, self._on_record_failed)

    def _on_record_failed(self, error: BaseException) -> None:
        log.error("recording the evaluation's failure failed: %s", error, exc_info=error)

    def _on_timer_timeout(self) -> None:
        self.refresh()

    def _on_after_rest_timeout(self) -> None:
        self.refresh()

    def _on_panel_period_changed(self, period: Period) -> None:
        self.refresh(force=True)

    def _on_session_lock_changed(self, locked: bool) -> None:
        if not locked:
            self.refresh()


def _ignore(_: object) -> None:
    pass


def _record(item: str, error: BaseException | None, ctx: LoopContext) -> None:
    """On the desk thread: set the evaluation of `item` aside (or clear it, when it went through now)."""
    with ctx.desk.transaction() as conn:
        if error is None:
            # Evaluations asked to be retried for periods gone by went through with this one's rows.
            failures.clear(conn, Job.METRICS, item)
            failures.clear_retried(conn, Job.METRICS)
        else:
            failures.set_aside(conn, Job.METRICS, item, error, ctx.clock.now())


def _evaluate(conn: sqlite3.Connection, seen: Glance, exercise: bool) -> Evaluation:
    """compute() for the glanced period, and the operators' names, on the reader thread."""
    started = time.perf_counter()
    report = compute(conn, seen.start, seen.end, exercise=exercise)
    names = dict(conn.execute("SELECT login, name FROM operators").fetchall())
    seconds = time.perf_counter() - started
    return evaluation_of(report, names, key=(seen.start, seen.end, seen.mark), at=seen.now, seconds=seconds)


def evaluation_of(
    report: Report,
    operator_names: Mapping[str, str],
    *,
    key: tuple[float, float, int],
    at: float,
    seconds: float,
) -> Evaluation:
    """The report in the panel's plain values; operators busiest first."""
    stages = tuple(StageTimes(span, d.count, d.p50, d.p90) for span, d in report.spans.items())
    departments = tuple(
        DepartmentRow(line.unit, line.tally, line.score, line.grade.value) for line in report.departments
    )
    operators = []
    for op in report.operators:
        actions = sorted(
            ((Action(a), n) for a, n in op.actions.items() if a in _ACTIONS),
            key=lambda item: (-item[1], item[0].value),
        )
        roles = tuple(Role(r) for r in op.roles if r in _ROLES)
        operators.append(OperatorRow(op.actor, operator_names.get(op.actor, ""), roles, tuple(actions)))
    operators.sort(key=lambda row: (-row.total, row.login))
    return Evaluation(key, at, seconds, report.total, stages, departments, tuple(operators))
