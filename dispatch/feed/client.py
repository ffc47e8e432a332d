"""The websocket feed client: subscribe with a resume point, read frames, reconnect with capped back-off."""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, InvalidURI, WebSocketException

from core.clock import Clock
from dispatch.feed.protocol import Frame, encode_subscribe
from dispatch.feed.transport import LIBRARY_MAX_BYTES, FeedConnection
from dispatch.feed.values import ConnectionState, FeedFailure, FeedStatus

CLIENT_NAME = "tianshu/0.1.0"
_log = logging.getLogger(__name__)


class FeedSilentError(TimeoutError):
    """A subscribed connection sent nothing (not even a heartbeat) for the idle timeout."""


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Exponential back-off with full jitter: delay is uniform in [0, min(cap, base * 2**attempt)]."""

    base_s: float = 0.5
    cap_s: float = 30.0
    idle_timeout_s: float = 15.0
    open_timeout_s: float = 10.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap_s, self.base_s * (2 ** min(attempt, 30)))
        return max(self.base_s / 4, rng.uniform(0, ceiling))


def tls_context(url: str, ca_file: Path | None) -> ssl.SSLContext | None:
    """Verification against the system CAs, or only against `ca_file` when given; None for ws://."""
    if not url.startswith("wss://"):
        return None
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


def classify_failure(error: BaseException) -> tuple[FeedFailure, str]:
    """Why a connection ended, as a code and its argument (the screens say it in the UI language)."""
    if isinstance(error, InvalidStatus):
        code = error.response.status_code
        return (FeedFailure.TOKEN_REFUSED if code in (401, 403) else FeedFailure.HTTP_STATUS), str(code)
    if isinstance(error, InvalidURI):
        return FeedFailure.BAD_URL, error.uri
    if isinstance(error, ssl.SSLCertVerificationError):
        return FeedFailure.TLS_UNTRUSTED, str(error.verify_message)
    if isinstance(error, FeedSilentError):
        return FeedFailure.SILENT, ""
    if isinstance(error, TimeoutError):
        return FeedFailure.OPEN_TIMEOUT, ""
    if isinstance(error, ConnectionRefusedError):
        return FeedFailure.REFUSED, ""
    if isinstance(error, websockets.ConnectionClosed):
        return FeedFailure.CLOSED, str(error.rcvd.code) if error.rcvd else ""
    if isinstance(error, OSError):
        return FeedFailure.NETWORK, str(error.strerror or error)
    return FeedFailure.OTHER, f"{type(error).__name__}: {error}"


_ENGLISH = {
    FeedFailure.TOKEN_REFUSED: "the feed refused the token (HTTP {})",
    FeedFailure.HTTP_STATUS: "the feed answered HTTP {} instead of a websocket",
    FeedFailure.BAD_URL: "not a websocket URL: {}",
    FeedFailure.TLS_UNTRUSTED: "TLS certificate not trusted: {}",
    FeedFailure.SILENT: "no frame from the feed within the idle timeout",
    FeedFailure.OPEN_TIMEOUT: "the feed did not answer the connection in time",
    FeedFailure.REFUSED: "connection refused",
    FeedFailure.CLOSED: "connection closed ({})",
    FeedFailure.SERVER_CLOSED: "the feed closed the connection",
    FeedFailure.NETWORK: "network error: {}",
    FeedFailure.FAULT: "feed client fault: {}",
    FeedFailure.OTHER: "{}",
}


def failure_text(failure: FeedFailure, argument: str = "") -> str:
    """The failure in English, for logs and the command line."""
    if failure is FeedFailure.CLOSED and not argument:
        argument = "no close frame"
    return _ENGLISH[failure].format(argument)


def describe_failure(error: BaseException) -> str:
    """One line an operator can act on (English; the cockpit's screens translate the code)."""
    return failure_text(*classify_failure(error))


