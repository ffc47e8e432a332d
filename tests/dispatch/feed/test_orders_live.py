"""Orders and reports end to end (protocol v1.1): outbox → feed client → real server → ack and unit report
→ intake → store → desk. A connection lost before the ack costs nothing: the order goes again and takes
effect once."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dispatch.casework.model import CaseState
from dispatch.casework.records.inbox import apply_inbox
from dispatch.casework.records.orders import ReportOutcome
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.values import QuarantineReason
from sim.server import FeedServer
from tests.dispatch.casework.policies import dispatched_store, open_loop
from tests.dispatch.feed.test_pipeline_live import Watch, with_pipeline


def outbox_acked(path: Path, order_id: str) -> float | None:
    with sqlite3.connect(path) as conn:
        (acked,) = conn.execute("SELECT acked_at FROM outbox WHERE order_id = ?", (order_id,)).fetchone()
    return float(acked) if acked is not None else None


def inbox_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM report_inbox").fetchone()[0])


def report(order_id: str, action: str, minute: int) -> dict[str, Any]:
    at = datetime(2026, 1, 5, 9, minute, tzinfo=UTC).isoformat()
    return {"order_id": order_id, "unit": "U-1", "action": action, "at": at, "note": "到场"}


def test_an_order_lost_before_its_ack_is_sent_again_and_signed_once(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    case_id, order_id = dispatched_store(db)
    passed_on: list[str] = []

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            server.on_order = lambda order: passed_on.append(order["order_id"])
            server.drop_before_ack(1)

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                # The first copy dies with its connection; the client reconnects and sends it again.
                await asyncio.wait_for(server.wait_orders(1), 10)
                await watch.until(lambda: pipeline.flush(5) and outbox_acked(db, order_id) is not None)
                sign = report(order_id, "sign", 5)
                server.publish_report(sign)
                server.publish_report(sign)  # the unit's phone sent it twice
                await watch.until(lambda: pipeline.flush(5) and inbox_count(db) == 2)
                assert pipeline.intake.counters.order_acks >= 1
                assert pipeline.intake.counters.unit_reports == 2

            await with_pipeline(db, server, body)

    asyncio.run(asyncio.wait_for(scenario(), 30))
    assert passed_on == [order_id]

    loop = open_loop(db)
    try:
        outcomes = [result.outcome for result in apply_inbox(loop.desk)]
        assert outcomes[0] is ReportOutcome.APPLIED
        assert outcomes[1] is not ReportOutcome.APPLIED
        assert loop.desk.get(case_id).state is CaseState.SIGNED
        signs = loop.conn.execute(
            "SELECT count(*) FROM audit WHERE case_id = ? AND action = 'sign'", (case_id,)
        ).fetchone()[0]
        assert signs == 1
        assert apply_inbox(loop.desk) == []  # the inbox cursor moved past both
    finally:
        loop.close()


def test_a_malformed_report_is_quarantined_and_the_next_one_still_arrives(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    _case_id, order_id = dispatched_store(db)

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:

            async def body(pipeline: IntakePipeline, watch: Watch) -> None:
                await server.wait_subscribed(1)
                server.publish_report(
                    {"order_id": order_id, "unit": "U-1", "action": "teleport", "at": "now"}
                )
                server.publish_report(report(order_id, "sign", 6))
                await watch.until(
                    lambda: (
                        pipeline.flush(5)
                        and inbox_count(db) == 1
                        and any(c.quarantined for c in watch.changes)
                    )
                )
                entries = [q for change in watch.changes for q in change.quarantined]
                assert [q.reason for q in entries] == [QuarantineReason.INVALID_FIELDS]
                assert "action" in entries[0].detail

            await with_pipeline(db, server, body)

    asyncio.run(asyncio.wait_for(scenario(), 30))
