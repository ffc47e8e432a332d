"""Catching up by rows: the leader cuts its replica's row deltas into the hub (Cutter); a seat starting
behind applies those that chain from its cursor before it follows the log (catch_up).

Why: replaying the log runs the desk again for every entry (~150 µs a command, ~270 µs a case discovery
opens); copying the rows the entries wrote costs a fraction of that. The log stays the truth — every seat
following it live still applies every entry, and a seat with no delta to take (none kept, one refused, the
hub slow) replays as before.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from core.clock import Clock
from dispatch.seats.apply import Outcome, read_cursor
from dispatch.seats.deltas import Delta, Prepared, Recorder, apply_delta, pack, prepare
from dispatch.seats.hub import Hub, HubUnavailable
from dispatch.service import LocalLoop, LoopContext

log = logging.getLogger(__name__)
# The leader cuts a delta every DELTA_ENTRIES entries applied, and at a beat when DELTA_S of its clock
# passed with anything applied: a seat restarting replays at most about that much of the log's tail.
DELTA_ENTRIES = 1000
DELTA_S = 10.0
# … and as soon as this many rows were touched (a burst of discovery opens hundreds of cases an entry):
# a cut reads its rows on the store's thread, ~5 µs a row by its key (a cut holds the thread ~25 ms),
# ~2.7 µs a row appended to the audit or the feed's events (read by a range of ids; ~55 ms). A seat
# restarting rewrites what the delta around its cursor wrote before it: small deltas waste little.
DELTA_ROWS = 5000
DELTA_APPENDED = 20_000
FOLLOWER_KEEPS = 10
# How long one delta's download may take before the seat stops taking deltas and replays the rest.
DOWNLOAD_S = 60.0
# Deltas a seat catching up downloads and checks before it writes them. Downloading on the hub's thread
# while the store's thread writes slowed the writing (each row lets go of the interpreter and waits to
# get it back); checking them while downloading costs nothing more. A delta is ~170 kB downloaded and
# ~5 MB checked and in memory for 1,000 commands (bench seats): eight, ~40 MB.
AHEAD = 8
OnHub = Callable[[Coroutine[Any, Any, Any]], concurrent.futures.Future[Any]]


class Cutter:
    """On the store's thread of a seat that may lead: records what its apply writes, and cuts it into a
    delta every DELTA_ENTRIES entries (or DELTA_S) — published while it leads, forgotten otherwise."""

    def __init__(
        self, centre: str, clock: Clock, leads: Callable[[], bool], publish: Callable[[Delta], None]
    ) -> None:
        self.centre, self.clock, self._leads, self._publish = centre, clock, leads, publish
        self._recorder: Recorder | None = None
        self._entries = 0  # applied since the last cut
        self._recorded = 0  # applied since the recorder's `first` (a seat that does not lead keeps some)
        self._at = 0.0

    def open(self, conn: sqlite3.Connection) -> None:
        self._recorder = Recorder(conn, read_cursor(conn)[0])
        self._at = self.clock.monotonic()

    def applied(self, outcomes: Sequence[Outcome]) -> None:
        """After a batch committed: the store stands exactly at its last entry."""
        if self._recorder is None:
            return
        self._entries += len(outcomes)
        self._recorded += len(outcomes)
        if any(outcome.marked for outcome in outcomes):
            self._recorder.retried = True
        if self._entries >= DELTA_ENTRIES or self._due(1 if self._leads() else FOLLOWER_KEEPS):
            self.cut()

    def _due(self, times: int) -> bool:
        """Rows enough touched for a cut (`times` a cut's worth: a seat that does not lead keeps more)."""
        assert self._recorder is not None
        try:
            keyed, appended = self._recorder.touched()
        except sqlite3.Error as error:
            log.warning("no more row deltas from this seat: %s", error, exc_info=error)
            self._recorder = None
            return False
        return keyed >= times * DELTA_ROWS or appended >= times * DELTA_APPENDED

    def beat(self) -> None:
        if self._entries and self.clock.monotonic() - self._at >= DELTA_S:
            self.cut()

    def cut(self) -> Delta | None:
        """Between batches: the delta since the last cut, published if this seat leads (None: nothing
        applied since, not leading, or it could not be read: the log is never held up by a delta)."""
        recorder = self._recorder
        if recorder is None:
            return None
        self._entries, self._at = 0, self.clock.monotonic()
        try:
            applied = read_cursor(recorder.conn)[0]
            if recorder.first == applied:
                return None
            if not self._leads():
                # Kept a while (up to FOLLOWER_KEEPS times a cut's worth): a seat that takes the lease
                # then publishes from before it led, and its first delta overlaps the old leader's last
                # (a delta applies from anywhere in its range) — no hole in the chain at a change of leader.
                if self._recorded >= FOLLOWER_KEEPS * DELTA_ENTRIES or self._due(FOLLOWER_KEEPS):
                    recorder.skip(applied)
                    self._recorded = 0
                return None
            delta = recorder.take(self.centre)
            self._recorded = 0
        except sqlite3.Error as error:
            log.warning("no delta cut at this seat's entry: %s", error, exc_info=error)
            self._recorder = None  # what it recorded is unsure now: no more deltas from this seat
            return None
        self._publish(delta)
        return delta


async def keep_delta(hub: Hub, delta: Delta, after: concurrent.futures.Future[None] | None = None) -> None:
    """On the hub's thread: pack a delta (off the loop) and keep it on the hub — once the one cut before
    it (`after`) is kept or failed: deltas reach the hub in order, one packed at a time, and the last one
    kept means every one before it was tried."""
    if after is not None:  # done however it ended (its failure was logged): this one is tried all the same
        await asyncio.wait([asyncio.wrap_future(after)])
    data = await asyncio.to_thread(pack, delta)
    await hub.put_delta(delta.first, delta.last, data)
    log.debug("delta %d-%d kept on the hub (%d bytes)", delta.first, delta.last, len(data))


def chain(kept: Sequence[tuple[int, int]], applied: int) -> list[tuple[int, int]]:
    """The deltas that take a store at `applied` furthest: each the one reaching furthest of those that
    begin at or before where the store stands by then (a delta applies from anywhere in its range)."""
    links: list[tuple[int, int]] = []
    while True:
        reach = [(last, first) for first, last in kept if first <= applied < last]
        if not reach:
            return links
        last, first = max(reach)
        links.append((first, last))
        applied = last


@dataclass(frozen=True, slots=True)
class Caught:
    """What a seat's catch-up by deltas did: the entries they covered, how many, how long it took."""

    entries: int = 0
    deltas: int = 0
    seconds: float = 0.0


def catch_up(hub: Hub, local: LocalLoop, on_hub: OnHub, timeout: float) -> Caught:
    """Before the seat follows the log: apply the chain of deltas from its cursor, each in one
    transaction, AHEAD at a time: downloaded together on the hub's thread and checked on this one as they
    arrive, then written one after another on the store's thread, with nothing else downloading. Stops at
    the first that cannot be had or applied (logged): the log covers the rest."""
    started = time.perf_counter()
    applied = local.query(lambda ctx: read_cursor(ctx.desk.conn)[0]).result(timeout)
    try:
        links = chain(on_hub(hub.deltas()).result(timeout + 5), applied)
    except (HubUnavailable, concurrent.futures.TimeoutError) as error:
        log.warning("cannot list the deltas, replaying the log: %s", error)
        return Caught()
    done = 0  # deltas written
    for at in range(0, len(links), AHEAD):
        batch = links[at : at + AHEAD]
        ready = _checked(hub, on_hub, batch)
        written = _write(local, ready, batch)
        done += written
        if written < len(batch):
            break
    covered = links[done - 1][1] - applied if done else 0
    caught = Caught(covered, done, time.perf_counter() - started)
    if done:
        log.info("caught up %d entries by %d deltas in %.2f s", caught.entries, done, caught.seconds)
    return caught


def _checked(hub: Hub, on_hub: OnHub, links: Sequence[tuple[int, int]]) -> list[Prepared]:
    """The deltas of `links` downloaded (all at once) and checked, up to the first that cannot be."""
    fetching = [on_hub(hub.get_delta(first, last, DOWNLOAD_S)) for first, last in links]
    ready: list[Prepared] = []
    try:
        for future, (first, last) in zip(fetching, links, strict=True):
            # A delta only saves time: whatever is wrong with it, the log has it all.
            try:
                ready.append(prepare(future.result(DOWNLOAD_S + 5), hub.centre.name))
            except Exception as error:
                log.warning("delta %d-%d not taken, replaying the log from there: %s", first, last, error)
                break
    finally:
        for future in fetching:
            future.cancel()
    return ready


def _write(local: LocalLoop, ready: list[Prepared], links: Sequence[tuple[int, int]]) -> int:
    """Write the checked deltas in order, each in its own transaction, up to the first the store refuses
    (rolled back: the store is where the one before left it); how many were written."""
    for n, prepared in enumerate(ready):
        try:
            local.write(functools.partial(_apply, ready=prepared)).result()
        except Exception as error:
            log.warning("delta %d-%d not taken, replaying the log from there: %s", *links[n], error)
            return n
    return len(ready)


def _apply(ctx: LoopContext, ready: Prepared) -> None:
    with ctx.desk.transaction() as conn:
        apply_delta(conn, ready)
