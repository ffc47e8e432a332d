"""Protocol v1.1 frames from the server about orders: `order_ack` and `unit_report`, validated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from dispatch.model import QuarantineReason
from dispatch.protocol import Rejected

Seq = Annotated[int, msgspec.Meta(ge=1)]
OrderId = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
ORDER_TYPES = frozenset({"order_ack", "unit_report"})


class Report(msgspec.Struct, frozen=True):
    order_id: OrderId
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    action: Annotated[str, msgspec.Meta(pattern="^(sign|progress|handled|return_request)$")]
    at: Annotated[datetime, msgspec.Meta(tz=True)]
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    photos: Annotated[list[Annotated[str, msgspec.Meta(max_length=2048)]], msgspec.Meta(max_length=32)] = []


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
