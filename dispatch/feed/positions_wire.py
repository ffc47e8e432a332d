"""Protocol v1.2 `unit_status` frames (live unit positions, AVL): validated, judged and made WGS-84."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from dispatch.atlas import Atlas
from dispatch.atlas.datum import gcj02_to_wgs84
from dispatch.casework.policy import TimeWindow
from dispatch.feed.bounds import epoch_seconds, time_refusal
from dispatch.feed.protocol import Rejected, Seq
from dispatch.feed.values import QuarantineReason

POSITION_TYPES = frozenset({"unit_status"})
UNIT_STATUSES = ("available", "en_route", "on_scene", "off_duty")
# No road vehicle, boat or helicopter of a city's crews goes faster; a larger figure is a broken device.
MAX_SPEED_KMH = 500.0
# A fix stamped ahead of the receiving clock would stand as the unit's newest for that long, hiding every
# true fix until then: only clock skew is tolerated (the general window allows a day).
FIX_AHEAD_S = 300.0
# The atlas's extent plus this margin (~5 km): crews cross the city limits, a fix 500 km off is broken.
ATLAS_MARGIN_DEG = 0.05


class UnitStatus(msgspec.Struct, frozen=True, gc=False):
    """STATUS as the feed sends it; fields this version does not know are tolerated and not stored."""

    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    status: Literal["available", "en_route", "on_scene", "off_duty"]
    at: Annotated[datetime, msgspec.Meta(tz=True)]
    datum: Literal["wgs84", "gcj02"] = "wgs84"
    heading: Annotated[float, msgspec.Meta(ge=0, le=360)] | None = None
    speed_kmh: Annotated[float, msgspec.Meta(ge=0, le=MAX_SPEED_KMH)] | None = None


class UnitStatusMsg(msgspec.Struct, frozen=True, tag="unit_status", tag_field="type"):
    seq: Seq
    status: UnitStatus


_DECODER = msgspec.json.Decoder(UnitStatusMsg)


@dataclass(frozen=True, slots=True)
class PositionFix:
    """One accepted fix, WGS-84, its time as epoch seconds UTC; what the store writer takes."""

    seq: int
    unit: str
    lon: float
    lat: float
    heading_deg: float | None
    speed_kmh: float | None
    status: str
    at: float
    received_at: float


@dataclass(frozen=True, slots=True)
class PositionRules:
    """What the intake knows of the city: its units (None: any unit id is taken) and the WGS-84 box a fix
    must lie in (None: anywhere on Earth)."""

    units: frozenset[str] | None = None
    box: tuple[float, float, float, float] | None = None  # west, south, east, north

    @classmethod
    def from_atlas(cls, atlas: Atlas, margin_deg: float = ATLAS_MARGIN_DEG) -> PositionRules:
        """The atlas's units, and the extent of its roads, outlines, bases and cameras plus a margin (the
        margin also covers the few hundred metres between a GCJ-02 atlas and WGS-84 fixes)."""
        lons: list[float] = [j.lon for j in atlas.junctions]
        lats: list[float] = [j.lat for j in atlas.junctions]
        for district in atlas.districts:
            for ring in district.outline:
                lons += [p[0] for p in ring]
                lats += [p[1] for p in ring]
        for unit in atlas.units:
            if unit.base is not None:
                lons.append(unit.base.lon)
                lats.append(unit.base.lat)
        lons += [c.lon for c in atlas.cameras]
        lats += [c.lat for c in atlas.cameras]
        box = None
        if lons:
            box = (
                min(lons) - margin_deg,
                min(lats) - margin_deg,
                max(lons) + margin_deg,
                max(lats) + margin_deg,
            )
        return cls(frozenset(u.id for u in atlas.units), box)


def read_unit_status(
    frame: str | bytes, seq: int | None, now: float, window: TimeWindow, rules: PositionRules
) -> PositionFix | Rejected:
    """One `unit_status` frame as a fix, or why it is quarantined (the detail names the field)."""
    try:
        message = _DECODER.decode(frame)
    except (msgspec.DecodeError, ValueError) as error:
        return Rejected(QuarantineReason.INVALID_FIELDS, f"unit_status: {error}"[:500], seq)
    body, seq = message.status, message.seq
    refusal = time_refusal(body.at, "$.status.at", now, window)
    if refusal is None and epoch_seconds(body.at) > now + FIX_AHEAD_S:
        refusal = f"$.status.at {body.at.isoformat()} is more than {FIX_AHEAD_S:.0f} s ahead of the clock"
    if refusal is not None:
        return Rejected(QuarantineReason.BAD_TIME, refusal[:500], seq)
    if rules.units is not None and body.unit not in rules.units:
        return Rejected(
            QuarantineReason.INVALID_FIELDS,
            f"$.status.unit {body.unit!r} is not a unit of the atlas"[:500],
            seq,
        )
    lon, lat = (body.lon, body.lat) if body.datum == "wgs84" else gcj02_to_wgs84(body.lon, body.lat)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return Rejected(QuarantineReason.INVALID_FIELDS, "$.status: the position is not a finite number", seq)
    box = rules.box
    if box is not None and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
        west, south, east, north = box
        return Rejected(
            QuarantineReason.INVALID_FIELDS,
            f"$.status lon {lon:.6f}, lat {lat:.6f} (WGS-84) lies outside the atlas's extent "
            f"{west:.4f} … {east:.4f}, {south:.4f} … {north:.4f}",
            seq,
        )
    heading = None if body.heading is None else body.heading % 360.0
    return PositionFix(
        seq, body.unit, lon, lat, heading, body.speed_kmh, body.status, epoch_seconds(body.at), now
    )
