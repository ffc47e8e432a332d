"""order_ack and unit_report frames (protocol v1.1) are validated; bad ones become quarantine entries."""

from __future__ import annotations

from datetime import datetime

import msgspec

from dispatch.feed.orders_wire import OrderAckMsg, UnitReportMsg, decode_order_frame, report_body
from dispatch.feed.protocol import Rejected
from dispatch.feed.values import QuarantineReason


def test_an_ack_and_a_report_decode_and_the_report_is_stored_as_received() -> None:
    ack = decode_order_frame('{"type":"order_ack","seq":7,"order_id":"20261121-5-1"}', 7)
    assert ack == OrderAckMsg(7, "20261121-5-1")
    frame = (
        '{"type":"unit_report","seq":8,"report":{"order_id":"20261121-5-1","unit":"U-1","action":"handled",'
        '"at":"2026-11-21T05:41:12+08:00","note":"已更换井盖","photos":["https://p/1.jpg"]}}'
    )
    report = decode_order_frame(frame, 8)
    assert isinstance(report, UnitReportMsg)
    stored = msgspec.json.decode(report_body(report))
    assert stored["action"] == "handled"
    assert datetime.fromisoformat(stored["at"]).timestamp() == report.report.at.timestamp()
    assert stored["photos"] == ["https://p/1.jpg"]


def test_reports_with_a_bad_action_or_a_time_without_offset_are_rejected() -> None:
    for report in (
        '{"order_id":"o","unit":"U-1","action":"teleport","at":"2026-11-21T05:41:12+08:00"}',
        '{"order_id":"o","unit":"U-1","action":"sign","at":"2026-11-21T05:41:12"}',
        '{"order_id":"","unit":"U-1","action":"sign","at":"2026-11-21T05:41:12Z"}',
    ):
        outcome = decode_order_frame('{"type":"unit_report","seq":3,"report":' + report + "}", 3)
        assert isinstance(outcome, Rejected)
        assert outcome.reason is QuarantineReason.INVALID_FIELDS
        assert outcome.seq == 3
