"""A signed audit checkpoint as a value: what it says, the bytes its signature covers, its link digest
(plain data, so a handover report can carry it)."""

from __future__ import annotations

import hashlib

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# A signature over this prefix can never be mistaken for a signature over anything else the key signs.
_DOMAIN = b"tianshu audit checkpoint v1\n"
_ENCODER = msgspec.json.Encoder(order="sorted")


class Checkpoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One line of the log: this store had `rows` audit rows ending in `head` at `at` (epoch seconds)."""

    store: str
    rows: int
    head: str
    at: float
    reason: str  # why it was made: "periodic", "handover", "manual"
    prev: str  # digest of the previous checkpoint of this store ("" for its first), so none can be taken out
    sig: str = ""  # Ed25519 signature over everything above, hex

    def message(self) -> bytes:
        fields = (self.store, self.rows, self.head, self.at, self.reason, self.prev)
        return _DOMAIN + _ENCODER.encode(fields)

    def digest(self) -> str:
        """What the next checkpoint of the store links to."""
        return hashlib.sha256(self.message() + bytes.fromhex(self.sig)).hexdigest()

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(bytes.fromhex(self.sig), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True
