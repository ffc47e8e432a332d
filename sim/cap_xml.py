"""Writes CAP 1.2 weather-warning messages as the demo city's meteorological office would send them."""

from __future__ import annotations

import enum
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from sim.city import LonLat, local_time_text

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "meteo@339900.tianshu.invalid"
SENDER_NAME = "天枢示范市气象台"


class Colour(enum.Enum):
    """China's four warning-signal colours, with the CAP severity each maps to."""

    BLUE = ("蓝色", "Minor")
    YELLOW = ("黄色", "Moderate")
    ORANGE = ("橙色", "Severe")
    RED = ("红色", "Extreme")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def severity(self) -> str:
        return self.value[1]

    def raised(self) -> Colour:
        order = list(Colour)
        return order[min(order.index(self) + 1, len(order) - 1)]


# What each signal means (forecast criteria as the national warning-signal rules phrase them).
HAZARDS: dict[str, dict[Colour, str]] = {
    "暴雨": {
        Colour.BLUE: "12小时内降雨量将达50毫米以上，或者已达50毫米以上且降雨可能持续",
        Colour.YELLOW: "6小时内降雨量将达50毫米以上，或者已达50毫米以上且降雨可能持续",
        Colour.ORANGE: "3小时内降雨量将达50毫米以上，或者已达50毫米以上且降雨可能持续",
        Colour.RED: "3小时内降雨量将达100毫米以上，或者已达100毫米以上且降雨可能持续",
    },
    "大风": {
        Colour.BLUE: "24小时内可能受大风影响，平均风力可达6级以上",
        Colour.YELLOW: "12小时内可能受大风影响，平均风力可达8级以上",
        Colour.ORANGE: "6小时内可能受大风影响，平均风力可达10级以上",
        Colour.RED: "6小时内可能受大风影响，平均风力可达12级以上",
    },
    "高温": {
        Colour.YELLOW: "连续三天日最高气温将在35℃以上",
        Colour.ORANGE: "24小时内最高气温将升至37℃以上",
        Colour.RED: "24小时内最高气温将升至40℃以上",
    },
    "大雾": {
        Colour.YELLOW: "12小时内可能出现能见度小于500米的雾",
        Colour.ORANGE: "6小时内可能出现能见度小于200米的雾",
        Colour.RED: "2小时内可能出现能见度小于50米的雾",
    },
}
_INSTRUCTIONS = {
    "暴雨": "注意防范城市内涝，避开下穿通道和低洼地带，切勿在积水中行走或驾车。",
    "大风": "加固围板、棚架、广告牌等易被风吹动的搭建物，高空和户外作业暂停。",
    "高温": "避免午后高温时段户外活动，户外作业人员采取防暑降温措施。",
    "大雾": "驾驶人员减速慢行，注意交通安全，机场、高速公路采取管控措施。",
}


@dataclass(frozen=True, slots=True)
class WeatherWarning:
    """One warning signal as issued: hazard, colour and where it applies."""

    hazard: str
    colour: Colour
    area_desc: str
    polygon: tuple[LonLat, ...]
    geocode: str


@dataclass(frozen=True, slots=True)
class Message:
    """One CAP message of a warning's life: its identity and what it says."""

    identifier: str
    sent: float
    status: str
    msg_type: str
    warning: WeatherWarning
    expires: float
    references: tuple[tuple[str, float], ...] = ()


def render(message: Message) -> str:
    """The message as CAP 1.2 XML; ElementTree does the escaping, so any text stays well-formed."""
    w = message.warning
    alert = ET.Element("alert", xmlns=CAP_NS)
    _text(alert, "identifier", message.identifier)
    _text(alert, "sender", SENDER)
    _text(alert, "sent", local_time_text(message.sent, millis=False))
    _text(alert, "status", message.status)
    _text(alert, "msgType", message.msg_type)
    _text(alert, "scope", "Public")
    if message.status == "Exercise":
        _text(alert, "note", "演练信息，非真实预警")
    if message.references:
        refs = (
            f"{SENDER},{ident},{local_time_text(sent, millis=False)}" for ident, sent in message.references
        )
        _text(alert, "references", " ".join(refs))
    cancelled = message.msg_type == "Cancel"
    signal = f"{w.hazard}{w.colour.label}预警信号"
    info = ET.SubElement(alert, "info")
    _text(info, "language", "zh-CN")
    _text(info, "category", "Met")
    _text(info, "event", f"{w.hazard}预警")
    _text(info, "responseType", "None" if cancelled else "Prepare")
    _text(info, "urgency", "Past" if cancelled else "Immediate" if w.colour is Colour.RED else "Expected")
    _text(info, "severity", w.colour.severity)
    _text(info, "certainty", "Observed" if cancelled else "Likely")
    _text(info, "effective", local_time_text(message.sent, millis=False))
    _text(info, "expires", local_time_text(message.expires, millis=False))
    _text(info, "senderName", SENDER_NAME)
    if cancelled:
        _text(info, "headline", f"{SENDER_NAME}解除{signal}")
        _text(info, "description", f"{w.area_desc}{w.hazard}天气影响已明显减弱，解除{signal}。")
    else:
        verb = "更新" if message.msg_type == "Update" else "发布"
        _text(info, "headline", f"{SENDER_NAME}{verb}{signal}")
        criteria = HAZARDS[w.hazard][w.colour]
        _text(info, "description", f"预计{w.area_desc}{criteria}，请注意防范。")
        _text(info, "instruction", _INSTRUCTIONS[w.hazard])
    parameter = ET.SubElement(info, "parameter")
    _text(parameter, "valueName", "预警级别")
    _text(parameter, "value", w.colour.label)
    area = ET.SubElement(info, "area")
    _text(area, "areaDesc", w.area_desc)
    _text(area, "polygon", " ".join(f"{p.lat:.4f},{p.lon:.4f}" for p in w.polygon))
    geocode = ET.SubElement(area, "geocode")
    _text(geocode, "valueName", "行政区划代码")
    _text(geocode, "value", w.geocode)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(alert, encoding="unicode")


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text
