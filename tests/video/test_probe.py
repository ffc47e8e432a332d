"""Open failures are explained: refused, no answer, 404, 401, no video, missing file, bad URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.video.servers import ScriptedServer, free_port
from video.health import Reason
from video.probe import diagnose


@pytest.mark.parametrize(
    ("scheme", "response", "reason", "said"),
    [
        ("rtsp", b"RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n\r\n", Reason.NOT_FOUND, "answered 404 Not Found"),
        (
            "rtsp",
            b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n",
            Reason.UNAUTHORIZED,
            "answered 401 Unauthorized",
        ),
        ("http", b"HTTP/1.0 403 Forbidden\r\n\r\n", Reason.UNAUTHORIZED, "answered 403 Forbidden"),
        ("http", b"HTTP/1.0 200 OK\r\n\r\nhello", Reason.NO_VIDEO, "200 OK but no decodable video"),
        ("http", b"HTTP/1.0 503 Busy\r\n\r\n", Reason.NO_VIDEO, "answered 503 Busy"),
        ("rtsp", b"SSH-2.0-OpenSSH\r\n\r\n", Reason.NO_VIDEO, "not RTSP or HTTP"),
    ],
)
def test_the_server_answer_decides(scheme: str, response: bytes, reason: Reason, said: str) -> None:
    with ScriptedServer(response) as server:
        failure = diagnose(f"{scheme}://admin:secret@127.0.0.1:{server.port}/cam/1", timeout=1.0)
    assert failure.reason is reason
    assert said in failure.detail
    assert f"127.0.0.1:{server.port}" in failure.detail
    assert "secret" not in failure.detail


def test_nothing_listening_is_refused() -> None:
    port = free_port()
    failure = diagnose(f"rtsp://127.0.0.1:{port}/x", timeout=1.0)
    assert failure.reason is Reason.REFUSED
    assert not failure.permanent


def test_a_server_that_never_answers_times_out() -> None:
    with ScriptedServer(None) as server:
        failure = diagnose(f"rtsp://127.0.0.1:{server.port}/x", timeout=0.3)
    assert failure.reason is Reason.OPEN_TIMEOUT
    assert "did not answer" in failure.detail


def test_files_and_urls(tmp_path: Path) -> None:
    assert diagnose(str(tmp_path / "missing.avi"), timeout=1.0).reason is Reason.NOT_FOUND
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"not a video")
    assert diagnose(str(junk), timeout=1.0).reason is Reason.NO_VIDEO
    assert diagnose("gopher://h/x", timeout=1.0).reason is Reason.BAD_URL
    assert diagnose("rtsp:///nohost", timeout=1.0).reason is Reason.BAD_URL
    assert diagnose("http://h:notaport/x", timeout=1.0).reason is Reason.BAD_URL
