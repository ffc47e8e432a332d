"""CAP alerts mapped onto feed events: id, category, title, severity level, location and a CAP summary."""

from __future__ import annotations

import hashlib

from dispatch.feed.bounds import epoch_seconds
from dispatch.feed.cap_values import (
    EVENT_MSG_TYPES,
    EXERCISE_FLAG,
    CapAlert,
    CapInfo,
    CapReference,
    own_references,
)

# Limits of the feed EVENT schema (dispatch/feed/protocol.py): long CAP text is cut to fit rather than the
# whole warning being quarantined.
TITLE_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 20_000
ADDRESS_MAX_CHARS = 500
EVENT_ID_MAX_CHARS = 128
AREA_POINTS_MAX = 2_000

# China's warning levels I–IV (red, orange, yellow, blue); CAP has no level below Minor for Unknown.
SEVERITY_LEVEL = {"Extreme": 1, "Severe": 2, "Moderate": 3, "Minor": 4, "Unknown": 4}


def cap_to_event(alert: CapAlert) -> dict[str, object] | None:
    """The feed EVENT for an alert, or None for what never becomes an event (System, Draft, Ack, Error)."""
    exercise = EXERCISE_FLAG.get(alert.status)
    if exercise is None or alert.msg_type not in EVENT_MSG_TYPES or not alert.infos:
        return None
    info = alert.infos[0]
    identifier = alert.identifier if alert.msg_type == "Alert" else _root_reference(alert).identifier
    event: dict[str, object] = {
        "id": event_id(alert.sender, identifier),
        "source": "cap",
        "category": "cap_" + info.categories[0].lower(),
        "title": (info.headline or info.event)[:TITLE_MAX_CHARS],
    }
    text = "\n".join(part for part in (info.description, info.instruction) if part)
    if text:
        event["description"] = text[:DESCRIPTION_MAX_CHARS]
    event["severity"] = min(SEVERITY_LEVEL[each.severity] for each in alert.infos)
    event["occurred_at"] = (info.onset or info.effective or alert.sent).isoformat()
    location = _location(alert.infos)
    if location is not None:
        event["location"] = location
    event["exercise"] = exercise
    event["cap"] = _cap_summary(alert, info)
    if alert.msg_type == "Cancel":
        event["cancelled"] = True
    return event


def event_id(sender: str, identifier: str) -> str:
    """The event id of a sender's alert: CAP names an alert by sender and identifier, so two senders
    using one identifier are two events. "sender,identifier" as in CAP references; a pair too long for an
    event id becomes a digest of it (the full pair stays in the event's `cap` summary)."""
    pair = f"{sender},{identifier}"
    if len(pair) <= EVENT_ID_MAX_CHARS:
        return pair
    return "#" + hashlib.blake2b(pair.encode(), digest_size=16).hexdigest()


def _root_reference(alert: CapAlert) -> CapReference:
    # Producers list the whole chain (original alert, then its updates); the event was stored under the
    # original's identifier, so the earliest-sent entry is the one to revise. Ties keep document order.
    # Only the sender's own alerts can be revised: another sender's entries never pick the event.
    return min(own_references(alert), key=lambda ref: epoch_seconds(ref.sent))


def _cap_summary(alert: CapAlert, info: CapInfo) -> dict[str, object]:
    summary: dict[str, object] = {
        "identifier": alert.identifier,
        "sender": alert.sender,
        "sent": alert.sent.isoformat(),
        "status": alert.status,
        "msg_type": alert.msg_type,
        "references": [
            {"sender": ref.sender, "identifier": ref.identifier, "sent": ref.sent.isoformat()}
            for ref in alert.references
        ],
        "event": info.event,
        "urgency": info.urgency,
        "severity": info.severity,
        "certainty": info.certainty,
        "area_desc": "; ".join(area.area_desc for area in info.areas),
        "areas": _areas(info),
    }
    if info.expires is not None:
        summary["expires"] = info.expires.isoformat()
    if info.instruction is not None:
        summary["instruction"] = info.instruction
    return summary


def _areas(info: CapInfo) -> list[dict[str, object]]:
    """The info's areas for the map: polygons as [lon, lat] rings (CAP writes "lat,lon") and circles as
    [lon, lat, radius km], at most AREA_POINTS_MAX points in all (a longer ring keeps every n-th point:
    a warning's outline on a city map needs no more)."""
    total = sum(len(polygon) for area in info.areas for polygon in area.polygons)
    stride = max(1, -(-total // AREA_POINTS_MAX))
    return [
        {
            "desc": area.area_desc[:ADDRESS_MAX_CHARS],
            "polygons": [
                [[round(lon, 6), round(lat, 6)] for lat, lon in polygon[::stride]]
                for polygon in area.polygons
                if len(polygon[::stride]) >= 3
            ],
            "circles": [[round(lon, 6), round(lat, 6), radius] for (lat, lon), radius in area.circles],
        }
        for area in info.areas
    ]


def _location(infos: tuple[CapInfo, ...]) -> dict[str, object] | None:
    areas = [area for info in infos for area in info.areas]
    for area in areas:
        if area.polygons:
            distinct = list(dict.fromkeys(area.polygons[0]))
            lat = sum(point[0] for point in distinct) / len(distinct)
            lon = sum(point[1] for point in distinct) / len(distinct)
            return {"lon": round(lon, 6), "lat": round(lat, 6), "address": area.area_desc[:ADDRESS_MAX_CHARS]}
    for area in areas:
        if area.circles:
            (lat, lon), _radius = area.circles[0]
            return {"lon": lon, "lat": lat, "address": area.area_desc[:ADDRESS_MAX_CHARS]}
    return None
