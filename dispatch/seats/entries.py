"""The entries of a centre's log: a case command or a feed event, with the time every seat applies it at."""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec
import msgspec.structs

from dispatch.casework.model import Action, Actor, Command, Role

T = TypeVar("T", bound=msgspec.Struct)
X = TypeVar("X")
# Sorted keys: the same entry is the same bytes, whichever seat wrote it.
_ENCODER = msgspec.json.Encoder(order="sorted")
# A seat's feed packs what it stored into entries of at most this many events and about this many bytes
# (dispatch.seats.entries.pack_events): a tenth of the hub's default max_payload (1 MiB).
PACK_EVENTS = 256
PACK_BYTES = 100_000


class BadEntry(ValueError):
    """Bytes in the log that are no entry this version can apply (every seat refuses them alike)."""


class WireActor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    login: str
    role: str
    name: str = ""


class CommandEntry(msgspec.Struct, frozen=True, tag="command", forbid_unknown_fields=True):
    """A command on one case, made against the version its sender saw."""

    id: str  # the Nats-Msg-Id: JetStream drops a second publish of it
    seat: str  # who sent it: that seat waits for its outcome
    at: float  # the sender's loop clock when it was given: the command's time on every seat
    case_id: int
    version: int
    action: str
    actor: WireActor
    reason: str = ""
    payload: dict[str, Any] = {}


class EventEntry(msgspec.Struct, frozen=True, tag="event", forbid_unknown_fields=True):
    """One revision of a feed event, ingested once for the centre (its identity is its message id)."""

    id: str
    seat: str
    at: float
    source: str
    event_id: str
    revision: int
    occurred_at: float
    category: str
    severity: int | None = None
    title: str = ""
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    grid: str = ""
    camera_id: str = ""
    exercise: bool = False
    cancelled: bool = False
    # Which device spoke and whether its alarm is over (machine sources): discovery groups a device's
    # alarms into one case and proposes 自动消警 when they clear, on every seat as on one console.
    device: str | None = None
    cleared: bool = False
    # A CAP warning's own part (its areas, expiry…), as the feed stored it: the map's warning areas and the
    # wall's warnings read it on every seat.
    cap: dict[str, Any] | None = None


class EventsEntry(msgspec.Struct, frozen=True, tag="events", forbid_unknown_fields=True):
    """Feed events a seat's feed stored together, in one entry: one publish, one acknowledgement and one
    delivery for all of them (one entry each cost the hub and every seat ~0.5 ms apiece). Each event
    keeps its identity: a seat stores a revision once, however many seats' feeds forwarded it. Applying
    it stores the events; the leader's runs of discovery (dispatch/seats/leading.py) turn them into
    cases, on every seat alike, as the beat does on one console."""

    id: str
    seat: str
    at: float
    events: tuple[EventEntry, ...]


class LeaseEntry(msgspec.Struct, frozen=True, tag="lease", forbid_unknown_fields=True):
    """A seat took the lease for the periodic jobs: `term` is the lease's revision in the hub's key-value
    store when it was taken. Every job entry after it must carry this term (dispatch/seats/lease.py)."""

    id: str
    seat: str
    at: float
    term: int


class JobsEntry(msgspec.Struct, frozen=True, tag="jobs", forbid_unknown_fields=True):
    """The leader ran the periodic jobs at `at`, under lease `term`: every seat runs them alike at apply;
    a term other than the last lease entry's is a stale leader's and is refused (fencing)."""

    id: str
    seat: str
    at: float
    term: int
    jobs: tuple[str, ...]


class RetryEntry(msgspec.Struct, frozen=True, tag="retry", forbid_unknown_fields=True):
    """An officer asked the jobs to try again the items they set aside (the health panel's 重试): marked
    on every seat at once, so that the next run of the jobs retries them on every seat alike (a mark
    on one seat's store alone would make its replica differ from the others')."""

    id: str
    seat: str
    at: float
    actor: str  # who asked (the officer signed in at the console)


