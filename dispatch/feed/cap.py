"""CAP 1.2 alerts: hardened XML parsing and validation into frozen values (dispatch/feed/cap_values.py)."""

from __future__ import annotations

import math
import re
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dispatch.feed.cap_values import (
    EVENT_MSG_TYPES,
    EXERCISE_FLAG,
    CapAlert,
    CapArea,
    CapInfo,
    CapReference,
    Point,
    own_references,
)

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_CAP_BYTES = 256 * 1024
# The feed EVENT schema's limit (dispatch/feed/protocol.py): an identifier cannot be cut to fit as text is,
# so a longer one is rejected.
IDENTIFIER_MAX_CHARS = 128

STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
CATEGORIES = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
)
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

# CAP 1.2 writes UTC as -00:00 and forbids "Z", but "Z" is unambiguous and common, so it is accepted.
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII
)
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)
# CAP forbids these in identifier and sender because references are "sender,identifier,sent" lists.
_BAD_ID_CHARS = re.compile(r"[\s,<&]")


class CapError(ValueError):
    """A CAP document that cannot be accepted; `code` is stable, the message names the field and value."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def parse_cap(xml_text: str) -> CapAlert:
    """Parse and validate one CAP 1.2 alert; every failure is a CapError, never another exception."""
    # Characters never outnumber UTF-8 bytes, so a huge string is refused without encoding it.
    if len(xml_text) > MAX_CAP_BYTES:
        raise CapError(
            "too_large", f"the document has {len(xml_text)} characters, over {MAX_CAP_BYTES} bytes"
        )
    try:
        size = len(xml_text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise CapError("malformed_xml", f"the text is not valid Unicode: {exc.reason}") from None
    if size > MAX_CAP_BYTES:
        raise CapError("too_large", f"the document is {size} bytes, over the limit of {MAX_CAP_BYTES}")
    root = _parse_xml(xml_text)
    if root.tag != _q("alert"):
        raise CapError(
            "not_cap", f"root element is {root.tag!r}, expected 'alert' in namespace {CAP_NAMESPACE}"
        )
    return _alert(root)


def _parse_xml(xml_text: str) -> Element:
    try:
        root: Element = fromstring(xml_text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        # The name of the construct only: echoing system ids or entity values would leak what they point at.
        raise CapError(
            "forbidden_xml", f"{type(exc).__name__}: DTDs and entity declarations are not accepted"
        ) from None
    except ParseError as exc:
        raise CapError("malformed_xml", f"not well-formed XML: {exc}") from None
    return root


def _q(name: str) -> str:
    return f"{{{CAP_NAMESPACE}}}{name}"


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _text(parent: Element, name: str) -> str | None:
    element = parent.find(_q(name))
    return None if element is None else (element.text or "").strip() or None


def _required(parent: Element, name: str, path: str) -> str:
    element = parent.find(_q(name))
    if element is None:
        raise CapError("missing_field", f"{path}/{name} is missing")
    value = (element.text or "").strip()
    if not value:
        raise CapError("missing_field", f"{path}/{name} is empty")
    return value


def _choice(value: str, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise CapError("bad_value", f"{where} {_shown(value)} is not one of {', '.join(allowed)}")
    return value


def _datetime(value: str, where: str) -> datetime:
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise CapError(
            "bad_value", f"{where} {_shown(value)} is not a date-time like 2025-07-01T08:00:00+08:00"
        )
    if match.group(2) is None:
        raise CapError(
            "bad_value", f"{where} {_shown(value)} has no UTC offset; CAP requires one, e.g. +08:00"
        )
    # A real date at the edge of Python's range (0001-01-01 at +08:00 is in year 0 in UTC) is valid CAP; the
    # intake's time window sets it aside as bad_time, so nothing here may convert it to UTC.
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise CapError("bad_value", f"{where} {_shown(value)} is not a valid date-time: {exc}") from None


def _optional_datetime(parent: Element, name: str, path: str) -> datetime | None:
    value = _text(parent, name)
    return None if value is None else _datetime(value, f"{path}/{name}")


def _token(value: str, where: str) -> str:
    if _BAD_ID_CHARS.search(value):
        raise CapError("bad_value", f"{where} {_shown(value)} contains a space, comma, '<' or '&'")
    return value


def _identifier(value: str, where: str) -> str:
    if len(value) > IDENTIFIER_MAX_CHARS:
        raise CapError(
            "bad_value", f"{where} {_shown(value)} is longer than {IDENTIFIER_MAX_CHARS} characters"
        )
    return _token(value, where)


def _references(value: str, where: str) -> tuple[CapReference, ...]:
    references = []
    for entry in value.split():
        parts = entry.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapError("bad_value", f"{where} entry {_shown(entry)} is not sender,identifier,sent")
        sender, identifier, sent = parts
        references.append(CapReference(sender, _identifier(identifier, where), _datetime(sent, where)))
    return tuple(references)


def _alert(root: Element) -> CapAlert:
    path = "alert"
    status = _choice(_required(root, "status", path), STATUSES, "alert/status")
    msg_type = _choice(_required(root, "msgType", path), MSG_TYPES, "alert/msgType")
    alert = CapAlert(
        identifier=_identifier(_required(root, "identifier", path), "alert/identifier"),
        sender=_token(_required(root, "sender", path), "alert/sender"),
        sent=_datetime(_required(root, "sent", path), "alert/sent"),
        status=status,
        msg_type=msg_type,
        scope=_choice(_required(root, "scope", path), SCOPES, "alert/scope"),
        references=_references(_text(root, "references") or "", "alert/references"),
        note=_text(root, "note"),
        infos=tuple(
            _info(element, f"alert/info[{n}]") for n, element in enumerate(root.findall(_q("info")), 1)
        ),
    )
    if msg_type in ("Update", "Cancel") and not alert.references:
        raise CapError("bad_value", f"alert/references is required when alert/msgType is {msg_type}")
    if msg_type in ("Update", "Cancel") and not own_references(alert):
        raise CapError(
            "bad_value",
            f"alert/references names no alert of sender {_shown(alert.sender)}; an {msg_type} may only"
            " revise its own sender's alerts",
        )
    if status in EXERCISE_FLAG and msg_type in EVENT_MSG_TYPES and not alert.infos:
        raise CapError("missing_field", f"alert/info is missing; a {status} {msg_type} needs at least one")
    return alert


def _info(element: Element, path: str) -> CapInfo:
    categories = tuple(
        _choice((category.text or "").strip(), CATEGORIES, f"{path}/category[{n}]")
        for n, category in enumerate(element.findall(_q("category")), 1)
    )
    if not categories:
        raise CapError("missing_field", f"{path}/category is missing")
    return CapInfo(
        language=_text(element, "language") or "en-US",
        categories=categories,
        event=_required(element, "event", path),
        urgency=_choice(_required(element, "urgency", path), URGENCIES, f"{path}/urgency"),
        severity=_choice(_required(element, "severity", path), SEVERITIES, f"{path}/severity"),
        certainty=_choice(_required(element, "certainty", path), CERTAINTIES, f"{path}/certainty"),
        effective=_optional_datetime(element, "effective", path),
        onset=_optional_datetime(element, "onset", path),
        expires=_optional_datetime(element, "expires", path),
        headline=_text(element, "headline"),
        description=_text(element, "description"),
        instruction=_text(element, "instruction"),
        areas=tuple(
            _area(area, f"{path}/area[{n}]") for n, area in enumerate(element.findall(_q("area")), 1)
        ),
    )


def _area(element: Element, path: str) -> CapArea:
    return CapArea(
        area_desc=_required(element, "areaDesc", path),
        polygons=tuple(
            _polygon((polygon.text or "").strip(), f"{path}/polygon[{n}]")
            for n, polygon in enumerate(element.findall(_q("polygon")), 1)
        ),
        circles=tuple(
            _circle((circle.text or "").strip(), f"{path}/circle[{n}]")
            for n, circle in enumerate(element.findall(_q("circle")), 1)
        ),
        geocodes=tuple(
            (
                _required(geocode, "valueName", f"{path}/geocode[{n}]"),
                _required(geocode, "value", f"{path}/geocode[{n}]"),
            )
            for n, geocode in enumerate(element.findall(_q("geocode")), 1)
        ),
    )


def _number(text: str, where: str) -> float:
    # float() alone would also take "nan", "inf" and "1_0"; a long digit string still overflows to inf.
    value = float(text) if _NUMBER.fullmatch(text) else math.nan
    if not math.isfinite(value):
        raise CapError("bad_value", f"{where} {_shown(text)} is not a finite decimal number")
    return value


def _point(text: str, where: str) -> Point:
    parts = text.split(",")
    if len(parts) != 2:
        raise CapError("bad_value", f"{where} point {_shown(text)} is not lat,lon")
    lat, lon = _number(parts[0], where), _number(parts[1], where)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise CapError("bad_value", f"{where} point {_shown(text)} is outside lat -90..90, lon -180..180")
    return lat, lon


def _polygon(text: str, where: str) -> tuple[Point, ...]:
    points = tuple(_point(pair, where) for pair in text.split())
    if len(points) < 4 or points[0] != points[-1]:
        raise CapError(
            "bad_value", f"{where} {_shown(text)} needs 4 or more lat,lon pairs, the last equal to the first"
        )
    return points


def _circle(text: str, where: str) -> tuple[Point, float]:
    parts = text.split()
    if len(parts) != 2:
        raise CapError("bad_value", f"{where} {_shown(text)} is not 'lat,lon radius_km'")
    radius = _number(parts[1], where)
    if radius < 0:
        raise CapError("bad_value", f"{where} radius {_shown(parts[1])} is negative")
    return _point(parts[0], where), radius
