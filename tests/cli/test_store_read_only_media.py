"""`audit verify`, `report` and `export` on a store kept on read-only media (an archive disc, a
write-protected evidence copy), where SQLite cannot create the -wal and -shm files it reads WAL stores by."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.headless import run_export
from cli.report import run_audit_verify, run_report
from dispatch.feed.protocol import DecodedEvent, decode_frame
from dispatch.feed.values import QuarantineEntry, QuarantineReason
from dispatch.store.write_items import EventItem, QuarantineItem
from dispatch.store.writer import StoreWriter
from tests.dispatch.casework.test_metrics import build_history
from tests.dispatch.store.test_store_read_only import assert_read_only, read_only_view
from tests.feeds import make_event

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")


def event(seq: int) -> DecodedEvent:
    decoded = decode_frame(json.dumps({"type": "event", "seq": seq, "event": make_event(seq)}))
    assert isinstance(decoded, DecodedEvent)
    return decoded


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A closed-loop store with a case history, 40 feed events and a quarantined frame, closed cleanly
    (no -wal left) and then offered read-only."""
    folder = tmp_path_factory.mktemp("evidence")
    path = folder / "store.sqlite3"
    build_history(path).db.close()
    writer = StoreWriter(path, "ws://feed", lambda result: None)
    for seq in range(1, 41):
        writer.submit(EventItem(event(seq), 1_767_225_600.0 + seq))
    writer.submit(
        QuarantineItem(QuarantineEntry(1_767_225_700.0, QuarantineReason.NOT_JSON, "bad", "{", 1, 41))
    )
    assert writer.flush(30)
    writer.close()
    assert sorted(p.name for p in folder.iterdir()) == ["store.sqlite3"]
    with read_only_view(folder) as view:
        assert_read_only(view)
        yield view / "store.sqlite3"


def test_audit_verify_checks_the_chain_on_read_only_media(media: Path) -> None:
    out = io.StringIO()
    assert run_audit_verify(db_path=media, out=out) == 0
    assert out.getvalue().startswith("audit: OK, ")


def test_report_evaluates_from_read_only_media(media: Path) -> None:
    out = io.StringIO()
    start, end = datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 11, 0)
    assert run_report(db_path=media, start=start, end=end, fmt="json", exercise=False, zone=TZ, out=out) == 0
    assert json.loads(out.getvalue())["total"]["due"] == 7


def test_export_writes_every_row_from_read_only_media(media: Path) -> None:
    events, quarantine = io.StringIO(), io.StringIO()
    assert run_export(db_path=media, table="events", fmt="jsonl", out=events) == 0
    assert run_export(db_path=media, table="quarantine", fmt="csv", out=quarantine) == 0
    ids = [json.loads(line)["id"] for line in events.getvalue().splitlines()]
    assert ids == [f"iot-test-{n:06d}" for n in range(1, 41)]
    rows = list(csv.DictReader(io.StringIO(quarantine.getvalue())))
    assert [(row["seq"], row["reason"]) for row in rows] == [("41", "not_json")]
    assert sorted(p.name for p in media.parent.iterdir()) == ["store.sqlite3"]


@pytest.mark.slow
def test_main_py_exports_and_verifies_from_read_only_media(media: Path) -> None:
    main = [sys.executable, str(ROOT / "main.py")]
    exported = subprocess.run(
        [*main, "export", "--db", str(media), "--table", "events"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == 40
    verified = subprocess.run(
        [*main, "audit", "verify", "--db", str(media)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )  # fmt: skip
    assert verified.stdout.startswith("audit: OK"), verified.stderr