class HandoverEntry(msgspec.Struct, frozen=True, tag="handover", forbid_unknown_fields=True):
    """A shift lead hands the shift over (交接班: `kind` "write", the note and the shift) or signs for a
    handover (`kind` "receive", its id): the next shift's lead may sit at another console, so every seat
    holds every handover, with the open cases as the log had them at the entry's time."""

    id: str
    seat: str
    at: float
    kind: str
    actor: WireActor
    note: str = ""
    shift_start: float = 0.0
    shift_end: float = 0.0
    exercise: bool = False
    handover: int = 0


class TransferEntry(msgspec.Struct, frozen=True, tag="transfer", forbid_unknown_fields=True):
    """What another centre sent this one (levels): an escalation (上报) from a district, or a case handed
    back down (下派) by the city. `transfer` is its id in the sender's outbox: taken once, however often
    it arrives. The sender must be the centre its subject names (the hub lets a centre publish only
    there; the apply checks the two agree)."""

    id: str
    seat: str
    at: float
    sender: str
    transfer: int
    kind: str
    body: dict[str, Any]


class RelayedEntry(msgspec.Struct, frozen=True, tag="relayed", forbid_unknown_fields=True):
    """The leader saw transfer `transfer` stored in the other centre's log at `remote_seq`: every seat
    marks it sent (a new leader then does not send it again)."""

    id: str
    seat: str
    at: float
    term: int
    transfer: int
    remote_seq: int


class ReportEntry(msgspec.Struct, frozen=True, tag="report", forbid_unknown_fields=True):
    """A field unit's report on its order (sign, progress, handled, return request), as the feed brought
    it to a seat: `body` is the report's wire JSON. Every seat applies it alike (dispatch.casework.records
    .orders.apply_report); the same report from two seats' feeds is one entry (its id is its bytes')."""

    id: str
    seat: str
    at: float
    feed: str
    body: str


class ReadingEntry(msgspec.Struct, frozen=True, tag="reading", forbid_unknown_fields=True):
    """One vital-sign reading (水位, 交通指数…) as a seat's feed brought it, so that every replica — a
    wall's too — holds the city's vital signs. Its identity is its name, time and labels."""

    id: str
    seat: str
    at: float
    name: str
    value: float
    taken_at: float
    unit: str | None = None
    labels: dict[str, str] = {}


class ReadingsEntry(msgspec.Struct, frozen=True, tag="readings", forbid_unknown_fields=True):
    """Vital-sign readings a seat's feed brought together, in one entry (as EventsEntry packs events);
    each keeps its identity and is held once by every replica."""

    id: str
    seat: str
    at: float
    readings: tuple[ReadingEntry, ...]


Entry = (
    CommandEntry
    | EventEntry
    | EventsEntry
    | LeaseEntry
    | JobsEntry
    | RetryEntry
    | HandoverEntry
    | TransferEntry
    | RelayedEntry
    | ReportEntry
    | ReadingEntry
    | ReadingsEntry
)
_DECODER = msgspec.json.Decoder(Entry)


def command_entry(command: Command, seat: str, at: float) -> CommandEntry:
    """The entry for `command`; call it after dispatch.casework.payloads.check_command passed, so that
    every value survives JSON exactly (no NaN, integers within 64 bits)."""
    actor = WireActor(command.actor.login, command.actor.role.value, command.actor.name)
    return CommandEntry(
        f"cmd.{seat}.{uuid.uuid4().hex}", seat, at, command.case_id, command.version,
        command.action.value, actor, command.reason, dict(command.payload),
    )  # fmt: skip


def event_entry(fields: dict[str, Any], seat: str, at: float) -> EventEntry:
    """The entry for one feed event given as EventEntry's fields (no id, seat or time: those are set
    here), or BadEntry naming what is wrong. Checked strictly now, so that every seat applies what the
    sender meant (JSON would turn NaN into null)."""
    try:
        entry = msgspec.convert({**fields, "id": "", "seat": seat, "at": at}, EventEntry)
    except msgspec.ValidationError as error:
        raise BadEntry(f"not an event: {error}") from None
    for name in ("at", "occurred_at", "lon", "lat"):
        value = getattr(entry, name)
        if value is not None and not math.isfinite(value):
            raise BadEntry(f"not an event: {name} is {value!r}")
    return msgspec.structs.replace(entry, id=event_id(entry.source, entry.event_id, entry.revision))


