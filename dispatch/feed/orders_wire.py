"""Protocol v1.1 frames from the server about orders: `order_ack` and `unit_report`, validated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from dispatch.feed.attachments import MAX_REFERENCE_CHARS
from dispatch.feed.protocol import Rejected
from dispatch.feed.values import QuarantineReason

Seq = Annotated[int, msgspec.Meta(ge=1)]
OrderId = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
ORDER_TYPES = frozenset({"order_ack", "unit_report"})


class ReportAttachment(msgspec.Struct, frozen=True):
    """A reference to evidence the unit took (处置照片); the bytes stay on the platform until shown."""

    uri: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_REFERENCE_CHARS)]
    content_type: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    size: Annotated[int, msgspec.Meta(ge=1, le=2**53)]


class Position(msgspec.Struct, frozen=True):
    """Where the unit was when it reported (WGS84)."""

    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]


class Report(msgspec.Struct, frozen=True):
    order_id: OrderId
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    action: Annotated[str, msgspec.Meta(pattern="^(sign|progress|handled|return_request)$")]
    at: Annotated[datetime, msgspec.Meta(tz=True)]
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    photos: Annotated[list[Annotated[str, msgspec.Meta(max_length=2048)]], msgspec.Meta(max_length=32)] = []
    # Structure is checked here (a frame past these bounds is quarantined whole); each reference is
    # screened when the report is applied, so one bad photo never costs the unit its report.
    attachments: Annotated[list[ReportAttachment], msgspec.Meta(max_length=32)] = []
    position: Position | None = None


class OrderAckMsg(msgspec.Struct, frozen=True, tag="order_ack", tag_field="type"):
    seq: Seq
    order_id: OrderId


class UnitReportMsg(msgspec.Struct, frozen=True, tag="unit_report", tag_field="type"):
    seq: Seq
    report: Report


OrderMessage = OrderAckMsg | UnitReportMsg
_DECODER: msgspec.json.Decoder[OrderMessage] = msgspec.json.Decoder(OrderMessage)
_ENCODE = msgspec.json.Encoder().encode


def decode_order_frame(frame: str | bytes, seq: int | None) -> OrderAckMsg | UnitReportMsg | Rejected:
    """Validate an `order_ack` or `unit_report` frame; invalid ones are quarantined like any other."""
    try:
        return _DECODER.decode(frame)
    except (msgspec.DecodeError, ValueError) as error:
        return Rejected(QuarantineReason.INVALID_FIELDS, str(error)[:500], seq)


def report_body(message: UnitReportMsg) -> str:
    """The report as the report inbox stores it (times in RFC 3339, as received)."""
    return _ENCODE(message.report).decode()
