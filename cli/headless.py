"""Window-less commands: `ingest` (the intake pipeline alone) and `export` (stored rows to stdout)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import signal
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import msgspec

from cli.store_choice import MISSING_STORE_EXIT, chosen_store
from dispatch.feed.client import BackoffPolicy, FeedClient
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.values import ConnectionState, IntakeCounters, StorageTrouble
from dispatch.store.database import StoreError, export_rows, open_read_only

POLL_S = 0.2
# Exit codes of `ingest` beyond 0 (something stored) and 1 (nothing stored, or the store failed).
EXIT_FEED_FAULT = 3


def run_ingest(
    *, feed_url: str, token: str | None, ca_file: Path | None, db_path: Path | None, idle_exit: float | None
) -> int:
    """Ingest until interrupted or idle: 0 when messages were stored, 1 when none were (or the store failed),
    3 when the feed client hit a defect on the way (it recovered; the log has the traceback). Without
    `db_path`, into the cockpit's store (created if need be)."""
    db_path = chosen_store(db_path, must_exist=False)
    assert db_path is not None
    try:
        return asyncio.run(ingest(feed_url, token, ca_file, db_path, idle_exit))
    except StoreError as error:
        print(f"tianshu: {error}", file=sys.stderr)
        return 1


@dataclass(slots=True)
class _Progress:
    """What the run has stored, and when it last stored anything (on the idle clock)."""

    since: float
    mark: tuple[object, ...] = ()
    stored: bool = False

    def note(self, counters: IntakeCounters, now: float) -> None:
        mark = (
            counters.last_seq, counters.events, counters.revisions, counters.duplicates,
            counters.quarantined, counters.metrics, counters.gaps,
        )  # fmt: skip
        if mark != self.mark:
            if self.mark:
                self.stored, self.since = True, now
            self.mark = mark


async def ingest(
    feed_url: str,
    token: str | None,
    ca_file: Path | None,
    db_path: Path,
    idle_exit: float | None,
    *,
    idle_clock: Callable[[], float] = time.monotonic,
    policy: BackoffPolicy | None = None,
) -> int:
    """The `ingest` command. `idle_exit` counts on `idle_clock` from the last message stored — heartbeats,
    reconnects and replays do not count — so it ends whatever the connection does."""
    pipeline = IntakePipeline(db_path=db_path, feed_url=feed_url, token=token, ca_file=ca_file, policy=policy)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(pipeline.run(), name="feed")
    progress = _Progress(idle_clock())
    progress.note(pipeline.counters(), progress.since)
    idle = False
    storage: StorageTrouble | None = None
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)
            changes = pipeline.drain()
            now = idle_clock()
            progress.note(changes.counters if changes else pipeline.counters(), now)
            status = pipeline.status
            if status.state is ConnectionState.STOPPED and pipeline.writer.failure is not None:
                print(f"tianshu: {status.detail}", file=sys.stderr)
                return 1
            if status.storage is not storage:
                storage = status.storage
                _say_storage(status.storage, status.detail)
            if idle_exit is not None and now - progress.since >= idle_exit:
                idle = True
                break
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await pipeline.close()
        await asyncio.gather(task, return_exceptions=True)
    changes = pipeline.drain()
    counters = changes.counters if changes else pipeline.counters()
    progress.note(counters, idle_clock())
    if pipeline.status.storage is not None:
        detail, cursor = pipeline.status.detail, counters.last_seq
        print(f"tianshu: stopped while the store could not take writes ({detail}); "
              f"the feed resends what was not stored after cursor {cursor}", file=sys.stderr)  # fmt: skip
        return 1
    return _report(pipeline.client, progress, counters, feed_url, idle_exit if idle else None)


def _say_storage(trouble: StorageTrouble | None, detail: str) -> None:
    if trouble is None:
        print("tianshu: the store takes writes again; reading the feed resumes", file=sys.stderr)
    else:
        print(f"tianshu: the store cannot take writes ({detail}); the feed waits and resumes by itself",
              file=sys.stderr)  # fmt: skip