def event_id(source: str, event: str, revision: int) -> str:
    """An event revision's message id: the same report published twice (two seats, a retry) is one entry."""
    return f"event.{source}.{event}.{revision}"


def pack_events(
    fields: Sequence[dict[str, Any]], seat: str, at: float, *, most: int = PACK_EVENTS,
    most_bytes: int = PACK_BYTES,
) -> tuple[list[EventsEntry], list[str]]:  # fmt: skip
    """Feed events (EventEntry's fields, in the order stored) packed into entries of at most `most`
    events and about `most_bytes` encoded (the hub refuses a message over its max_payload, 1 MiB by
    default); an event bigger than that alone is an entry alone. An event that is no event is left out
    and said why (the second list): one bad event must not hold back the others."""
    chunks, problems = _made(lambda one: event_entry(one, seat, at), fields, most, most_bytes)
    return [EventsEntry(f"events.{_identity(chunk)}", seat, at, tuple(chunk)) for chunk in chunks], problems


Sample = tuple[str, float, float, str | None, dict[str, str]]  # name, value, taken at, unit, labels


def pack_readings(
    samples: Sequence[Sample], seat: str, at: float, *, most: int = PACK_EVENTS, most_bytes: int = PACK_BYTES
) -> tuple[list[ReadingsEntry], list[str]]:
    """Vital-sign readings packed as `pack_events` packs events; a reading that is no number is left out
    and said why."""
    chunks, problems = _made(lambda one: reading_entry(*one, seat, at), samples, most, most_bytes)
    packed = [ReadingsEntry(f"readings.{_identity(chunk)}", seat, at, tuple(chunk)) for chunk in chunks]
    return packed, problems


def _made(
    make: Callable[[X], T], given: Sequence[X], most: int, most_bytes: int
) -> tuple[list[list[T]], list[str]]:
    """`make` of each given item, in chunks (`_chunks`); what it refused (BadEntry), said, not chunked."""
    made: list[T] = []
    problems: list[str] = []
    for one in given:
        try:
            made.append(make(one))
        except BadEntry as error:
            problems.append(str(error))
    return _chunks(made, most, most_bytes), problems


def _chunks(items: list[T], most: int, most_bytes: int) -> list[list[T]]:
    """`items` in order, in runs of at most `most` and about `most_bytes` encoded (one bigger alone)."""
    chunks: list[list[T]] = []
    chunk: list[T] = []
    size = 0
    for item in items:
        weight = len(_ENCODER.encode(item))
        if chunk and (len(chunk) >= most or size + weight > most_bytes):
            chunks.append(chunk)
            chunk, size = [], 0
        chunk.append(item)
        size += weight
    if chunk:
        chunks.append(chunk)
    return chunks


def _identity(chunk: Sequence[EventEntry] | Sequence[ReadingEntry]) -> str:
    """A packed entry's id is its items' identities: the same items packed again (a retry, or another
    seat's feed packing alike) are one entry."""
    return hashlib.sha256("\n".join(item.id for item in chunk).encode("utf-8", "surrogatepass")).hexdigest()[
        :40
    ]


def lease_entry(term: int, seat: str, at: float) -> LeaseEntry:
    # One entry per term, whoever publishes it again (a retry after a lost acknowledgement).
    return LeaseEntry(f"lease.{term}", seat, at, term)


def jobs_entry(term: int, run: int, jobs: tuple[str, ...], seat: str, at: float) -> JobsEntry:
    """The `run`th run of the jobs under `term` (a retry of the same run is stored once)."""
    return JobsEntry(f"jobs.{term}.{run}", seat, at, term, jobs)


def retry_entry(actor: str, seat: str, at: float) -> RetryEntry:
    return RetryEntry(f"retry.{seat}.{uuid.uuid4().hex}", seat, at, actor)