class FeedClient:
    """Keeps one subscription alive; hands every frame to `on_frame`: text as str, binary as bytes, text
    that is not UTF-8 as InvalidText, a message over the size limit as SkippedFrame.

    Nothing a frame contains can stop it: an exception from `on_frame` costs that frame (logged, counted in
    `frame_faults`), and any unexpected exception in a connection is logged with its traceback, kept in
    `fault` (and in every later status), and followed by a reconnect with back-off like a network error.
    """

    def __init__(
        self,
        url: str,
        *,
        on_frame: Callable[[Frame], None],
        resume_after: Callable[[], int | None],
        on_status: Callable[[FeedStatus], None],
        clock: Clock,
        token: str | None = None,
        ca_file: Path | None = None,
        policy: BackoffPolicy | None = None,
        rng: random.Random | None = None,
        companion: Callable[[ClientConnection], Awaitable[None]] | None = None,
    ) -> None:
        self.url = url
        self._on_frame = on_frame
        self._resume_after = resume_after
        self._on_status = on_status
        self._clock = clock
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._ssl = tls_context(url, ca_file)
        self.policy = policy or BackoffPolicy()
        self._rng = rng or random.Random()
        self.ever_connected = False
        self.last_frame_at: float | None = None
        self._subscribed = False
        self.faults = 0
        self.last_failure = ""  # why the latest connection ended
        self.fault = ""
        self._failure: tuple[FeedFailure | None, str] = (None, "")
        self.frame_faults = 0
        # Runs beside the reader for the life of each subscribed connection (the order sender).
        self._companion = companion

    def _status(
        self, state: ConnectionState, detail: str = "", *, retry_at: float | None = None, attempts: int = 0
    ) -> None:
        failure, argument = self._failure if detail else (None, "")
        self._on_status(
            FeedStatus(
                state,
                self.url,
                detail,
                self._clock.now(),
                retry_at,
                attempts,
                fault=self.fault,
                failure=failure,
                failure_arg=argument,
            )
        )

    async def run(self) -> None:
        """Connect, read and reconnect until cancelled."""
        attempt = 0
        try:
            while True:
                self._status(ConnectionState.CONNECTING, attempts=attempt)
                faulted = False
                try:
                    await self._session()
                    failure, argument = FeedFailure.SERVER_CLOSED, ""
                except (OSError, TimeoutError, WebSocketException) as error:
                    failure, argument = classify_failure(error)
                except Exception as error:
                    # A defect, not the network: say so loudly, then carry on as after a dropped line.
                    _log.exception("feed client failed; reconnecting")
                    self.faults += 1
                    failure, argument = FeedFailure.FAULT, f"{type(error).__name__}: {error}"[:480]
                    self.fault = failure_text(failure, argument)
                    faulted = True
                detail = failure_text(failure, argument)
                self.last_failure = detail
                self._failure = (failure, argument)
                # A defect that strikes again on every connection backs off up to the cap, not in a loop.
                if self._subscribed and not faulted:
                    attempt = 0
                delay = self.policy.delay(attempt, self._rng)
                attempt += 1
                self._status(
                    ConnectionState.BACKING_OFF, detail, retry_at=self._clock.now() + delay, attempts=attempt
                )
                await asyncio.sleep(delay)
        finally:
            self._status(ConnectionState.STOPPED)

    async def _session(self) -> None:
        self._subscribed = False
        async with connect(
            self.url,
            additional_headers=self._headers,
            ssl=self._ssl,
            compression=None,
            # The connection's own gate skips larger messages before the library would refuse them.
            max_size=LIBRARY_MAX_BYTES,
            create_connection=FeedConnection,
            open_timeout=self.policy.open_timeout_s,
            close_timeout=2,
            user_agent_header=CLIENT_NAME,
        ) as ws:
            await ws.send(encode_subscribe(CLIENT_NAME, self._resume_after()).decode())
            self.ever_connected = True
            self._subscribed = True
            self._status(ConnectionState.CONNECTED)
            assert isinstance(ws, FeedConnection)
            companion = None if self._companion is None else asyncio.ensure_future(self._companion(ws))
            try:
                await self._read_while_alive(ws)
            finally:
                if companion is not None:
                    companion.cancel()
                    for outcome in await asyncio.gather(companion, return_exceptions=True):
                        _report_companion(outcome)

    async def _read_while_alive(self, ws: FeedConnection) -> None:
        """Read frames; give up on a connection that has been silent for the idle timeout.

        A watchdog checks the age of the last frame a few times per timeout instead of arming a timer per
        frame, which cost more than decoding the frame itself at high rates.
        """
        loop = asyncio.get_running_loop()
        idle = self.policy.idle_timeout_s
        self.last_frame_at = loop.time()
        reader = asyncio.ensure_future(self._read(ws, loop))
        try:
            while True:
                await asyncio.wait([reader], timeout=min(1.0, idle / 4))
                if reader.done():
                    reader.result()
                    return
                if loop.time() - max(self.last_frame_at, ws.last_data_at) > idle:
                    raise FeedSilentError
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _read(self, ws: FeedConnection, loop: asyncio.AbstractEventLoop) -> None:
        on_frame = self._on_frame
        while True:
            frame = await ws.next_frame()
            self.last_frame_at = loop.time()
            try:
                on_frame(frame)
            except Exception:
                # The handler quarantines what it cannot take; this is the net under that net.
                self.frame_faults += 1
                _log.exception("a feed frame could not be handled; skipped")


def _report_companion(outcome: object) -> None:
    """A companion ends with the connection; anything else it raised is a fault worth a log line, but
    must not take the reader down with it (the next connection starts a fresh companion)."""
    if isinstance(outcome, Exception) and not isinstance(outcome, websockets.ConnectionClosed):
        _log.error("feed companion failed: %s", outcome, exc_info=outcome)
