"""The window-less commands as an operator runs them: real processes, a real server, a real store file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.feeds import make_event, threaded_server

ROOT = Path(__file__).resolve().parents[2]
MAIN = str(ROOT / "main.py")


def tianshu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, MAIN, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


def stored_count(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def wait_until(predicate: object, timeout: float = 20.0) -> None:
    """Poll a condition (like qtbot.waitUntil) without a fixed sleep."""
    assert callable(predicate)
    gate = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        gate.wait(0.02)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--rate", "-3"], "positive number"),
        (["--feed", "http://city.example/feed"], "ws:// or wss://"),
        (["sim", "--port", "70000"], "port must be 0–65535"),
        (["ingest", "--db", "x.sqlite3"], "--feed"),
        (["export", "--db", "/nonexistent/x.sqlite3", "--table", "events"], "no such file"),
        (["export", "--db", MAIN, "--table", "users"], "invalid choice"),
        (["screenshot", "--out", "x.png", "--size", "huge"], "1920x1080"),
        (["bench", "nothing"], "invalid choice"),
    ],
)
def test_bad_command_lines_get_one_line_and_exit_2(args: list[str], needle: str) -> None:
    result = tianshu(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert result.stdout == ""


def test_help_works_everywhere() -> None:
    for args in ([], ["sim"], ["ingest"], ["export"], ["screenshot"], ["bench"], ["bench", "ingest"]):
        result = tianshu(*args, "--help")
        assert result.returncode == 0
        assert "usage:" in result.stdout


def test_ingest_that_never_connects_says_so_and_exits_1(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connection refused
        result = tianshu("ingest", "--feed", f"ws://127.0.0.1:{port}", "--db", str(tmp_path / "s.sqlite3"),
                         "--idle-exit", "1")  # fmt: skip
    assert result.returncode == 1
    assert f"could not connect to ws://127.0.0.1:{port}" in result.stderr
    assert "refused" in result.stderr


def test_ingest_killed_mid_stream_resumes_with_every_event_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    # The replay buffer holds everything this test can publish, so a slow start of either ingest
    # (a cold machine) can never push early events out of reach.
    with threaded_server(heartbeat_s=None, buffer_size=250_000) as feed:
        published = []

        async def pour(stop: asyncio.Event) -> None:
            """Keep the stream flowing (500 events per tick) so the kill is sure to land mid-stream."""
            n = 0
            while not stop.is_set() and n < 200_000:
                for _ in range(500):
                    n += 1
                    feed.server.publish_event(make_event(n))
                published.append(n)
                await asyncio.sleep(0.005)

        stop = feed.run(asyncio.Event)
        first = subprocess.Popen(
            [sys.executable, MAIN, "ingest", "--feed", feed.url, "--db", str(db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
        )  # fmt: skip
        try:
            feed.call(feed.server.wait_subscribed(1))
            pouring = feed.run(lambda: asyncio.ensure_future(pour(stop)))
            wait_until(lambda: stored_count(db) >= 2_000)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        feed.run(stop.set)
        feed.call(asyncio.wait_for(asyncio.shield(pouring), 10))
        total = published[-1]
        assert stored_count(db) < total, "the kill must land mid-stream for this test to mean anything"
        second = tianshu("ingest", "--feed", feed.url, "--db", str(db), "--idle-exit", "1.5")
    assert second.returncode == 0, second.stderr
    export = tianshu("export", "--db", str(db), "--table", "events")
    rows = [json.loads(line) for line in export.stdout.splitlines()]
    assert [row["id"] for row in rows] == [f"iot-test-{n:06d}" for n in range(1, total + 1)]
    assert [row["seq"] for row in rows] == list(range(1, total + 1))


def test_export_formats(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    with threaded_server(heartbeat_s=None) as feed:
        ingest = subprocess.Popen(
            [sys.executable, MAIN, "ingest", "--feed", feed.url, "--db", str(db), "--idle-exit", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        feed.call(feed.server.wait_subscribed(1))
        feed.publish_events(1, 3)
        feed.run(lambda: feed.server.publish_raw('{"type":"event","seq":4,"event":{"id":"broken"}}', seq=4))
        _, err = ingest.communicate(timeout=30)
    assert ingest.returncode == 0, err
    assert "3 events" in err
    assert "1 quarantined" in err
    csv_out = tianshu("export", "--db", str(db), "--table", "events", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("seq,revision,received_at,source,id,category,severity,title")
    assert len(csv_out) == 4
    assert "测试水位站1号超限" in csv_out[1]
    quarantine = [
        json.loads(line)
        for line in tianshu("export", "--db", str(db), "--table", "quarantine").stdout.splitlines()
    ]
    assert [(q["seq"], q["reason"]) for q in quarantine] == [(4, "invalid_fields")]
    assert "broken" in quarantine[0]["raw"]


def test_the_cockpit_without_a_display_says_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, MAIN], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )
    assert result.returncode == 1
    assert "no display found" in result.stderr
    assert "screenshot" in result.stderr