def handover_entry(
    kind: str, actor: Actor, seat: str, at: float, *, note: str = "", shift: tuple[float, float] = (0.0, 0.0),
    exercise: bool = False, handover: int = 0,
) -> HandoverEntry:  # fmt: skip
    who = WireActor(actor.login, actor.role.value, actor.name)
    start, end = shift
    return HandoverEntry(
        f"handover.{seat}.{uuid.uuid4().hex}", seat, at, kind, who, note, start, end, exercise, handover
    )


def wire_actor(actor: WireActor) -> Actor:
    """The desk's actor, or BadEntry for a role this version does not know."""
    try:
        return Actor(actor.login, Role(actor.role), actor.name)
    except ValueError as error:
        raise BadEntry(str(error)) from None


def transfer_entry(
    sender: str, transfer: int, kind: str, body: dict[str, Any], seat: str, at: float
) -> TransferEntry:
    # Its message id names the sender and the transfer: sent again (a retry, a new leader), stored once.
    return TransferEntry(f"from.{sender}.{transfer}", seat, at, sender, transfer, kind, body)


def warning_entry(sender: str, fields: dict[str, Any], seat: str, at: float) -> TransferEntry:
    """A CAP warning of `sender`'s sent down to a district: its message id is the warning's identity, so a
    new leader sending it again stores it once (and the district stores a warning revision once)."""
    who = event_id(str(fields.get("source")), str(fields.get("event_id")), int(fields.get("revision") or 0))
    return TransferEntry(f"from.{sender}.{who}", seat, at, sender, 0, "warning", fields)


def relayed_entry(term: int, transfer: int, remote_seq: int, seat: str, at: float) -> RelayedEntry:
    return RelayedEntry(f"relayed.{transfer}", seat, at, term, transfer, remote_seq)


def report_entry(feed: str, body: str, seat: str, at: float) -> ReportEntry:
    # The report's identity is its bytes: the centre's platform sends every seat the same frame.
    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return ReportEntry(f"report.{digest}", seat, at, feed, body)


def reading_entry(
    name: str, value: float, taken_at: float, unit: str | None, labels: dict[str, str], seat: str, at: float
) -> ReadingEntry:
    """The entry for one reading, or BadEntry when a number in it is not finite (JSON has no NaN)."""
    if not (math.isfinite(value) and math.isfinite(taken_at)):
        raise BadEntry(f"not a reading: {name} = {value!r} at {taken_at!r}")
    who = hashlib.sha256(_ENCODER.encode([name, taken_at, labels])).hexdigest()[:40]
    return ReadingEntry(f"reading.{who}", seat, at, name, value, taken_at, unit, dict(labels))


def encode(entry: Entry) -> bytes:
    return _ENCODER.encode(entry)


def decode(data: bytes) -> Entry:
    """The entry in `data`, or BadEntry saying what is wrong with it."""
    try:
        entry = _DECODER.decode(data)
    except msgspec.DecodeError as error:  # ValidationError is one
        raise BadEntry(f"not a log entry: {error}") from None
    if not math.isfinite(entry.at):
        raise BadEntry(f"the entry's time is not a finite number: {entry.at!r}")
    if isinstance(entry, EventEntry) and not math.isfinite(entry.occurred_at):
        raise BadEntry(f"the event's time is not a finite number: {entry.occurred_at!r}")
    if isinstance(entry, ReadingEntry) and not (math.isfinite(entry.value) and math.isfinite(entry.taken_at)):
        raise BadEntry(f"the reading is not a finite number: {entry.value!r} at {entry.taken_at!r}")
    return entry


def to_command(entry: CommandEntry) -> Command:
    """The desk's command, or BadEntry for an action or role this version does not know."""
    try:
        action, role = Action(entry.action), Role(entry.actor.role)
    except ValueError as error:
        raise BadEntry(str(error)) from None
    actor = Actor(entry.actor.login, role, entry.actor.name)
    return Command(entry.case_id, entry.version, action, actor, entry.reason, dict(entry.payload))
