"""Realistic CAP 1.2 documents (Chinese weather warnings) built field by field for the CAP tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple
from xml.etree.ElementTree import Element, SubElement, tostring

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "12379@weather.example.gov.cn"
ORIGINAL_ID = "44030041600000_20250701080000"
ORIGINAL_SENT = "2025-07-01T08:00:00+08:00"

# Values in CAP's element order; None means "leave the element out".
ALERT: dict[str, str | None] = {
    "identifier": ORIGINAL_ID,
    "sender": SENDER,
    "sent": ORIGINAL_SENT,
    "status": "Actual",
    "msgType": "Alert",
    "scope": "Public",
    "note": None,
    "references": None,
}

INFO: dict[str, str | None] = {
    "language": "zh-CN",
    "category": "Met",
    "event": "暴雨",
    "urgency": "Expected",
    "severity": "Severe",
    "certainty": "Likely",
    "effective": "2025-07-01T08:00:00+08:00",
    "onset": None,
    "expires": "2025-07-01T20:00:00+08:00",
    "senderName": "某市气象台",
    "headline": "某市气象台发布暴雨橙色预警信号",
    "description": "受强对流云团影响，预计未来3小时内城区将出现50毫米以上降雨，局地伴有雷电和短时大风。",
    "instruction": "请停止户外作业，远离低洼易涝路段和地下空间。",
}

# A closed ring over the city's central districts; its distinct vertices average to (30.6, 114.3).
CITY_POLYGON = "30.50,114.20 30.50,114.40 30.70,114.40 30.70,114.20 30.50,114.20"


class Area(NamedTuple):
    """One <area>: description, shapes as CAP text ("lat,lon ..."), and (valueName, value) geocodes."""

    area_desc: str | None
    polygons: tuple[str, ...] = ()
    circles: tuple[str, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()


CITY = Area("某市城区", polygons=(CITY_POLYGON,), geocodes=(("GB/T 2260", "440300"),))


def cap_xml(
    alert: Mapping[str, str | None] | None = None,
    info: Mapping[str, str | None] | None = None,
    areas: Sequence[Area] | None = None,
    *,
    extra_infos: Sequence[Mapping[str, str | None]] = (),
) -> str:
    """A CAP alert: the orange rainstorm warning, with any field overridden (None drops it)."""
    root = Element(f"{{{CAP_NS}}}alert")
    for name, value in {**ALERT, **(alert or {})}.items():
        _leaf(root, name, value)
    for info_fields in ({**INFO, **(info or {})}, *({**INFO, **more} for more in extra_infos)):
        _info(root, info_fields, [CITY] if areas is None else areas)
    return tostring(root, encoding="unicode", default_namespace=CAP_NS)


def _info(root: Element, fields: Mapping[str, str | None], areas: Sequence[Area]) -> None:
    element = SubElement(root, f"{{{CAP_NS}}}info")
    for name, value in fields.items():
        _leaf(element, name, value)
    for area in areas:
        area_element = SubElement(element, f"{{{CAP_NS}}}area")
        _leaf(area_element, "areaDesc", area.area_desc)
        for polygon in area.polygons:
            _leaf(area_element, "polygon", polygon)
        for circle in area.circles:
            _leaf(area_element, "circle", circle)
        for value_name, value in area.geocodes:
            geocode = SubElement(area_element, f"{{{CAP_NS}}}geocode")
            _leaf(geocode, "valueName", value_name)
            _leaf(geocode, "value", value)


def _leaf(parent: Element, name: str, value: str | None) -> None:
    if value is not None:
        SubElement(parent, f"{{{CAP_NS}}}{name}").text = value