def _report(
    client: FeedClient, progress: _Progress, counters: IntakeCounters, feed_url: str, idle: float | None
) -> int:
    """The summary or the reason on stderr, and the exit code."""
    problem = f": {client.last_failure}" if client.last_failure else ""
    if not client.ever_connected:
        print(f"tianshu: could not connect to {feed_url}{problem}", file=sys.stderr)
        return 1
    if client.faults or client.frame_faults:
        print(
            f"tianshu: the feed client hit {client.faults + client.frame_faults} defect(s) and went on; "
            f"last: {client.fault or 'a frame handler failed'} (traceback in the log)",
            file=sys.stderr,
        )
    if not progress.stored:
        if idle is None:
            why = "nothing was stored"
        elif client.last_failure:
            why = f"nothing was stored in {idle:g} s; the connection kept failing{problem}"
        else:
            why = f"nothing was stored in {idle:g} s; the feed was connected but sent no message"
        print(f"tianshu: {feed_url}: {why}", file=sys.stderr)
        return EXIT_FEED_FAULT if client.faults or client.frame_faults else 1
    if idle is not None:
        print(f"ingest: no message stored for {idle:g} s; stopping", file=sys.stderr)
    print(
        f"ingest: {counters.events} events, {counters.revisions} revisions, "
        f"{counters.duplicates} duplicates, "
        f"{counters.replays} replays, {counters.quarantined} quarantined, {counters.gaps} gaps, "
        f"cursor {counters.last_seq}",
        file=sys.stderr,
    )
    return EXIT_FEED_FAULT if client.faults or client.frame_faults else 0


CSV_EVENT_COLUMNS = (
    "seq", "revision", "received_at", "source", "id", "category", "severity", "title", "description",
    "occurred_at", "location.lon", "location.lat", "location.address", "location.grid", "camera_id",
    "attachments", "exercise", "cancelled", "other_fields",
)  # fmt: skip
CSV_QUARANTINE_COLUMNS = ("received_at", "seq", "reason", "detail", "raw_size", "raw")


def run_export(*, db_path: Path | None, table: str, fmt: str, out: TextIO | None = None) -> int:
    """Write every row of `table` to stdout as JSON lines or CSV (read-only: also from read-only media);
    without `db_path`, from the cockpit's store."""
    stream = out or sys.stdout
    db_path = chosen_store(db_path)
    if db_path is None:
        return MISSING_STORE_EXIT
    try:
        db = open_read_only(db_path)
    except sqlite3.Error as error:
        print(f"tianshu: cannot read the store {db_path}: {error}", file=sys.stderr)
        return 1
    try:
        rows = export_rows(db, table)
        if fmt == "jsonl":
            encoder = msgspec.json.Encoder()
            for row in rows:
                stream.write(encoder.encode(row).decode())
                stream.write("\n")
        else:
            _write_csv(stream, table, rows)
    except BrokenPipeError:
        return 0
    except sqlite3.Error as error:
        print(f"tianshu: cannot read the store {db_path}: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    return 0


def _write_csv(stream: TextIO, table: str, rows: Iterable[dict[str, Any]]) -> None:
    columns = CSV_EVENT_COLUMNS if table == "events" else CSV_QUARANTINE_COLUMNS
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        if table == "events":
            row = _flatten_event(row)
        writer.writerow([_cell(row.get(column)) for column in columns])


def _flatten_event(row: dict[str, Any]) -> dict[str, Any]:
    flat = dict(row)
    location = flat.pop("location", None) or {}
    for key in ("lon", "lat", "address", "grid"):
        flat[f"location.{key}"] = location.get(key)
    known = set(CSV_EVENT_COLUMNS)
    extra = {k: v for k, v in flat.items() if k not in known}
    flat["other_fields"] = extra or None
    return flat


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return msgspec.json.encode(value).decode()
    return "" if value is None else value
