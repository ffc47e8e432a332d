"""Attachment references from units: hostile ones are refused with a reason, never fetched, never lose the
report; the photo fetcher talks only to trusted origins and takes only bounded JPEG/PNG pictures."""

from __future__ import annotations

import http.server
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch.feed.attachments import (
    MAX_ATTACHMENTS,
    MAX_PHOTO_BYTES,
    AttachmentProblem,
    AttachmentRef,
    screen,
    screen_all,
)
from dispatch.feed.photo_fetch import PhotoFetcher, inspect
from sim.units import PHOTO_DIR

P = AttachmentProblem
JPEG = (PHOTO_DIR / "site-after.jpg").read_bytes()


def png(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height) + b"\0" * 9
    )


traversals = st.sampled_from(
    [
        "/../etc/passwd",
        "/a/%2e%2e/b",
        "/a/%252e%252e/b",
        "/a%2fb",
        "/a%5cb",
        "/./x.jpg",
        "/a/..%2f..",
        "/..;/x",
    ]
)
unsafe_chars = st.sampled_from([*"\x00\n\r\t \\<>\"'`{}|^", "\x7f"])


@settings(max_examples=200, deadline=None)
@given(path=traversals, host=st.sampled_from(["p.example", "127.0.0.1"]))
def test_path_traversal_in_any_encoding_is_refused(path: str, host: str) -> None:
    problem = screen(f"https://{host}{path}", "image/jpeg", 100)
    assert problem in (P.TRAVERSAL, P.BAD_REFERENCE)


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=20), bad=unsafe_chars, suffix=st.text(max_size=20))
def test_control_and_quote_characters_anywhere_are_refused(prefix: str, bad: str, suffix: str) -> None:
    assert screen(f"https://p.example/{prefix}{bad}{suffix}.jpg") is not None


@settings(max_examples=300, deadline=None)
@given(uri=st.text(max_size=300))
def test_any_text_is_screened_without_error_and_only_http_urls_pass(uri: str) -> None:
    problem = screen(uri)
    if problem is None:
        assert uri.startswith(("https://", "http://"))


@settings(max_examples=100, deadline=None)
@given(
    scheme=st.sampled_from(["file", "ftp", "gopher", "javascript", "data", "jar", "ws", ""]),
    rest=st.sampled_from(["//p.example/a.jpg", "///etc/passwd", "image/jpeg;base64,AAAA", "alert(1)"]),
)
def test_schemes_other_than_http_are_refused(scheme: str, rest: str) -> None:
    assert screen(f"{scheme}:{rest}") is P.BAD_REFERENCE


@pytest.mark.parametrize(
    "uri",
    [
        "https://user:pw@p.example/a.jpg",
        "https://p.example:0/a.jpg",
        "https://p.example:99999/a.jpg",
        "https:///a.jpg",
        "https://p..example/a.jpg",
        "https://-p.example/a.jpg",
        "https://p.example/a.jpg#frag",
        "https://[not:an:ip]/a.jpg",
        "https://p.example/" + "a" * 2100,
    ],
)
def test_odd_urls_are_refused(uri: str) -> None:
    assert screen(uri) is P.BAD_REFERENCE


@settings(max_examples=100, deadline=None)
@given(size=st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_PHOTO_BYTES + 1)))
def test_declared_sizes_out_of_bounds_are_refused(size: int) -> None:
    assert screen("https://p.example/a.jpg", "image/jpeg", size) is P.TOO_LARGE


@settings(max_examples=100, deadline=None)
@given(kind=st.text(max_size=30).filter(lambda k: k and k.lower() not in ("image/jpeg", "image/png")))
def test_types_other_than_jpeg_and_png_are_refused(kind: str) -> None:
    assert screen("https://p.example/a.jpg", kind, 100) is P.WRONG_TYPE


def test_a_report_keeps_its_good_attachments_up_to_the_bound_and_names_the_rest() -> None:
    good = [(f"https://p.example/{n}.jpg", "image/jpeg", 100) for n in range(MAX_ATTACHMENTS + 2)]
    kept, refused = screen_all([("https://p.example/x.svg", "image/svg+xml", 10), *good, good[0]])
    assert [ref.uri for ref in kept] == [uri for uri, _, _ in good[:MAX_ATTACHMENTS]]
    assert [r.problem for r in refused] == [P.WRONG_TYPE, P.TOO_MANY, P.TOO_MANY]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64))
