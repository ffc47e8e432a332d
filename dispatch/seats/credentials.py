"""A seat's credentials for the hub: a small TOML file (user, password, CA to trust, client certificate)."""

from __future__ import annotations

import re
import ssl
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# Keys of the file, in the order the documentation gives them.
KEYS = ("user", "password", "ca", "cert", "key")
_PATHS = ("ca", "cert", "key")
_MAX_BYTES = 64 * 1024  # a credentials file is a few lines; anything bigger is not one
# A seat's user name is a subject token too: its replies come to `_INBOX_<user>.` (access.inbox).
_USER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


class BadCredentials(ValueError):
    """A credentials file that cannot be used; the message names the file, the line and the fault."""


@dataclass(frozen=True, slots=True)
class HubCredentials:
    """Who a seat is on the hub, and whom it trusts. The password never shows in a repr or a log."""

    user: str
    password: str = field(repr=False)
    ca: Path | None = None  # the CA the hub's certificate must be signed by (else the system's CAs)
    cert: Path | None = None  # this seat's certificate and key, for a hub that checks its clients
    key: Path | None = None

    @property
    def tls(self) -> bool:
        """Whether these credentials ask for TLS (a CA to trust or a client certificate)."""
        return self.ca is not None or self.cert is not None

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context for every server of the hub: it trusts `ca` (or the system's CAs) and shows
        `cert` when there is one. ssl.SSLError / OSError when a file is no longer usable."""
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH, cafile=None if self.ca is None else str(self.ca)
        )
        if self.cert is not None:
            context.load_cert_chain(str(self.cert), None if self.key is None else str(self.key))
        return context


def _line_of(text: str, key: str) -> int:
    """The line where `key` is set (the file parsed, so it is there unless quoted oddly)."""
    # `key =`, `"key" =`, or a dotted `key.sub =` / a table `[key]` (which make it no text).
    pattern = re.compile(rf"""\s*\[?\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*[.=\]]""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def read_credentials(path: Path) -> HubCredentials:
    """Read and check a credentials file; BadCredentials with one line naming what is wrong."""
    try:
        return _read(path)
    except BadCredentials as error:
        shown = str(path)
        if not shown.isprintable():  # a name with a line break must not break the one line
            raise BadCredentials(str(error).replace(shown, ascii(shown))) from error.__cause__
        raise


def _read(path: Path) -> HubCredentials:
    try:
        raw = path.read_bytes()[: _MAX_BYTES + 1]
    except OSError as error:
        raise BadCredentials(f"{path}: cannot read it: {error.strerror or error}") from error
    if len(raw) > _MAX_BYTES:
        raise BadCredentials(f"{path}: larger than {_MAX_BYTES // 1024} KiB: not a credentials file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BadCredentials(f"{path}: line {line}: not UTF-8 text") from error
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = _AT_LINE.search(message)
        where = f"line {at.group(1)}" if at else "at its end"
        what = _AT_LINE.sub("", message).replace("(at end of document)", "").strip()
        raise BadCredentials(f"{path}: {where}: not TOML: {what}") from error
    for key, value in table.items():
        if key not in KEYS:
            raise BadCredentials(
                f"{path}: line {_line_of(text, key)}: unknown key {key!r} (expected {', '.join(KEYS)})"
            )
        if not isinstance(value, str):
            raise BadCredentials(f"{path}: line {_line_of(text, key)}: {key} must be a quoted text")
    for key in ("user", "password"):
        if key not in table:
            raise BadCredentials(f'{path}: no {key} = "…" (the seat\'s {key} on the hub)')
    user, password = table["user"], table["password"]
    if not _USER.fullmatch(user):
        raise BadCredentials(
            f"{path}: line {_line_of(text, 'user')}: user must be 1 to 64 letters, digits, '-' or '_'"
        )
    if not password or any(ord(char) < 32 or ord(char) == 127 for char in password):
        raise BadCredentials(
            f"{path}: line {_line_of(text, 'password')}: password must be a non-empty text without "
            "control characters"
        )
    paths: dict[str, Path] = {}
    for key in _PATHS:
        if key in table:
            paths[key] = _existing(path, text, key, table[key])
    if ("cert" in paths) != ("key" in paths):
        key = "cert" if "cert" in paths else "key"
        raise BadCredentials(f"{path}: line {_line_of(text, key)}: cert and key go together (mutual TLS)")
    credentials = HubCredentials(user, password, paths.get("ca"), paths.get("cert"), paths.get("key"))
    try:
        credentials.ssl_context()  # a CA or certificate that is not one fails here, not on joining
    except (ssl.SSLError, OSError, ValueError) as error:
        key = "ca" if "ca" in paths and not _loads_ca(paths["ca"]) else "cert"
        raise BadCredentials(
            f"{path}: line {_line_of(text, key)}: {key} {paths.get(key, '')}: not a usable PEM file "
            f"({_reason(error)})"
        ) from error
    return credentials


def _existing(path: Path, text: str, key: str, value: str) -> Path:
    """A file named in the credentials, relative to the credentials file's folder."""
    if not value or "\x00" in value:
        raise BadCredentials(f"{path}: line {_line_of(text, key)}: {key} must name a file")
    target = Path(value).expanduser()
    if not target.is_absolute():
        target = path.parent / target
    try:
        found = target.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        raise BadCredentials(f"{path}: line {_line_of(text, key)}: {key} {target}: no such file")
    return target


def _loads_ca(ca: Path) -> bool:
    try:
        ssl.create_default_context(cafile=str(ca))
    except (ssl.SSLError, OSError, ValueError):
        return False
    return True


def _reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason)
    return str(error) or type(error).__name__
