"""Joining a centre from the app (`--hub … --seat NAME`): the seat's loop, its feed forwarded to the log."""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.shell.cockpit import Pipeline, PipelineFactory
from core.clock import SystemClock
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.checkpoints import Checkpointer
from dispatch.feed.positions_wire import PositionFix
from dispatch.feed.protocol import Event
from dispatch.feed.values import FeedStatus, IntakeChanges, StoredEvent
from dispatch.seats.credentials import HubCredentials
from dispatch.seats.entries import pack_events, pack_readings
from dispatch.seats.outbound import Outbound
from dispatch.seats.report_tail import EventSignals, PositionTail, Signals, UnitReportTail
from dispatch.service import LoopContext
from dispatch.store.positions import store_positions

if TYPE_CHECKING:  # the NATS client loads only when a console joins a hub
    from dispatch.seats.seat import SeatLoop

log = logging.getLogger(__name__)
# The feed store's units' reports and positions are read at most this often (drain runs every frame).
LOOK_EVERY_S = 0.5


class JoinFailed(Exception):
    """The console could not join the centre (the hub unreachable in time, or no JetStream there)."""


@dataclass(frozen=True, slots=True)
class SeatJoin:
    """Where a console joins: the hub's servers (any of them), the centre, this seat's name, and who it
    is on the hub (its user, password and the CA it trusts; none on a hub without users)."""

    hub: tuple[str, ...]
    seat: str
    centre: str
    credentials: HubCredentials | None = None
    parent: str | None = None  # the centre above (a district's city): 上报 goes there
    children: tuple[str, ...] = ()  # the districts below (a city's): its CAP warnings go down to them
    log_days: float | None = None  # how long the centre's log keeps an entry, if this console creates it


def feed_store(replica: Path) -> Path:
    """Where a seat's own feed is stored, beside its replica: the replica holds only what the log says
    (a feed writing into it would make it differ from the other seats')."""
    return replica.with_name(f"{replica.stem}.feed{replica.suffix or '.sqlite3'}")


def open_seat_loop(
    join: SeatJoin, replica: Path, *, lead: bool = True, checkpoints: Checkpointer | None = None
) -> SeatLoop:
    """The seat's closed loop on `replica`; it may lead the periodic jobs (a console; never a wall, which
    only follows). JoinFailed (naming the hub) when the hub cannot be reached in time."""
    from dispatch.seats.hub import HubUnavailable, Retention
    from dispatch.seats.seat import SeatLoop
    from dispatch.seats.subjects import BadName

    policy = load_policy(default_policy_path())
    retention = Retention(join.log_days * 86_400) if join.log_days is not None else None
    try:
        return SeatLoop(
            replica, policy, SystemClock(), hub=join.hub, centre=join.centre, seat=join.seat, lead=lead,
            credentials=join.credentials, parent=join.parent, children=join.children, retention=retention,
            audit_checkpoints=checkpoints,
        )  # fmt: skip
    except (HubUnavailable, BadName) as error:
        raise JoinFailed(str(error)) from error


def event_fields(event: StoredEvent, signals: Signals | None = None) -> dict[str, object]:
    """A stored feed event as the log's event entry (dispatch.seats.entries.EventEntry) takes it, with the
    device it names, whether its alarm cleared and a CAP warning's own part (from the feed store)."""
    extra = signals or Signals()
    return {
        "device": extra.device, "cleared": extra.cleared, "cap": extra.cap,
        "source": event.source, "event_id": event.event_id, "revision": event.revision,
        "occurred_at": event.occurred_at, "category": event.category, "severity": event.severity,
        "title": event.title, "description": event.description or "", "lon": event.lon, "lat": event.lat,
        "address": event.address or "", "grid": event.grid or "", "camera_id": event.camera_id or "",
        "exercise": event.exercise, "cancelled": event.cancelled,
    }  # fmt: skip


