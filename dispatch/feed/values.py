"""Plain values that flow from the intake pipeline to whoever shows them (app/, widgets/, CLI)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ConnectionState(enum.Enum):
    """Where the feed client is in its connect / subscribe / back-off cycle."""

    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    BACKING_OFF = "backing_off"
    STOPPED = "stopped"


class FeedFailure(enum.Enum):
    """Why the latest connection ended, as a code the screens put in the operator's language."""

    TOKEN_REFUSED = "token_refused"  # argument: the HTTP status
    HTTP_STATUS = "http_status"  # argument: the HTTP status
    BAD_URL = "bad_url"  # argument: the URL
    TLS_UNTRUSTED = "tls_untrusted"  # argument: the verifier's message
    SILENT = "silent"
    OPEN_TIMEOUT = "open_timeout"
    REFUSED = "refused"
    CLOSED = "closed"  # argument: the close code, or ""
    SERVER_CLOSED = "server_closed"
    NETWORK = "network"  # argument: the system's message
    FAULT = "fault"  # argument: the exception
    OTHER = "other"  # argument: the exception


class StorageTrouble(enum.Enum):
    """Why the store cannot take writes right now; the feed waits and resumes when it can."""

    FULL = "full"  # no space left on the device (or the file's size limit)
    IO_ERROR = "io_error"  # the device failed a read or write, or turned read-only
    BUSY = "busy"  # another process has held the write lock past the timeout


class QuarantineReason(enum.Enum):
    """Why a frame of a known type was set aside instead of applied."""

    NOT_JSON = "not_json"
    NOT_OBJECT = "not_object"
    BINARY_FRAME = "binary_frame"
    NOT_UTF8 = "not_utf8"
    OVERSIZED = "oversized"
    TOO_DEEP = "too_deep"
    MISSING_TYPE = "missing_type"
    INVALID_FIELDS = "invalid_fields"
    BAD_CAP = "bad_cap"
    BAD_TIME = "bad_time"


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """The connection as an operator sees it."""

    state: ConnectionState
    url: str
    detail: str = ""
    since: float = 0.0
    retry_at: float | None = None
    attempts: int = 0
    # The last unexpected failure of the feed client this run (it reconnected after it); "" if none.
    fault: str = ""
    storage: StorageTrouble | None = None
    # `detail` as a code and its argument, for the screens (the detail stays English for logs and CLI).
    failure: FeedFailure | None = None
    failure_arg: str = ""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One committed event revision, flattened for display."""

    source: str
    event_id: str
    revision: int
    seq: int
    received_at: float
    occurred_at: float
    category: str
    severity: int
    title: str
    description: str | None = None
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    grid: str | None = None
    camera_id: str | None = None
    exercise: bool = False
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One vital-sign reading."""

    seq: int
    name: str
    value: float
    at: float
    unit: str | None = None
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of the feed the server could no longer replay (a `reset`)."""

    after_seq: int | None
    head: int
    reason: str
    at: float


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A frame set aside, with enough of it kept to investigate."""

    received_at: float
    reason: QuarantineReason
    detail: str
    raw: str
    raw_size: int
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class IntakeCounters:
    """Running totals since the pipeline started, plus the feed position."""

    frames: int = 0
    events: int = 0
    revisions: int = 0
    duplicates: int = 0
    replays: int = 0
    quarantined: int = 0
    unknown: int = 0
    metrics: int = 0
    heartbeats: int = 0
    cap_dropped: int = 0
    gaps: int = 0
    positions: int = 0  # times a commit moved a unit's latest position (protocol v1.2 live positions)
    last_seq: int | None = None
    head: int | None = None
    events_per_s: float = 0.0


@dataclass(frozen=True, slots=True)
class IntakeChanges:
    """Everything that changed since the previous drain: the only thing views ever receive."""

    counters: IntakeCounters
    feed: FeedStatus
    events: tuple[StoredEvent, ...] = ()
    metrics: tuple[MetricSample, ...] = ()
    gaps: tuple[Gap, ...] = ()
    quarantined: tuple[QuarantineEntry, ...] = field(default=())