def test_any_bytes_are_inspected_without_error_and_only_pictures_pass(data: bytes) -> None:
    photo = inspect("u", data)
    assert (photo.problem is None) == (photo.content_type in ("image/jpeg", "image/png"))


def test_pictures_are_measured_and_giant_sides_refused() -> None:
    photo = inspect("u", JPEG)
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 320, 240)
    assert inspect("u", png(640, 480)).problem is None
    assert inspect("u", png(100_000, 100_000)).problem is P.TOO_LARGE  # a decompression bomb's header
    assert inspect("u", png(0, 10)).problem is P.WRONG_TYPE


# -- fetching from a real HTTP server on 127.0.0.1 ---------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
            "/ok.jpg": (200, "image/jpeg", JPEG, {}),
            "/lying.jpg": (200, "image/jpeg", b"<svg onload=alert(1)>", {}),
            "/page.jpg": (200, "text/html", b"<html>", {}),
            "/huge.jpg": (200, "image/jpeg", b"", {"Content-Length": str(MAX_PHOTO_BYTES * 10)}),
            "/moved.jpg": (302, "text/plain", b"", {"Location": "http://169.254.169.254/latest"}),
            "/png-as-jpeg.jpg": (200, "image/jpeg", png(10, 10), {}),
        }
        if self.path == "/endless.jpg":  # no length, more bytes than any photo may have
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.end_headers()
            chunk = b"\xff" * 65536
            try:
                for _ in range(MAX_PHOTO_BYTES // len(chunk) + 4):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        status, kind, body, headers = routes.get(self.path, (404, "text/plain", b"no", {}))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    ("path", "declared", "problem"),
    [
        ("/lying.jpg", "image/jpeg", P.WRONG_TYPE),
        ("/page.jpg", "", P.WRONG_TYPE),
        ("/huge.jpg", "", P.TOO_LARGE),
        ("/endless.jpg", "", P.TOO_LARGE),
        ("/moved.jpg", "", P.UNREACHABLE),  # never followed
        ("/missing.jpg", "", P.UNREACHABLE),
        ("/png-as-jpeg.jpg", "image/jpeg", P.WRONG_TYPE),
    ],
)
def test_hostile_answers_from_a_trusted_origin_are_refused(
    origin: str, tmp_path: Path, path: str, declared: str, problem: AttachmentProblem
) -> None:
    fetcher = PhotoFetcher([origin], tmp_path / "photos", timeout_s=5)
    assert fetcher.fetch(AttachmentRef(origin + path, declared)).problem is problem
    assert not (tmp_path / "photos").exists() or not list((tmp_path / "photos").iterdir())


def test_a_good_photo_is_fetched_once_then_served_from_the_cache(origin: str, tmp_path: Path) -> None:
    fetcher = PhotoFetcher([origin], tmp_path / "photos", timeout_s=5)
    ref = AttachmentRef(origin + "/ok.jpg", "image/jpeg", len(JPEG))
    before = _Handler.hits.count("/ok.jpg")
    first, second = fetcher.fetch(ref), fetcher.fetch(ref)
    assert first.problem is None
    assert first.data == JPEG == second.data
    assert _Handler.hits.count("/ok.jpg") == before + 1
    (cached,) = (tmp_path / "photos").iterdir()
    assert len(cached.name) == 64  # named by hash: nothing of the URL reaches the file system


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    uri=st.one_of(
        st.sampled_from(
            ["http://169.254.169.254/meta-data", "http://localhost:22/", "https://10.0.0.1/a.jpg"]
        ),
        st.builds("http://127.0.0.1:{}/{}".format, st.integers(1, 65535), st.text(max_size=10)),
        st.builds("https://127.0.0.1:{}/{}".format, st.integers(1, 65535), st.text(max_size=10)),
    )
)
def test_hosts_other_than_the_trusted_origin_are_never_contacted(origin: str, uri: str) -> None:
    if uri.startswith(origin + "/"):
        return  # the one trusted origin is the other tests' business
    before = len(_Handler.hits)
    photo = PhotoFetcher([origin], None, timeout_s=1).fetch(AttachmentRef(uri))
    assert photo.problem in (P.UNTRUSTED_HOST, P.BAD_REFERENCE, P.TRAVERSAL)
    assert len(_Handler.hits) == before