class ForwardingPipeline:
    """The cockpit's feed pipeline on a seat: it stores the feed in the seat's feed store as ever, and
    publishes the events it committed to the centre's log, packed a frame's worth an entry; the leader's
    runs of discovery open their cases on every seat. Every seat on the same feed publishes the same
    reports: every replica stores each revision once (its identity), whichever entry brought it. Cut off,
    or not confirmed, an entry waits and is published again once the seat is joined
    (dispatch/seats/outbound.py): the centre's log must not miss what only this seat's feed saw."""

    def __init__(self, inner: Pipeline, seat: SeatLoop, feed_db: Path | None = None) -> None:
        self._inner = inner
        self._seat = seat
        self.outbound = Outbound(lambda: seat.status.online)
        # Units' reports the feed stored in this seat's feed store go to the log too (every seat applies
        # them); read from the store, where the intake keeps them in arrival order.
        self._units = UnitReportTail(feed_db) if feed_db is not None else None
        self._signals = EventSignals(feed_db) if feed_db is not None else None
        self._positions = PositionTail(feed_db) if feed_db is not None else None
        self._looked = float("-inf")  # when the feed store's tails were last read (time.monotonic)

    @property
    def status(self) -> FeedStatus:
        return self._inner.status

    async def run(self) -> None:
        await self._inner.run()

    def drain(self) -> IntakeChanges | None:
        changes = self._inner.drain()
        if changes is not None:
            seat, out = self._seat, self.outbound
            keys = [(event.source, event.event_id, event.revision) for event in changes.events]
            signals = self._signals.of(keys) if self._signals is not None else {}
            fields = [
                event_fields(event, signals.get(key)) for event, key in zip(changes.events, keys, strict=True)
            ]
            # What the feed stored this frame goes as few entries (dispatch.seats.entries.pack_events).
            packed, problems = pack_events(fields, seat.seat, seat.clock.now())
            for entry in packed:
                out.add(functools.partial(seat.publish_events, entry), len(entry.events))
            for problem in problems:  # stored here, but no entry can carry it: said, not sent
                log.error("a feed event is not forwarded to the centre: %s", problem)
            # Every replica holds the vital signs (a wall shows them): a frame's worth an entry too.
            samples = [(m.name, m.value, m.at, m.unit, dict(m.labels)) for m in changes.metrics]
            readings, bad = pack_readings(samples, seat.seat, seat.clock.now())
            for held in readings:
                out.add(functools.partial(seat.publish_readings, held), len(held.readings))
            for problem in bad:
                log.error("a vital-sign reading is not forwarded to the centre: %s", problem)
        now = time.monotonic()
        if now - self._looked >= LOOK_EVERY_S:  # the feed store's tails: not on every frame
            self._looked = now
            for feed, body in self._units.new() if self._units is not None else ():
                self.outbound.add(functools.partial(self._seat.publish_report, feed, body))
            fixes = self._positions.new() if self._positions is not None else []
            if fixes:  # the seat's own records: its map and recommendations read them from its replica
                self._seat.write(functools.partial(copy_positions, fixes))
        self.outbound.pump()
        return changes

    def submit_local(self, event: Event) -> None:
        self._inner.submit_local(event)

    def wake_orders(self) -> None:
        self._inner.wake_orders()

    async def close(self) -> None:
        if self._units is not None:
            self._units.close()
        if self._signals is not None:
            self._signals.close()
        if self._positions is not None:
            self._positions.close()
        await self._inner.close()


def copy_positions(fixes: list[PositionFix], ctx: LoopContext) -> None:
    """On the seat's store thread: the units' positions its feed saw, as its own records."""
    with ctx.desk.transaction() as conn:
        store_positions(conn, fixes)


def forwarding(factory: PipelineFactory, seat: SeatLoop) -> PipelineFactory:
    """`factory`'s pipelines, each forwarding its feed (events and units' reports) to `seat`'s centre."""

    def build(db_path: Path, feed_url: str) -> Pipeline:
        return ForwardingPipeline(factory(db_path, feed_url), seat, db_path)

    return build
