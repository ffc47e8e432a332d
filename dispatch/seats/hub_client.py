"""The NATS client a seat connects with: TLS insisted on when asked, and the hub's refusals in words."""

from __future__ import annotations

import ssl
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client

from dispatch.seats.credentials import HubCredentials
from dispatch.service import LoopUnavailable

# A single server refuses replicas (NATS error 10074): there the log and its buckets are kept once.
NOT_CLUSTERED = 10074
# How nats-py words the server's refusals (in lower case).
PERMISSIONS = "permissions violation"
_AUTHORIZATION = "authorization violation"
# The TLS alerts of a hub that checks its clients' certificates (mutual TLS) and refused this one's.
_CERTIFICATE_REFUSED = frozenset(
    {"SSLV3_ALERT_BAD_CERTIFICATE", "TLSV13_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_CERTIFICATE_UNKNOWN"}
)


# JetStream's words for a cluster between two states (a node lost, its streams' leaders being elected).
_NO_PEERS = 10005  # "no suitable peers for placement"
_NO_STREAM = 10059  # "stream not found", from a node that has not seen the stream's new leader yet


def transient(error: BaseException | None) -> bool:
    """An answer a cluster gives while it recovers, which a moment later may be otherwise."""
    if isinstance(error, nats.errors.TimeoutError):
        return True
    return isinstance(error, nats.js.errors.APIError) and error.err_code in (_NO_PEERS, _NO_STREAM)


class HubUnavailable(LoopUnavailable):
    """The hub could not be reached, or did not confirm an entry. An entry whose confirmation was lost
    may still be in the log: the replica shows what became of it, never this error."""


class NoTls(nats.errors.Error):
    """The server does not speak TLS, but the seat asked for it (its credentials or a tls:// URL)."""


class TlsClient(Client):
    """nats-py's client, made to insist on TLS when asked: nats-py upgrades a connection only when the
    server's greeting asks for TLS, so a server without TLS (or someone in between who struck the
    request out) would be sent the password in clear text. Refused before anything is sent."""

    def __init__(self, require_tls: bool) -> None:
        super().__init__()
        self._require_tls = require_tls
        self._given_up = False

    def give_up(self) -> None:
        """Try no other server, and close the line of the attempt under way now: the attempt ends
        with nothing left open. (After a failed TLS handshake nats-py would wait for ever for the plain
        line to close, and cancelling it there would leave the socket behind.)"""
        self._given_up = True
        self.options["max_reconnect_attempts"] = 0  # so that connect() ends on NoServersError
        line: Any = self._transport  # nats-py's Transport.close() has no annotations
        if line is not None:
            line.close()

    async def _select_next_server(self) -> None:
        if self._given_up:
            raise nats.errors.NoServersError
        await super()._select_next_server()

    async def _process_info(self, info: dict[str, Any], initial_connection: bool = False) -> None:
        if initial_connection and self._require_tls and not info.get("tls_required"):
            raise NoTls("the hub does not use TLS, but this seat speaks to it only with TLS")
        await super()._process_info(info, initial_connection)


def refusal(error: BaseException, credentials: HubCredentials | None) -> str | None:
    """Why the hub will never accept this seat as it is (said in words), or None for an error worth
    trying again (a server down, a timeout)."""
    who = "" if credentials is None else f" {credentials.user!r}"
    if _AUTHORIZATION in str(error).lower():
        return f"the hub refused the seat's user{who}: authorization violation (wrong user or password)"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the hub's certificate is not trusted by this seat: {error.verify_message or error}"
    if isinstance(error, ssl.SSLError) and error.reason in _CERTIFICATE_REFUSED:
        return (
            f"the hub refused this seat's certificate ({error.reason}): a hub that checks its seats needs "
            "cert and key in the seat's credentials file, signed by the hub's CA"
        )
    if isinstance(error, NoTls):
        return str(error)
    return None
