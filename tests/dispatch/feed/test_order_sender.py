"""Orders in the outbox reach the feed server: sent on connect, again after a reconnect, never once acked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from websockets.asyncio.client import connect

from dispatch.casework.model import Action
from dispatch.casework.records.orders import mark_acked
from dispatch.feed.order_sender import OrderSender
from sim.server import FeedServer
from tests.dispatch.casework.policies import DISPATCHER, LEAD, act, dispatched_store, new_case, open_loop


async def session(server: FeedServer, sender: OrderSender, orders: int) -> None:
    """One connection: subscribe, let the sender run until the server holds `orders` distinct orders."""
    async with connect(server.url) as ws:
        await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": None}))
        task = asyncio.create_task(sender.serve(ws))
        try:
            await asyncio.wait_for(server.wait_orders(orders), 10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def test_an_order_is_sent_again_after_a_lost_connection_and_passed_on_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    order_id = dispatched_store(path)[1]
    passed_on: list[str] = []

    async def scenario() -> int:
        sender = OrderSender(path, poll_s=0.05)
        async with FeedServer(heartbeat_s=None) as server:
            server.on_order = lambda order: passed_on.append(order["order_id"])
            server.drop_before_ack(1)  # the first copy is lost with the connection, before any ack
            async with connect(server.url) as ws:
                await ws.send(json.dumps({"type": "subscribe", "client": "test", "resume_after": None}))
                task = asyncio.create_task(sender.serve(ws))
                await server.wait_connections(0)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            assert server.orders == {}
            await session(server, sender, 1)
            assert server.orders[order_id]["unit"] == "U-1"
        return sender.sent

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == 2
    assert passed_on == [order_id]


def test_acknowledged_orders_are_not_sent_again(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    first = dispatched_store(path)[1]
    loop = open_loop(path)
    mark_acked(loop.conn, first, 1.0)
    second_case = new_case(loop, "e2")
    act(loop, second_case.id, Action.REGISTER, LEAD)
    act(loop, second_case.id, Action.DISPATCH, DISPATCHER, unit="U-2")
    loop.close()

    async def scenario() -> list[str]:
        async with FeedServer(heartbeat_s=None) as server:
            await session(server, OrderSender(path, poll_s=0.05), 1)
            return list(server.orders)

    received = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert len(received) == 1
    assert first not in received
