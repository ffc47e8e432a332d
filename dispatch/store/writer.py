"""The one thread that writes the store: group commits of events, metrics, quarantine and the feed cursor."""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from dispatch.feed.values import MetricSample, StorageTrouble
from dispatch.store.database import open_store, read_cursor
from dispatch.store.positions import store_positions
from dispatch.store.rows import (
    COUNT_DUPLICATE,
    Key,
    fingerprint,
    insert_events,
    insert_others,
    store_order_answers,
    stored_payload,
)
from dispatch.store.write_gate import write_gate
from dispatch.store.write_items import (
    AckItem,
    CommitResult,
    EventItem,
    EventRow,
    GapItem,
    MetricItem,
    PositionItem,
    QuarantineItem,
    ReportItem,
    WriteItem,
)
from dispatch.store.write_retry import WriteRetry

MAX_BATCH = 20_000
HEAD_CACHE_LIMIT = 100_000
LOOKUP_CHUNK = 5_000
ROWS_PER_INSERT = 2_000
# A big batch touches more pages than SQLite's default 2 MiB cache holds; spilling them mid-transaction
# costs about a sixth of the insert time.
CACHE_KIB = 16_384

_STOP = object()


class StoreWriter:
    """Owns the write connection on its own thread; everything else hands it items through `submit`."""

    def __init__(
        self,
        db_path: Path,
        feed: str,
        on_commit: Callable[[CommitResult], None],
        on_trouble: Callable[[StorageTrouble | None, str], None] | None = None,
    ) -> None:
        self._db_path = db_path
        self._feed = feed
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        # The newest stored revision of recently seen ids, and the content fingerprint of those that came
        # again (computed only then: most ids are seen once).
        self._heads: dict[Key, int] = {}
        self._prints: dict[Key, bytes] = {}
        self._failure: BaseException | None = None
        self._gate = write_gate(db_path)
        self._retry = WriteRetry(db_path, on_trouble)
        self._db: sqlite_utils.Database | None = None  # the writer thread's, opened when first needed
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

    @property
    def trouble(self) -> StorageTrouble | None:
        """Set while the store cannot take writes (disk full, I/O error, held lock); None when it can."""
        return self._retry.trouble

    @property
    def trouble_detail(self) -> str:
        """The store's own words for the trouble, empty when there is none."""
        return self._retry.trouble_detail

    def submit(self, item: WriteItem) -> None:
        self._queue.put(item)

    def flush(self, timeout: float | None = None) -> bool:
        """Block until everything submitted so far is committed; False on timeout or a dead writer."""
        barrier = threading.Event()
        self._queue.put(barrier)
        return barrier.wait(timeout) and self._failure is None

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop the thread and close the connection. A store that cannot take
        writes gets CLOSE_GRACE_S more; what it still refuses then is left for the feed to resend."""
        if self._thread.is_alive():
            self._retry.give_up_soon(timeout)
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        take = self._queue.get_nowait
        try:
            stopping = False
            while not stopping:
                batch: list[WriteItem] = []
                barriers: list[threading.Event] = []
                item = self._queue.get()
                while True:
                    if item is _STOP:
                        stopping = True
                    elif isinstance(item, threading.Event):
                        barriers.append(item)
                    else:
                        batch.append(item)  # type: ignore[arg-type]
                    if len(batch) >= MAX_BATCH:
                        break
                    try:
                        item = take()
                    except queue.Empty:
                        break
                try:
                    if batch:
                        self._commit_with_retry(batch)
                finally:
                    for barrier in barriers:
                        barrier.set()
        except Exception as error:
            # Nothing is lost: the cursor was not committed, so a restart re-fetches this batch.
            self._failure = error
            self._release_waiters()
        finally:
            self._disconnect()

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            db = open_store(self._db_path)
            db.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db = db
        return self._db.conn

    def _commit_with_retry(self, batch: list[WriteItem]) -> None:
        self._retry.commit(lambda: self._commit(self._connection(), batch), self._disconnect)

    def _disconnect(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def _release_waiters(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, threading.Event):
                item.set()

    def _commit(self, conn: sqlite3.Connection, batch: list[WriteItem]) -> None:
        with self._gate:
            self._commit_gated(conn, batch)

    def _commit_gated(self, conn: sqlite3.Connection, batch: list[WriteItem]) -> None:
        events = [item for item in batch if type(item) is EventItem]
        others = [item for item in batch if type(item) is not EventItem] if len(events) < len(batch) else []
        metrics = [_sample(item) for item in others if isinstance(item, MetricItem)]
        quarantined = [item.entry for item in others if isinstance(item, QuarantineItem)]
        gaps = [item.gap for item in others if isinstance(item, GapItem)]
        acks = [item for item in others if isinstance(item, AckItem)]
        reports = [item for item in others if isinstance(item, ReportItem)]
        fixes = [item.fix for item in others if isinstance(item, PositionItem)]
        cursor = _last_seq(batch, self._cursor)
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows, duplicates, revisions = self._event_rows(conn, events)
            insert_events(conn, rows, ROWS_PER_INSERT)
            if duplicates:
                conn.executemany(COUNT_DUPLICATE, duplicates)
            insert_others(conn, self._feed, metrics, quarantined, gaps)
            if acks or reports:
                store_order_answers(conn, self._feed, acks, reports)
            moved = store_positions(conn, fixes) if fixes else 0
            if cursor is not None:
                conn.execute(
                    "INSERT INTO feed_state (feed, last_seq, updated_at) VALUES (?, ?, strftime('%s','now')) "
                    "ON CONFLICT (feed) DO UPDATE SET last_seq = excluded.last_seq, "
                    "updated_at = excluded.updated_at",
                    (self._feed, cursor),
                )
            conn.execute("COMMIT")
        except BaseException:
            # The revisions this batch cached were never stored. SQLite has already rolled back after a
            # full disk or an I/O error, so ROLLBACK is for the other errors only.
            self._heads.clear()
            self._prints.clear()
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        self._cursor = cursor
        self._on_commit(
            CommitResult(
                rows=tuple(rows),
                revisions=revisions,
                duplicates=len(duplicates),
                metrics=tuple(metrics),
                quarantined=tuple(quarantined),
                gaps=tuple(gaps),
                cursor=cursor,
                acks=len(acks),
                reports=len(reports),
                positions=moved,
            )
        )

    def _event_rows(
        self, conn: sqlite3.Connection, events: list[EventItem]
    ) -> tuple[list[EventRow], list[tuple[str, str, int]], int]:
        """Rows to insert, duplicate counts to bump, and how many rows are revisions of a known event."""
        keys = [(item.decoded.event.source, item.decoded.event.id) for item in events]
        self._prefetch_heads(conn, keys)
        heads = self._heads
        rows: list[EventRow] = []
        duplicates: list[tuple[str, str, int]] = []
        # Text of revisions written in this batch: not in the table until the batch is inserted.
        written: dict[Key, bytes] = {}
        revisions = 0
        append = rows.append
        for item, key in zip(events, keys, strict=True):
            decoded = item.decoded
            raw = decoded.raw
            revision = heads.get(key, 0)
            if revision:
                if self._same_content(conn, key, revision, raw, written):
                    duplicates.append((key[0], key[1], revision))
                    continue
                self._prints.pop(key, None)
                revisions += 1
            revision += 1
            heads[key] = revision
            written[key] = raw
            event = decoded.event
            feed = item.local_feed or self._feed
            place = event.location
            if place is None:
                lon = lat = address = grid = None
            else:
                lon, lat, address, grid = place.lon, place.lat, place.address, place.grid
            append(
                (
                    event.source, event.id, revision, feed, decoded.seq, item.received_at,
                    event.occurred_at.timestamp(), event.category, event.severity, event.title,
                    event.description, lon, lat, address, grid, event.camera_id, event.exercise,
                    event.cancelled, raw,
                )
            )  # fmt: skip
        return rows, duplicates, revisions

    def _same_content(
        self, conn: sqlite3.Connection, key: Key, revision: int, raw: bytes, written: dict[Key, bytes]
    ) -> bool:
        known = self._prints.get(key)
        if known is None:
            text = written.get(key)
            known = fingerprint(text if text is not None else stored_payload(conn, key, revision))
            self._prints[key] = known
        return known == fingerprint(raw)

    def _prefetch_heads(self, conn: sqlite3.Connection, keys: list[Key]) -> None:
        """Look up, many at a time, the newest stored revision of every id not in the cache."""
        heads = self._heads
        missing = [key for key in keys if key not in heads]
        if len(heads) + len(missing) > HEAD_CACHE_LIMIT:
            heads.clear()
            self._prints.clear()
            missing = keys
        sources = {source for source, _ in missing}
        by_source = (
            {source: [event_id for _, event_id in missing] for source in sources}
            if len(sources) == 1
            else {source: [event_id for s, event_id in missing if s == source] for source in sources}
        )
        chunk = max(1, min(LOOKUP_CHUNK, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 1))
        for source, event_ids in by_source.items():
            # One source at a time keeps the lookup on the (source, event_id, revision) index.
            for start in range(0, len(event_ids), chunk):
                part = event_ids[start : start + chunk]
                marks = ",".join("?" * len(part))
                for event_id, revision in conn.execute(
                    "SELECT event_id, max(revision) FROM events "
                    f"WHERE source = ? AND event_id IN ({marks}) GROUP BY event_id",
                    [source, *part],
                ):
                    heads[(source, event_id)] = revision


def _last_seq(batch: list[WriteItem], cursor: int | None) -> int | None:
    """The cursor after a batch: seqs only grow, so it is the last one any item carries."""
    for item in reversed(batch):
        if item.seq is not None:
            return item.seq
    return cursor


def _sample(item: MetricItem) -> MetricSample:
    metric = item.metric
    labels = tuple(sorted(metric.labels.items())) if metric.labels else ()
    return MetricSample(item.seq, metric.name, metric.value, metric.at.timestamp(), metric.unit, labels)
