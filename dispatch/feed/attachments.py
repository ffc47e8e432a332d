"""Screening a unit report's attachment references: what Tianshu will ever try to fetch, and why not."""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# What a unit's photo may be: the formats every duty screen decodes, no SVG (script), no HEIC.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
MAX_PHOTO_BYTES = 4 * 1024 * 1024
MAX_REFERENCE_CHARS = 2048
MAX_ATTACHMENTS = 8
# A photo's sides: a 4 MiB PNG may still inflate to gigabytes, so the header's size is bounded too.
MAX_PHOTO_SIDE = 8192

# Anything a log, a shell or a file system could take for a separator or a control: refused outright.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\<>\"'`{}|^]")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


class AttachmentProblem(enum.StrEnum):
    """Why an attachment was refused or set aside (widgets say it in words)."""

    BAD_REFERENCE = "bad_reference"  # not an absolute http(s) URL we can read safely
    NOT_HTTPS = "not_https"  # plain http to a host other than the feed's own
    TRAVERSAL = "traversal"  # dot-segments or encoded separators in the path
    WRONG_TYPE = "wrong_type"  # declared or actual content is not a JPEG or PNG
    TOO_LARGE = "too_large"  # declared or actual size, or picture sides, past the bounds
    UNTRUSTED_HOST = "untrusted_host"  # a host the centre did not list: never fetched (no SSRF)
    UNREACHABLE = "unreachable"  # the host did not answer with the photo in time
    TOO_MANY = "too_many"  # past MAX_ATTACHMENTS on one report


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """An attachment as the case keeps it: a screened reference, never the bytes."""

    uri: str
    content_type: str = ""  # "" when the unit did not say (legacy `photos`): the bytes decide
    size: int | None = None  # declared bytes, if given


@dataclass(frozen=True, slots=True)
class RefusedAttachment:
    """An attachment the case will not show, with a shortened copy of the reference for the record."""

    reference: str
    problem: AttachmentProblem


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo ready to show (`data` set), or why it is not (`problem` set)."""

    uri: str
    data: bytes = b""
    content_type: str = ""
    width: int = 0
    height: int = 0
    problem: AttachmentProblem | None = None


def screen(uri: str, content_type: str = "", size: int | None = None) -> AttachmentProblem | None:
    """Why `uri` may not be kept as a photo reference, or None when it may (fetching has its own checks)."""
    if len(uri) > MAX_REFERENCE_CHARS or _UNSAFE.search(uri):
        return AttachmentProblem.BAD_REFERENCE
    if content_type and content_type.lower() not in PHOTO_TYPES:
        return AttachmentProblem.WRONG_TYPE
    if size is not None and not 0 < size <= MAX_PHOTO_BYTES:
        return AttachmentProblem.TOO_LARGE
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return AttachmentProblem.BAD_REFERENCE
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return AttachmentProblem.BAD_REFERENCE
    if not _host_ok(parts.hostname) or port == 0 or parts.fragment:
        return AttachmentProblem.BAD_REFERENCE
    return _path_problem(parts.path)


def _host_ok(host: str) -> bool:
    if ":" in host:  # an IPv6 literal (urlsplit took the brackets off)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return bool(_HOST.match(host)) and ".." not in host


def _path_problem(path: str) -> AttachmentProblem | None:
    # Decoded twice: %252e%252e is what a naive second decoder turns into "..".
    for text in (path, unquote(path), unquote(unquote(path))):
        if "\\" in text or "\x00" in text:
            return AttachmentProblem.TRAVERSAL
        # "..;x" is ".." to servers that strip path parameters.
        if any(segment.split(";")[0] in (".", "..") for segment in text.split("/")):
            return AttachmentProblem.TRAVERSAL
    lowered = path.lower()
    if "%2f" in lowered or "%5c" in lowered:
        return AttachmentProblem.TRAVERSAL
    return None


def screen_all(
    candidates: list[tuple[str, str, int | None]],
) -> tuple[tuple[AttachmentRef, ...], tuple[RefusedAttachment, ...]]:
    """Split a report's attachments into those kept and those refused, each with its reason."""
    kept: list[AttachmentRef] = []
    refused: list[RefusedAttachment] = []
    seen: set[str] = set()
    for uri, content_type, size in candidates:
        if uri in seen:  # the same reference twice is one photo (or one refusal)
            continue
        seen.add(uri)
        problem = screen(uri, content_type, size)
        if problem is None and len(kept) >= MAX_ATTACHMENTS:
            problem = AttachmentProblem.TOO_MANY
        if problem is not None:
            refused.append(RefusedAttachment(shorten(uri), problem))
        else:
            kept.append(AttachmentRef(uri, content_type.lower(), size))
    return tuple(kept), tuple(refused)


def shorten(uri: str, limit: int = 120) -> str:
    """A printable, bounded copy of a reference for the record (never used to fetch)."""
    clean = _UNSAFE.sub("?", uri[: limit * 2])
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
