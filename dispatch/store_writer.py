"""The one thread that writes the store: group commits of events, metrics, quarantine and the feed cursor."""

from __future__ import annotations

import hashlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from dispatch.model import Gap, MetricSample, QuarantineEntry, StoredEvent
from dispatch.protocol import DecodedEvent, Metric
from dispatch.store import open_store, read_cursor

MAX_BATCH = 20_000
HEAD_CACHE_LIMIT = 200_000
RETRY_FIRST_S = 0.25
RETRY_CAP_S = 10.0


@dataclass(frozen=True, slots=True)
class EventItem:
    decoded: DecodedEvent
    received_at: float


@dataclass(frozen=True, slots=True)
class MetricItem:
    seq: int
    metric: Metric


@dataclass(frozen=True, slots=True)
class QuarantineItem:
    entry: QuarantineEntry


@dataclass(frozen=True, slots=True)
class CursorItem:
    """A frame that was handled without producing a row (unknown type, dropped CAP): move past it."""

    seq: int


@dataclass(frozen=True, slots=True)
class GapItem:
    gap: Gap


WriteItem = EventItem | MetricItem | QuarantineItem | CursorItem | GapItem


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What one committed transaction changed."""

    events: tuple[StoredEvent, ...]
    revisions: int
    duplicates: int
    metrics: tuple[MetricSample, ...]
    quarantined: tuple[QuarantineEntry, ...]
    gaps: tuple[Gap, ...]
    cursor: int | None


class _Barrier:
    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()

_INSERT_EVENT = (
    "INSERT INTO events (source, event_id, revision, feed, seq, received_at, occurred_at, category, "
    "severity, title, description, lon, lat, address, grid, camera_id, exercise, cancelled, content_hash, "
    "payload) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_UPSERT_HEAD = (
    "INSERT INTO event_heads (source, event_id, revision, content_hash, duplicates) VALUES (?,?,?,?,0) "
    "ON CONFLICT (source, event_id) DO UPDATE SET revision = excluded.revision, "
    "content_hash = excluded.content_hash"
)


class StoreWriter:
    """Owns the write connection on its own thread; everything else hands it items through `submit`."""

    def __init__(self, db_path: Path, feed: str, on_commit: Callable[[CommitResult], None]) -> None:
        self._db_path = db_path
        self._feed = feed
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._heads: dict[tuple[str, str], tuple[int, bytes]] = {}
        self._cursor: int | None = None
        self._failure: BaseException | None = None
        self.trouble: str | None = None
        db = open_store(db_path)
        try:
            self.initial_cursor = read_cursor(db, feed)
        finally:
            db.close()
        self._cursor = self.initial_cursor
        self._thread = threading.Thread(target=self._run, name="tianshu-store-writer", daemon=True)
        self._thread.start()

    @property
    def failure(self) -> BaseException | None:
        """The error that stopped the writer, if it stopped on one."""
        return self._failure

    def submit(self, item: WriteItem) -> None:
        self._queue.put(item)

    def flush(self, timeout: float | None = None) -> bool:
        """Block until everything submitted so far is committed; False on timeout or a dead writer."""
        barrier = _Barrier()
        self._queue.put(barrier)
        return barrier.done.wait(timeout) and self._failure is None

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop the thread and close the connection."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        db = open_store(self._db_path)
        try:
            stopping = False
            while not stopping:
                batch: list[WriteItem] = []
                barriers: list[_Barrier] = []
                item = self._queue.get()
                while True:
                    if item is _STOP:
                        stopping = True
                    elif isinstance(item, _Barrier):
                        barriers.append(item)
                    else:
                        batch.append(item)  # type: ignore[arg-type]
                    if len(batch) >= MAX_BATCH:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                try:
                    if batch:
                        self._commit_with_retry(db.conn, batch)
                finally:
                    for barrier in barriers:
                        barrier.done.set()
        except Exception as error:
            # Nothing is lost: the cursor was not committed, so a restart re-fetches this batch.
            self._failure = error
            self._release_waiters()
        finally:
            db.close()

    def _commit_with_retry(self, conn: sqlite3.Connection, batch: list[WriteItem]) -> None:
        """A locked or full disk is waited out, keeping the batch; anything else stops the writer."""
        delay = RETRY_FIRST_S
        while True:
            try:
                self._commit(conn, batch)
            except sqlite3.OperationalError as error:
                self.trouble = str(error)
                time.sleep(delay)
                delay = min(delay * 2, RETRY_CAP_S)
            else:
                self.trouble = None
                return

    def _release_waiters(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Barrier):
                item.done.set()

    def _commit(self, conn: sqlite3.Connection, batch: list[WriteItem]) -> None:
        events: list[StoredEvent] = []
        event_rows: list[tuple[object, ...]] = []
        head_rows: list[tuple[object, ...]] = []
        duplicate_keys: list[tuple[str, str]] = []
        metrics: list[MetricSample] = []
        metric_rows: list[tuple[object, ...]] = []
        quarantined: list[QuarantineEntry] = []
        gaps: list[Gap] = []
        revisions = 0
        cursor = self._cursor
        conn.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                if isinstance(item, EventItem):
                    cursor = item.decoded.seq
                    stored = self._apply_event(conn, item, event_rows, head_rows, duplicate_keys)
                    if stored is not None:
                        events.append(stored)
                        revisions += stored.revision > 1
                elif isinstance(item, MetricItem):
                    cursor = item.seq
                    sample = _sample(item)
                    metrics.append(sample)
                    metric_rows.append(_metric_row(self._feed, sample))
                elif isinstance(item, QuarantineItem):
                    entry = item.entry
                    cursor = entry.seq if entry.seq is not None else cursor
                    quarantined.append(entry)
                elif isinstance(item, CursorItem):
                    cursor = item.seq
                else:
                    cursor = item.gap.head
                    gaps.append(item.gap)
            conn.executemany(_INSERT_EVENT, event_rows)
            conn.executemany(_UPSERT_HEAD, head_rows)
            conn.executemany(
                "UPDATE event_heads SET duplicates = duplicates + 1 WHERE source = ? AND event_id = ?",
                duplicate_keys,
            )
            conn.executemany(
                "INSERT INTO metrics (feed, seq, name, value, unit, at, labels) VALUES (?,?,?,?,?,?,?)",
                metric_rows,
            )
            conn.executemany(
                "INSERT INTO quarantine (feed, received_at, seq, reason, detail, raw, raw_size) "
                "VALUES (?,?,?,?,?,?,?)",
                [
                    (self._feed, q.received_at, q.seq, q.reason.value, q.detail, q.raw, q.raw_size)
                    for q in quarantined
                ],
            )
            conn.executemany(
                "INSERT INTO gaps (feed, after_seq, head, reason, at) VALUES (?,?,?,?,?)",
                [(self._feed, g.after_seq, g.head, g.reason, g.at) for g in gaps],
            )
            if cursor is not None:
                conn.execute(
                    "INSERT INTO feed_state (feed, last_seq, updated_at) VALUES (?, ?, strftime('%s','now')) "
                    "ON CONFLICT (feed) DO UPDATE SET last_seq = excluded.last_seq, "
                    "updated_at = excluded.updated_at",
                    (self._feed, cursor),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self._heads.clear()
            raise
        self._cursor = cursor
        self._on_commit(
            CommitResult(
                events=tuple(events),
                revisions=revisions,
                duplicates=len(duplicate_keys),
                metrics=tuple(metrics),
                quarantined=tuple(quarantined),
                gaps=tuple(gaps),
                cursor=cursor,
            )
        )

    def _apply_event(
        self,
        conn: sqlite3.Connection,
        item: EventItem,
        event_rows: list[tuple[object, ...]],
        head_rows: list[tuple[object, ...]],
        duplicate_keys: list[tuple[str, str]],
    ) -> StoredEvent | None:
        decoded = item.decoded
        event = decoded.event
        key = (event.source, event.id)
        digest = hashlib.blake2b(decoded.canonical, digest_size=16).digest()
        head = self._heads.get(key)
        if head is None:
            row = conn.execute(
                "SELECT revision, content_hash FROM event_heads WHERE source = ? AND event_id = ?", key
            ).fetchone()
            head = (0, b"") if row is None else (int(row[0]), bytes(row[1]))
        if head[1] == digest:
            duplicate_keys.append(key)
            return None
        revision = head[0] + 1
        if len(self._heads) >= HEAD_CACHE_LIMIT:
            self._heads.clear()
        self._heads[key] = (revision, digest)
        location = event.location
        stored = StoredEvent(
            source=event.source,
            event_id=event.id,
            revision=revision,
            seq=decoded.seq,
            received_at=item.received_at,
            occurred_at=event.occurred_at.timestamp(),
            category=event.category,
            severity=event.severity,
            title=event.title,
            description=event.description,
            lon=location.lon if location else None,
            lat=location.lat if location else None,
            address=location.address if location else None,
            grid=location.grid if location else None,
            camera_id=event.camera_id,
            exercise=event.exercise,
            cancelled=event.cancelled,
        )
        event_rows.append(
            (
                *(stored.source, stored.event_id, revision, self._feed, stored.seq, stored.received_at),
                *(stored.occurred_at, stored.category, stored.severity, stored.title, stored.description),
                *(stored.lon, stored.lat, stored.address, stored.grid, stored.camera_id),
                *(int(stored.exercise), int(stored.cancelled), digest, decoded.canonical.decode()),
            )
        )
        head_rows.append((*key, revision, digest))
        return stored


def _sample(item: MetricItem) -> MetricSample:
    metric = item.metric
    labels = tuple(sorted(metric.labels.items())) if metric.labels else ()
    return MetricSample(item.seq, metric.name, metric.value, metric.at.timestamp(), metric.unit, labels)


def _metric_row(feed: str, sample: MetricSample) -> tuple[object, ...]:
    labels = msgspec.json.encode(dict(sample.labels)).decode() if sample.labels else None
    return (feed, sample.seq, sample.name, sample.value, sample.unit, sample.at, labels)
