"""Signed audit checkpoints: the chain's row count, head hash and time, signed with Ed25519 by a key kept
outside the store and appended to a checkpoint log outside the store."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

import msgspec
import platformdirs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dispatch.casework.checkpoint_stamp import Checkpoint
from dispatch.casework.records.audit import GENESIS

KEY_MODE = 0o600
DEFAULT_CHECKPOINT_MINUTES = 10.0
_STORE_ID_KEY = "audit_store_id"
_TAIL = 64 * 1024
_ENCODER = msgspec.json.Encoder(order="sorted")


class CheckpointError(Exception):
    """A key or a checkpoint log that cannot be used (missing, unreadable, wrong kind, too open)."""


_DECODER = msgspec.json.Decoder(Checkpoint)


def default_key_path() -> Path:
    """The signing key of this user's cockpit: in the configuration directory, never beside the store."""
    return Path(platformdirs.user_config_dir("tianshu", appauthor=False)) / "audit-signing.key"


def default_log_path(store: Path) -> Path:
    """The checkpoint log of a store when none is named: a file of its own beside the store file."""
    return store.with_name(store.name + ".checkpoints")


def public_path(key: Path) -> Path:
    return key.with_name(key.name + ".pub")


def generate_key(path: Path) -> Ed25519PublicKey:
    """Create a new signing key at `path` (0600; refuses to overwrite one) and its public half beside it."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_MODE)
    except FileExistsError:
        raise CheckpointError(f"{path} already exists; a new key would orphan its checkpoints") from None
    except OSError as error:
        raise CheckpointError(f"cannot create {path}: {error.strerror or error}") from error
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public = key.public_key()
    public_path(path).write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return public


def fingerprint(key: Ed25519PublicKey) -> str:
    """A short name for a key, to compare by eye with the one printed on a handover."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The signing key; refused when others may read it (then anyone on the machine could sign)."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"cannot read the signing key {path}: {error.strerror or error}") from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CheckpointError(f"the signing key {path} is readable by others (chmod 600 it)")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"{path} is not a PEM private key: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} is not an Ed25519 key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The key that checks signatures, from a public key file or the signing key itself."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"cannot read the key {path}: {error.strerror or error}") from error
    try:
        if b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"{path} is not a PEM key: {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 key")
    return key


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a checkpoint log: its number and the checkpoint, or why it could not be read."""

    number: int
    checkpoint: Checkpoint | None
    error: str = ""


def read_log(path: Path) -> list[LogLine]:
    """Every line of the log (an absent log has none); unreadable lines are kept, with the reason."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise CheckpointError(f"cannot read the checkpoint log {path}: {error.strerror or error}") from error
    lines: list[LogLine] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            lines.append(LogLine(number, _DECODER.decode(raw)))
        except msgspec.DecodeError as error:
            lines.append(LogLine(number, None, str(error)))
    return lines


def latest_of(log: Path, ident: str, key: Ed25519PublicKey) -> Checkpoint | None:
    """The last checkpoint of a store that `key` signed, read from the log's end: the write lock is held
    meanwhile, and a log grows by a line every few minutes for years. Lines anyone else wrote are passed
    over (verify reports them), so they cannot stop the cockpit from signing."""
    try:
        with log.open("rb") as source:
            size = source.seek(0, os.SEEK_END)
            start = max(0, size - _TAIL)
            source.seek(start)
            tail = source.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CheckpointError(f"cannot read the checkpoint log {log}: {error.strerror or error}") from error
    pieces = tail.split(b"\n")[1 if start else 0 :]  # a tail's first piece may be the end of a line
    for raw in reversed(pieces):
        try:
            checkpoint = _DECODER.decode(raw)
        except msgspec.DecodeError:
            continue
        if checkpoint.store == ident and checkpoint.signed_by(key):
            return checkpoint
    if start == 0:
        return None
    mine = [
        line.checkpoint
        for line in read_log(log)
        if line.checkpoint and line.checkpoint.store == ident and line.checkpoint.signed_by(key)
    ]
    return mine[-1] if mine else None


def store_id(conn: sqlite3.Connection) -> str | None:
    """The random id the store's checkpoints carry (None until the first checkpoint)."""
    row = conn.execute("SELECT value FROM loop_state WHERE key = ?", (_STORE_ID_KEY,)).fetchone()
    return None if row is None else str(row[0])


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The number of audit rows and the hash of the last (GENESIS for none)."""
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))


def sign_checkpoint(
    conn: sqlite3.Connection, key: Ed25519PrivateKey, log: Path, now: float, reason: str
) -> Checkpoint:
    """Sign the head of the chain and append it to `log`; call with the store's write lock held, so no row
    can come in between the head read here and `now` (rows after a checkpoint are never dated before it)."""
    if not conn.in_transaction:
        raise CheckpointError("a checkpoint is made inside a write transaction")
    ident = store_id(conn)
    if ident is None:
        ident = uuid.uuid4().hex
        conn.execute("INSERT INTO loop_state (key, value) VALUES (?, ?)", (_STORE_ID_KEY, ident))
    previous = latest_of(log, ident, key.public_key())
    rows, digest = head(conn)
    unsigned = Checkpoint(ident, rows, digest, float(now), reason, previous.digest() if previous else "")
    signed = msgspec.structs.replace(unsigned, sig=key.sign(unsigned.message()).hex())
    _append(log, _ENCODER.encode(signed) + b"\n")
    return signed


def _append(log: Path, line: bytes) -> None:
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise CheckpointError(
            f"cannot append to the checkpoint log {log}: {error.strerror or error}"
        ) from error


def checkpointer_for(store: Path, key: Path | None, log: Path | None, every_s: float) -> Checkpointer | None:
    """The cockpit's checkpointer: the named key or the default one; None when there is no key (checkpoints
    are then off, and `audit verify` says so)."""
    path = key or default_key_path()
    if not path.is_file():
        return None
    return Checkpointer(path, log or default_log_path(store), every_s)


class Checkpointer:
    """Signs the store's head every `every_s` seconds of the desk's clock and on demand (a handover)."""

    def __init__(self, key_path: Path, log_path: Path, every_s: float) -> None:
        self.key_path = key_path
        self.log_path = log_path
        self.every_s = every_s
        self._key: Ed25519PrivateKey | None = None
        self._last_at: float | None = None
        self.latest: Checkpoint | None = None

    def due(self, now: float) -> bool:
        return self._last_at is None or now - self._last_at >= self.every_s

    def sign(self, conn: sqlite3.Connection, now: float, reason: str) -> Checkpoint:
        """Sign now (inside the caller's write transaction); a bad key raises CheckpointError every time,
        and the next attempt waits for the next period."""
        self._last_at = now
        if self._key is None:
            self._key = load_private_key(self.key_path)
        self.latest = sign_checkpoint(conn, self._key, self.log_path, now, reason)
        return self.latest
