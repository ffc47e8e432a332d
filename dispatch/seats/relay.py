"""The leader's relay of what this centre owes other centres (levels): each transfer into the other
centre's log, then its confirmation into this one's, so that every seat knows it was sent."""

from __future__ import annotations

import logging
from typing import Any

from dispatch.casework.records.levels import Transfer
from dispatch.seats.entries import encode, relayed_entry, transfer_entry, warning_entry
from dispatch.seats.hub import Hub, HubUnavailable
from dispatch.seats.subjects import Centre

log = logging.getLogger(__name__)


async def relay(hub: Hub, seat: str, term: int, pending: list[Transfer], at: float) -> int:
    """Send every transfer in `pending` (oldest first) and confirm each under lease `term`; how many were
    confirmed. Stops at the first the hub does not take (the other centre's log is not there yet, or the
    hub is gone): the rest wait for the next beat, in order.

    Sent twice (this leader died between the two publishes, or its confirmation was fenced), a transfer
    is one entry on the other side within the hub's duplicate window, and taken once after it (the
    other centre's apply remembers every transfer it took)."""
    me = hub.centre
    confirmed = 0
    for transfer in pending:
        to = Centre(transfer.to_centre)
        entry = transfer_entry(me.name, transfer.id, transfer.kind, transfer.body, seat, at)
        try:
            stored = await hub.publish(to.inbound_subject(me.name), encode(entry), entry.id, centre=to)
            confirm = relayed_entry(term, transfer.id, stored.seq, seat, at)
            await hub.publish(me.lead_subject, encode(confirm), confirm.id)
        except HubUnavailable as error:
            log.warning(
                "centre %s could not send transfer %d to %s yet: %s", me.name, transfer.id, to.name, error
            )
            break
        confirmed += 1
    return confirmed


async def send_warnings(
    hub: Hub, seat: str, warnings: list[tuple[int, dict[str, Any]]], children: tuple[str, ...], at: float
) -> int:
    """Send each of this centre's CAP warnings (oldest first) to every district below it; the rowid of
    the last sent to all (0: none). Stops at the first the hub does not take: the rest go at the next
    beat. A district stores each warning revision once, however often it is sent."""
    me, done = hub.centre, 0
    for rowid, fields in warnings:
        entry = warning_entry(me.name, fields, seat, at)
        try:
            for child in children:
                to = Centre(child)
                await hub.publish(to.inbound_subject(me.name), encode(entry), entry.id, centre=to)
        except HubUnavailable as error:
            log.warning(
                "centre %s could not send warning %s down yet: %s", me.name, fields.get("event_id"), error
            )
            break
        done = rowid
    return done
