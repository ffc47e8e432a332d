"""The one thread that writes the store: group commits of events, metrics, quarantine and the feed cursor."""

from __future__ import annotations

import hashlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import msgspec

from dispatch.model import Gap, MetricSample, QuarantineEntry, StoredEvent
from dispatch.protocol import DecodedEvent, Metric, canonical_event
from dispatch.store import open_store, read_cursor

MAX_BATCH = 20_000
HEAD_CACHE_LIMIT = 100_000
LOOKUP_CHUNK = 400
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
    "severity, title, description, lon, lat, address, grid, camera_id, exercise, cancelled, payload) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_COUNT_DUPLICATE = (
    "UPDATE events SET duplicates = duplicates + 1 WHERE source = ? AND event_id = ? AND revision = ?"
)

Key = tuple[str, str]


class _Head:
    """The newest stored revision of one event; its fingerprint is computed only if the id comes again."""

    __slots__ = ("fingerprint", "payload", "revision")

    def __init__(self, revision: int, payload: bytes | None) -> None:
        self.revision = revision
        self.payload = payload
        self.fingerprint: bytes | None = None

    def same_content(self, raw: bytes, load: Callable[[], bytes]) -> bool:
        if self.fingerprint is None:
            self.fingerprint = _fingerprint(self.payload if self.payload is not None else load())
            self.payload = None
        return self.fingerprint == _fingerprint(raw)


def _fingerprint(raw: bytes) -> bytes:
    return hashlib.blake2b(canonical_event(raw), digest_size=16).digest()


class StoreWriter:
    """Owns the write connection on its own thread; everything else hands it items through `submit`."""

    def __init__(self, db_path: Path, feed: str, on_commit: Callable[[CommitResult], None]) -> None:
        self._db_path = db_path
        self._feed = feed
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._heads: dict[Key, _Head] = {}
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
        duplicate_rows: list[tuple[str, str, int]] = []
        metrics: list[MetricSample] = []
        metric_rows: list[tuple[object, ...]] = []
        quarantined: list[QuarantineEntry] = []
        gaps: list[Gap] = []
        revisions = 0
        cursor = self._cursor
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._prefetch_heads(conn, batch)
            for item in batch:
                if isinstance(item, EventItem):
                    cursor = item.decoded.seq
                    stored = self._apply_event(conn, item, event_rows, duplicate_rows)
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
            conn.executemany(_COUNT_DUPLICATE, duplicate_rows)
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
        for stored in events:
            # Committed now, so the text can be read back if this id comes again; no need to hold it.
            self._heads[(stored.source, stored.event_id)].payload = None
        self._on_commit(
            CommitResult(
                events=tuple(events),
                revisions=revisions,
                duplicates=len(duplicate_rows),
                metrics=tuple(metrics),
                quarantined=tuple(quarantined),
                gaps=tuple(gaps),
                cursor=cursor,
            )
        )

    def _prefetch_heads(self, conn: sqlite3.Connection, batch: list[WriteItem]) -> None:
        """Look up, a few hundred at a time, the newest stored revision of every id not in the cache."""
        heads = self._heads
        wanted = {(i.decoded.event.source, i.decoded.event.id) for i in batch if isinstance(i, EventItem)}
        if len(heads) + len(wanted) > HEAD_CACHE_LIMIT:
            heads.clear()
        by_source: dict[str, list[str]] = {}
        for source, event_id in wanted - heads.keys():
            heads[(source, event_id)] = _Head(0, None)
            by_source.setdefault(source, []).append(event_id)
        for source, event_ids in by_source.items():
            ids = iter(event_ids)
            # One source at a time keeps the lookup on the (source, event_id, revision) index.
            while chunk := list(islice(ids, LOOKUP_CHUNK)):
                marks = ",".join("?" * len(chunk))
                for event_id, revision in conn.execute(
                    "SELECT event_id, max(revision) FROM events "
                    f"WHERE source = ? AND event_id IN ({marks}) GROUP BY event_id",
                    [source, *chunk],
                ):
                    heads[(source, event_id)] = _Head(revision, None)

    def _apply_event(
        self,
        conn: sqlite3.Connection,
        item: EventItem,
        event_rows: list[tuple[object, ...]],
        duplicate_rows: list[tuple[str, str, int]],
    ) -> StoredEvent | None:
        decoded = item.decoded
        event = decoded.event
        key = (event.source, event.id)
        head = self._heads[key]
        if head.revision and head.same_content(
            decoded.raw, lambda: _stored_payload(conn, key, head.revision)
        ):
            duplicate_rows.append((*key, head.revision))
            return None
        revision = head.revision + 1
        self._heads[key] = _Head(revision, decoded.raw)
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
                *(int(stored.exercise), int(stored.cancelled), decoded.raw.decode()),
            )
        )
        return stored


def _stored_payload(conn: sqlite3.Connection, key: Key, revision: int) -> bytes:
    row = conn.execute(
        "SELECT payload FROM events WHERE source = ? AND event_id = ? AND revision = ?", (*key, revision)
    ).fetchone()
    return str(row[0]).encode()


def _sample(item: MetricItem) -> MetricSample:
    metric = item.metric
    labels = tuple(sorted(metric.labels.items())) if metric.labels else ()
    return MetricSample(item.seq, metric.name, metric.value, metric.at.timestamp(), metric.unit, labels)


def _metric_row(feed: str, sample: MetricSample) -> tuple[object, ...]:
    labels = msgspec.json.encode(dict(sample.labels)).decode() if sample.labels else None
    return (feed, sample.seq, sample.name, sample.value, sample.unit, sample.at, labels)
