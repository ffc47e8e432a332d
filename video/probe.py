"""Say why a stream would not open: OpenCV only answers "not opened", so ask the server ourselves."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit, urlunsplit

from video.health import Failure, Reason
from video.registry import SourceKind, source_kind

_DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


def diagnose(url: str, timeout: float) -> Failure:
    """The most specific reason a source fails to open, found within about `timeout` seconds.

    RTSP gets a DESCRIBE and HTTP a GET, and the status line decides (404 → not found, 401/403 →
    unauthorized). Details name host:port, never credentials from the URL.
    """
    try:
        kind = source_kind(url)
    except ValueError as exc:
        return Failure(Reason.BAD_URL, str(exc))
    if kind is SourceKind.FILE:
        return _diagnose_file(urlsplit(url).path if url.startswith("file:") else url)
    parts = urlsplit(url)
    host, scheme = parts.hostname, parts.scheme.lower()
    if not host:
        return Failure(Reason.BAD_URL, "the URL names no host")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        return Failure(Reason.BAD_URL, "the URL's port is not a number")
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        return Failure(Reason.REFUSED, f"nothing accepts connections at {where}")
    except TimeoutError:
        return Failure(Reason.OPEN_TIMEOUT, f"{where} did not accept a connection within {timeout:g} s")
    except socket.gaierror:
        return Failure(Reason.UNREACHABLE, f"unknown host {host}")
    except OSError as exc:
        return Failure(Reason.UNREACHABLE, f"{where}: {exc.strerror or exc}")
    if scheme in ("rtsps", "https"):
        sock.close()
        return Failure(Reason.NO_VIDEO, f"{where} accepts connections but the stream did not open")
    clean = urlunsplit((parts.scheme, where, parts.path or "/", parts.query, ""))
    if kind is SourceKind.RTSP:
        request = (
            f"DESCRIBE {clean} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: Tianshu\r\n\r\n"
        )
    else:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = f"GET {target} HTTP/1.0\r\nHost: {where}\r\nUser-Agent: Tianshu\r\n\r\n"
    with sock:
        try:
            sock.sendall(request.encode())
            line = sock.makefile("rb").readline(512).decode("latin-1").strip()
        except TimeoutError:
            return Failure(Reason.OPEN_TIMEOUT, f"{where} accepted the connection but did not answer")
        except OSError as exc:
            return Failure(Reason.STREAM_ENDED, f"{where} dropped the connection: {exc.strerror or exc}")
    return _judge_status(line, where)


def _judge_status(line: str, where: str) -> Failure:
    fields = line.split(" ", 2)
    if len(fields) < 2 or not fields[1].isdigit():
        return Failure(Reason.NO_VIDEO, f"{where} answered {line[:60]!r}, not RTSP or HTTP")
    code = int(fields[1])
    said = f"{where} answered {code} {fields[2] if len(fields) > 2 else ''}".rstrip()
    if code in (404, 410):
        return Failure(Reason.NOT_FOUND, said)
    if code in (401, 403, 407):
        return Failure(Reason.UNAUTHORIZED, said)
    if 200 <= code < 300:
        return Failure(Reason.NO_VIDEO, f"{said} but no decodable video came")
    return Failure(Reason.NO_VIDEO, said)


def _diagnose_file(path: str) -> Failure:
    if not os.path.exists(path):
        return Failure(Reason.NOT_FOUND, f"no such file: {path}")
    if not os.access(path, os.R_OK):
        return Failure(Reason.UNAUTHORIZED, f"not readable: {path}")
    return Failure(Reason.NO_VIDEO, f"no video FFmpeg can decode in {path}")
