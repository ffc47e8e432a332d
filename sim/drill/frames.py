"""Injects as the feed carries them: exercise events, metric readings, CAP warnings with status Exercise."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any

from dispatch.atlas.model import Atlas, LonLat, Ring
from dispatch.drill.observed import EventKey
from dispatch.drill.scenario import (
    CameraScene,
    CapMsgType,
    CapWarning,
    EventBody,
    Inject,
    MetricCurve,
    PhoneCall,
)
from dispatch.drill.scenario_atlas import camera_position, place_of

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_SENDER = "drill@tianshu.invalid"
_CITY_TZ = timezone(timedelta(hours=8))


def wire_time(t: float, *, millis: bool = True) -> str:
    return datetime.fromtimestamp(t, _CITY_TZ).isoformat(timespec="milliseconds" if millis else "seconds")


class FrameMaker:
    """Builds the payloads of one drill run; ids carry the run's tag so two runs in one store never mix."""

    def __init__(self, atlas: Atlas, run_tag: str) -> None:
        self.atlas = atlas
        self.run_tag = run_tag
        self._cap_sent: dict[str, float] = {}

    def event_id(self, inject_id: str) -> str:
        return f"drill-{self.run_tag}-{inject_id}"

    def cap_identifier(self, inject_id: str) -> str:
        return f"DRILL-{self.run_tag}-{inject_id}"

    def key(self, inject: Inject) -> EventKey | None:
        """The event an inject opens or revises (None for metrics and unit reports)."""
        body = inject.body
        if isinstance(body, EventBody):
            return EventKey(body.source, self.event_id(body.revises or inject.id))
        if isinstance(body, CameraScene):
            return EventKey("video_ai", self.event_id(inject.id))
        if isinstance(body, PhoneCall):
            return EventKey("hotline", self.event_id(inject.id))
        if isinstance(body, CapWarning):
            original = body.references or inject.id
            return EventKey("cap", f"{CAP_SENDER},{self.cap_identifier(original)}")
        return None

    def event(self, inject: Inject, now: float) -> dict[str, Any]:
        """The EVENT object (docs/protocol.md §4) for an event, camera or call inject, flagged exercise."""
        body = inject.body
        key = self.key(inject)
        assert key is not None
        event: dict[str, Any] = {"id": key.event_id, "source": key.source, "occurred_at": wire_time(now)}
        spot: tuple[LonLat, str] | None = None
        if isinstance(body, EventBody):
            event.update(category=body.category, title=body.title, severity=body.severity)
            if body.description:
                event["description"] = body.description
            for name in ("device", "cleared"):
                if getattr(body, name):
                    event[name] = getattr(body, name)
            if body.camera:
                event["camera_id"] = body.camera
            spot = place_of(self.atlas, body.where) if body.where else None
        elif isinstance(body, CameraScene):
            event.update(
                category=body.category, title=body.title, severity=body.severity, camera_id=body.camera
            )
            if body.scene:
                event["description"] = body.scene
            if body.clip:
                event["clip"] = body.clip
            spot = camera_position(self.atlas, body.camera)
        elif isinstance(body, PhoneCall):
            caller = f"{body.caller}（{body.phone}）" if body.phone else body.caller
            event.update(
                category=body.category, title=_title(body.says), severity=body.severity,
                description=f"来电人：{caller}\n{body.says}", caller=body.caller,
            )  # fmt: skip
            spot = place_of(self.atlas, body.where) if body.where else None
        if spot is not None:
            position, address = spot
            location: dict[str, Any] = {"lon": round(position.lon, 6), "lat": round(position.lat, 6)}
            if address:
                location["address"] = address[:500]
            grid = self.grid_of(position)
            if grid:
                location["grid"] = grid
            event["location"] = location
        event["exercise"] = True
        event["drill_inject"] = inject.id
        return event

    def metric(self, inject: Inject, value: float, now: float) -> dict[str, Any]:
        body = inject.body
        assert isinstance(body, MetricCurve)
        metric: dict[str, Any] = {"name": body.name, "value": round(value, 4), "at": wire_time(now)}
        if body.unit:
            metric["unit"] = body.unit
        # The label marks a drill reading wherever it ends up (a metric has no exercise field of its own).
        metric["labels"] = {**dict(body.labels), "exercise": "true"}
        return metric

    def cap(self, inject: Inject, now: float) -> str:
        """A CAP 1.2 alert with status Exercise: never a real warning, whoever receives it."""
        body = inject.body
        assert isinstance(body, CapWarning)
        identifier = self.cap_identifier(inject.id)
        self._cap_sent[inject.id] = now
        alert = ET.Element("alert", xmlns=CAP_NS)
        for tag, text in (
            ("identifier", identifier), ("sender", CAP_SENDER), ("sent", wire_time(now, millis=False)),
            ("status", "Exercise"), ("msgType", body.msg_type.value), ("scope", "Public"),
            ("note", "演练信息，非真实预警"),
        ):  # fmt: skip
            ET.SubElement(alert, tag).text = text
        if body.msg_type is not CapMsgType.ALERT:
            sent = self._cap_sent.get(body.references, now)
            reference = f"{CAP_SENDER},{self.cap_identifier(body.references)},{wire_time(sent, millis=False)}"
            ET.SubElement(alert, "references").text = reference
        info = ET.SubElement(alert, "info")
        for tag, text in (
            ("language", "zh-CN"), ("category", body.category), ("event", body.event),
            ("urgency", body.urgency), ("severity", body.severity.value), ("certainty", body.certainty),
            ("effective", wire_time(now, millis=False)),
            ("expires", wire_time(now + body.expires_s, millis=False)),
            ("senderName", "演练导调组"), ("headline", body.headline[:200]),
        ):  # fmt: skip
            ET.SubElement(info, tag).text = text
        if body.description:
            ET.SubElement(info, "description").text = body.description
        if body.instruction:
            ET.SubElement(info, "instruction").text = body.instruction
        area = ET.SubElement(info, "area")
        ET.SubElement(area, "areaDesc").text = body.area_desc
        spot = place_of(self.atlas, body.where) if body.where else None
        if spot is not None:
            ET.SubElement(area, "circle").text = f"{spot[0].lat:.5f},{spot[0].lon:.5f} {body.radius_km:g}"
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(alert, encoding="unicode")

    def grid_of(self, point: LonLat) -> str:
        """The atlas grid cell holding the point, else its district's code (the desk reads the district
        from a grid code's first six digits), else nothing."""
        for cell in self.atlas.cells:
            if _inside(point, cell.outline):
                return cell.code
        for district in self.atlas.districts:
            if any(_inside(point, ring) for ring in district.outline):
                return district.code
        return ""


def _inside(point: LonLat, ring: Ring) -> bool:
    """Ray casting over a closed ring of (lon, lat) vertices."""
    inside = False
    x, y = point.lon, point.lat
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _title(says: str) -> str:
    first = says.split("，")[0].split("。")[0].split("！")[0]
    return ("来电：" + first)[:60]
