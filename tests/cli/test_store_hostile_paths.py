"""`report`, `export`, `audit verify` and the evaluation panel's reader on a store whose path holds URI
syntax (`?`, `#`, `%`, spaces, "file:") or Chinese: each reads the very same rows as from a plain path."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.shift.metrics import MetricsReader
from cli.headless import run_export
from cli.report import run_audit_verify, run_report
from dispatch.feed.values import QuarantineEntry, QuarantineReason
from dispatch.store.write_items import EventItem, QuarantineItem
from dispatch.store.writer import StoreWriter
from tests.cli.test_store_read_only_media import event
from tests.dispatch.casework.test_metrics import build_history
from tests.dispatch.store.test_store_hostile_paths import HOSTILE, hostile_path, strays
from tests.dispatch.store.test_store_read_only import read_only_view

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed-loop store with a case history, 12 feed events and a quarantined frame, closed cleanly."""
    path = tmp_path_factory.mktemp("plain") / "store.sqlite3"
    build_history(path).db.close()
    writer = StoreWriter(path, "ws://feed", lambda result: None)
    for seq in range(1, 13):
        writer.submit(EventItem(event(seq), 1_767_225_600.0 + seq))
    writer.submit(
        QuarantineItem(QuarantineEntry(1_767_225_700.0, QuarantineReason.NOT_JSON, "bad", "{", 1, 13))
    )
    assert writer.flush(30)
    writer.close()
    return path


def copy_to(plain: Path, path: Path) -> Path:
    shutil.copyfile(plain, path)
    return path


def report(path: Path) -> str:
    out = io.StringIO()
    start, end = datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 11, 0)
    assert run_report(db_path=path, start=start, end=end, fmt="json", exercise=False, zone=TZ, out=out) == 0
    return out.getvalue()


def export(path: Path) -> str:
    out = io.StringIO()
    assert run_export(db_path=path, table="events", fmt="jsonl", out=out) == 0
    assert run_export(db_path=path, table="quarantine", fmt="csv", out=out) == 0
    return out.getvalue()


def verify(path: Path) -> str:
    out = io.StringIO()
    assert run_audit_verify(db_path=path, out=out) == 0
    return out.getvalue()


def evaluation_reader(path: Path) -> str:
    reader = MetricsReader(path)
    try:
        job = reader.submit(
            lambda conn: conn.execute("SELECT id, state, version FROM cases ORDER BY id").fetchall()
        )
        return json.dumps(job.result(timeout=30))
    finally:
        reader.close()


READERS: dict[str, Callable[[Path], str]] = {
    "report": report, "export": export, "audit verify": verify, "evaluation reader": evaluation_reader,
}  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("reader", READERS)
def test_every_reader_sees_the_same_store_at_a_hostile_path(
    plain: Path, tmp_path: Path, reader: str, name: str
) -> None:
    path = copy_to(plain, hostile_path(tmp_path, name))
    expected = READERS[reader](plain)
    assert len(expected) > 40  # the reading is about real rows, not an empty store
    assert READERS[reader](path) == expected
    assert strays(path) == []


def test_the_evaluation_reader_follows_new_rows_at_a_hostile_path(plain: Path, tmp_path: Path) -> None:
    """A live reader: never an immutable snapshot, so what the desk writes next is seen."""
    path = copy_to(plain, hostile_path(tmp_path, HOSTILE[0]))
    reader = MetricsReader(path)
    try:
        count = lambda conn: conn.execute("SELECT count(*) FROM cases").fetchone()[0]  # noqa: E731
        before = reader.submit(count).result(timeout=30)
        writer = sqlite3.connect(path)
        writer.execute("DELETE FROM cases WHERE id = (SELECT min(id) FROM cases)")
        writer.commit()
        writer.close()
        assert reader.submit(count).result(timeout=30) == before - 1
    finally:
        reader.close()


@pytest.mark.parametrize("name", ["case#1.sqlite3", "file:evidence.sqlite3?immutable=1&mode=rw"])
def test_export_and_verify_from_read_only_media_at_a_hostile_path(
    plain: Path, tmp_path: Path, name: str
) -> None:
    """The immutable fallback for read-only media builds its URI the same safe way."""
    path = copy_to(plain, hostile_path(tmp_path, name))
    with read_only_view(path.parent) as media:
        on_media = media / name
        assert export(on_media) == export(plain)
        assert verify(on_media) == verify(plain)
        assert sorted(p.name for p in media.iterdir()) == [name]
