"""The SQL of one writer batch: multi-row event inserts, metrics, quarantine, gaps and order answers."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from itertools import chain

import msgspec

from dispatch.feed.protocol import canonical_event
from dispatch.feed.values import Gap, MetricSample, QuarantineEntry
from dispatch.store.write_items import AckItem, EventRow, ReportItem

Key = tuple[str, str]

EVENT_COLUMNS = (
    "source, event_id, revision, feed, seq, received_at, occurred_at, category, severity, title, "
    "description, lon, lat, address, grid, camera_id, exercise, cancelled, payload"
)
EVENT_WIDTH = EVENT_COLUMNS.count(",") + 1
COUNT_DUPLICATE = (
    "UPDATE events SET duplicates = duplicates + 1 WHERE source = ? AND event_id = ? AND revision = ?"
)


@functools.cache
def insert_events_sql(rows: int) -> str:
    # Many rows per statement: sqlite3 releases the GIL around every step, and while the feed thread is busy
    # each release costs up to the interpreter's switch interval to get it back. The payload is bound as
    # the received bytes and becomes TEXT inside SQLite, byte for byte, never decoded and re-encoded here.
    row = "(" + "?," * (EVENT_WIDTH - 1) + "CAST(? AS TEXT))"
    values = ",".join([row] * rows)
    return f"INSERT INTO events ({EVENT_COLUMNS}) VALUES {values}"


def fingerprint(raw: bytes) -> bytes:
    return hashlib.blake2b(canonical_event(raw), digest_size=16).digest()


def insert_events(conn: sqlite3.Connection, rows: list[EventRow], per_insert: int) -> None:
    """`rows` in statements of at most `per_insert` rows (fewer if SQLite binds fewer variables)."""
    per_statement = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // EVENT_WIDTH
    step = max(1, min(per_insert, per_statement))
    for start in range(0, len(rows), step):
        part = rows[start : start + step]
        conn.execute(insert_events_sql(len(part)), list(chain.from_iterable(part)))


def insert_others(
    conn: sqlite3.Connection,
    feed: str,
    metrics: list[MetricSample],
    quarantined: list[QuarantineEntry],
    gaps: list[Gap],
) -> None:
    # Every statement hands the GIL back and forth once more: the empty ones are skipped.
    if metrics:
        conn.executemany(
            "INSERT INTO metrics (feed, seq, name, value, unit, at, labels) VALUES (?,?,?,?,?,?,?)",
            [metric_row(feed, sample) for sample in metrics],
        )
    if quarantined:
        conn.executemany(
            "INSERT INTO quarantine (feed, received_at, seq, reason, detail, raw, raw_size) "
            "VALUES (?,?,?,?,?,?,?)",
            [(feed, q.received_at, q.seq, q.reason.value, q.detail, q.raw, q.raw_size) for q in quarantined],
        )
    if gaps:
        conn.executemany(
            "INSERT INTO gaps (feed, after_seq, head, reason, at) VALUES (?,?,?,?,?)",
            [(feed, g.after_seq, g.head, g.reason, g.at) for g in gaps],
        )


def store_order_answers(
    conn: sqlite3.Connection, feed: str, acks: list[AckItem], reports: list[ReportItem]
) -> None:
    """Acks mark outbox rows (the first ack's time stays; an ack for an order this store never sent
    changes nothing); reports wait in the inbox for the desk thread, which owns case changes."""
    if acks:
        conn.executemany(
            "UPDATE outbox SET acked_at = coalesce(acked_at, ?) WHERE order_id = ?",
            [(ack.received_at, ack.order_id) for ack in acks],
        )
    if reports:
        conn.executemany(
            "INSERT INTO report_inbox (feed, seq, body, received_at) VALUES (?,?,?,?)",
            [(feed, report.seq, report.body, report.received_at) for report in reports],
        )


def stored_payload(conn: sqlite3.Connection, key: Key, revision: int) -> bytes:
    row = conn.execute(
        "SELECT payload FROM events WHERE source = ? AND event_id = ? AND revision = ?", (*key, revision)
    ).fetchone()
    return str(row[0]).encode()


def metric_row(feed: str, sample: MetricSample) -> tuple[object, ...]:
    labels = msgspec.json.encode(dict(sample.labels)).decode() if sample.labels else None
    return (feed, sample.seq, sample.name, sample.value, sample.unit, sample.at, labels)
