"""Fetching a unit's photo safely: trusted origins only, bounded bytes and time, checked to be a picture."""

from __future__ import annotations

import hashlib
import http.client
import os
import struct
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from dispatch.feed.attachments import (
    MAX_PHOTO_BYTES,
    MAX_PHOTO_SIDE,
    PHOTO_TYPES,
    AttachmentProblem,
    AttachmentRef,
    Photo,
    screen,
)

_CHUNK = 64 * 1024


def origin_of(url: str) -> str:
    """`scheme://host:port` of a URL; a feed's ws/wss origin is where its http/https media live."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


class PhotoFetcher:
    """Fetches photos from trusted origins into a content cache; blocking, so call it off the GUI thread.

    Anything else a report names is never contacted: a unit's app (or whoever forged its report) must not
    make the centre's desk reach into its own network. No redirect is followed, for the same reason.
    """

    def __init__(
        self,
        trusted: Iterable[str],
        cache: Path | None = None,
        *,
        max_bytes: int = MAX_PHOTO_BYTES,
        timeout_s: float = 10.0,
    ) -> None:
        self.trusted = frozenset(origin_of(url) for url in trusted)
        self.cache = cache
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    def fetch(self, ref: AttachmentRef) -> Photo:
        problem = screen(ref.uri, ref.content_type, ref.size)
        if problem is None and origin_of(ref.uri) not in self.trusted:
            problem = AttachmentProblem.UNTRUSTED_HOST
        if problem is not None:
            return Photo(ref.uri, problem=problem)
        cached = self._cached(ref.uri)
        if cached is not None:
            return cached
        try:
            data = self._download(ref.uri)
        except _Refused as refusal:
            return Photo(ref.uri, problem=refusal.problem)
        except (OSError, http.client.HTTPException, ValueError):
            return Photo(ref.uri, problem=AttachmentProblem.UNREACHABLE)
        photo = inspect(ref.uri, data)
        if photo.problem is None and ref.content_type and photo.content_type != ref.content_type:
            photo = Photo(ref.uri, problem=AttachmentProblem.WRONG_TYPE)
        if photo.problem is None:
            self._keep(ref.uri, data)
        return photo

    def _path(self, uri: str) -> Path | None:
        # Named by a hash of the reference: nothing in the reference ever becomes part of a path.
        return None if self.cache is None else self.cache / hashlib.sha256(uri.encode()).hexdigest()

    def _cached(self, uri: str) -> Photo | None:
        path = self._path(uri)
        try:
            if path is None or path.stat().st_size > self.max_bytes:
                return None
            photo = inspect(uri, path.read_bytes())
        except OSError:
            return None
        return photo if photo.problem is None else None

    def _keep(self, uri: str, data: bytes) -> None:
        path = self._path(uri)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError:
            pass  # a full or read-only disk costs the cache, not the photo on screen

    def _download(self, uri: str) -> bytes:
        parts = urlsplit(uri)
        host, port = parts.hostname or "", parts.port
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=self.timeout_s)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
        deadline = time.monotonic() + self.timeout_s
        try:
            target = parts.path or "/"
            connection.request("GET", target + (f"?{parts.query}" if parts.query else ""),
                               headers={"Accept": ", ".join(sorted(PHOTO_TYPES))})  # fmt: skip
            response = connection.getresponse()
            if response.status != 200:
                raise _Refused(AttachmentProblem.UNREACHABLE)
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if kind not in PHOTO_TYPES:
                raise _Refused(AttachmentProblem.WRONG_TYPE)
            length = response.getheader("Content-Length")
            if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
                raise _Refused(AttachmentProblem.TOO_LARGE)
            chunks: list[bytes] = []
            total = 0
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > self.max_bytes:
                    raise _Refused(AttachmentProblem.TOO_LARGE)
                if time.monotonic() > deadline:  # a host that trickles a byte at a time
                    raise _Refused(AttachmentProblem.UNREACHABLE)
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            connection.close()


class _Refused(Exception):
    def __init__(self, problem: AttachmentProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def inspect(uri: str, data: bytes) -> Photo:
    """What the bytes are: a JPEG or PNG of bounded sides, or the problem with them."""
    if len(data) > MAX_PHOTO_BYTES:
        return Photo(uri, problem=AttachmentProblem.TOO_LARGE)
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        kind, (width, height) = "image/png", struct.unpack(">II", data[16:24])
    elif data.startswith(b"\xff\xd8\xff"):
        kind, (width, height) = "image/jpeg", _jpeg_size(data)
    else:
        return Photo(uri, problem=AttachmentProblem.WRONG_TYPE)
    if not (0 < width <= MAX_PHOTO_SIDE and 0 < height <= MAX_PHOTO_SIDE):
        return Photo(
            uri, problem=AttachmentProblem.TOO_LARGE if width and height else AttachmentProblem.WRONG_TYPE
        )
    return Photo(uri, data, kind, width, height)


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the first start-of-frame segment; (0, 0) when there is none."""
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return 0, 0
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        if length < 2:
            return 0, 0
        index += 2 + length
    return 0, 0
