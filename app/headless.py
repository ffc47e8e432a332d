"""Window-less commands: `ingest` (the intake pipeline alone) and `export` (stored rows to stdout)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import msgspec

from dispatch.model import ConnectionState
from dispatch.pipeline import IntakePipeline
from dispatch.store import StoreError, export_rows, open_store

POLL_S = 0.2


def run_ingest(
    *, feed_url: str, token: str | None, ca_file: Path | None, db_path: Path, idle_exit: float | None
) -> int:
    """Ingest until interrupted or idle; 0 when the feed was reached, 1 when it never was."""
    try:
        return asyncio.run(_ingest(feed_url, token, ca_file, db_path, idle_exit))
    except StoreError as error:
        print(f"tianshu: {error}", file=sys.stderr)
        return 1


async def _ingest(
    feed_url: str, token: str | None, ca_file: Path | None, db_path: Path, idle_exit: float | None
) -> int:
    pipeline = IntakePipeline(db_path=db_path, feed_url=feed_url, token=token, ca_file=ca_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    task = asyncio.create_task(pipeline.run(), name="feed")
    started = loop.time()
    last_problem = ""
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)
            pipeline.drain()
            status = pipeline.status
            if status.state is ConnectionState.BACKING_OFF:
                last_problem = status.detail
            if status.state is ConnectionState.STOPPED and pipeline.writer.failure is not None:
                print(f"tianshu: {status.detail}", file=sys.stderr)
                return 1
            if idle_exit is not None:
                last = pipeline.client.last_frame_at
                quiet_since = last if last is not None else started
                if loop.time() - quiet_since >= idle_exit:
                    break
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await pipeline.close()
        await asyncio.gather(task, return_exceptions=True)
    changes = pipeline.drain()
    counters = changes.counters if changes else pipeline.counters()
    if not pipeline.client.ever_connected:
        reason = f": {last_problem}" if last_problem else ""
        print(f"tianshu: could not connect to {feed_url}{reason}", file=sys.stderr)
        return 1
    print(
        f"ingest: {counters.events} events, {counters.revisions} revisions, "
        f"{counters.duplicates} duplicates, "
        f"{counters.replays} replays, {counters.quarantined} quarantined, {counters.gaps} gaps, "
        f"cursor {counters.last_seq}",
        file=sys.stderr,
    )
    return 0


CSV_EVENT_COLUMNS = (
    "seq", "revision", "received_at", "source", "id", "category", "severity", "title", "description",
    "occurred_at", "location.lon", "location.lat", "location.address", "location.grid", "camera_id",
    "attachments", "exercise", "cancelled", "other_fields",
)  # fmt: skip
CSV_QUARANTINE_COLUMNS = ("received_at", "seq", "reason", "detail", "raw_size", "raw")


def run_export(*, db_path: Path, table: str, fmt: str, out: TextIO | None = None) -> int:
    """Write every row of `table` to stdout as JSON lines or CSV."""
    stream = out or sys.stdout
    try:
        db = open_store(db_path)
    except StoreError as error:
        print(f"tianshu: {error}", file=sys.stderr)
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
