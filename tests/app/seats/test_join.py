"""A cockpit joined to a centre: its feed reaches every seat through the log, and its status bar says
whether the seat is joined or cut off (离线 · 只读)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.seats.join import SeatJoin, feed_store, forwarding, open_seat_loop
from app.seats.status import SeatStatusWatch
from app.shell.cockpit import Cockpit, make_pipeline_factory
from app.shell.main_window import MainWindow
from dispatch.casework.model import Action, CaseState
from dispatch.casework.records import audit
from dispatch.casework.records.orders import unanswered_orders
from dispatch.feed.order_sender import OrderSender
from dispatch.seats.seat import SeatLoop
from dispatch.seats.verify import differences
from sim.server import FeedServer
from tests.app.conftest import wait_for
from tests.dispatch.casework.policies import DISPATCHER, LEAD
from tests.dispatch.seats.cable import Cable
from tests.dispatch.seats.seating import act
from tests.dispatch.seats.seating import event as seat_event
from tests.feeds import make_event
from widgets.shell.status_bar import CockpitStatusBar

pytestmark = pytest.mark.slow
WAIT = 10.0
ROOT = Path(__file__).resolve().parents[3]


def join(hub: str, tmp_path: Path, name: str, *, lead: bool = True) -> SeatLoop:
    return open_seat_loop(SeatJoin((hub,), name, "test"), tmp_path / f"{name}.sqlite3", lead=lead)


def case_sources(seat: SeatLoop) -> list[tuple[str, str]]:
    sql = "SELECT source, event_id FROM case_events ORDER BY case_id"
    return seat.query(lambda ctx: ctx.desk.conn.execute(sql).fetchall()).result(WAIT)


def reports(seat: SeatLoop) -> list[tuple[str, str, str]]:
    sql = "SELECT source, event_id, feed FROM events ORDER BY seq"
    return seat.query(lambda ctx: ctx.desk.conn.execute(sql).fetchall()).result(WAIT)


@contextlib.asynccontextmanager
async def joined_cockpit(
    window: MainWindow, seat: SeatLoop, orders: Callable[[], OrderSender] | None = None
) -> AsyncIterator[tuple[FeedServer, Cockpit]]:
    """A cockpit on `seat`, its feed from a real feed server on 127.0.0.1 forwarded to the centre's log
    (as `--hub … --seat` runs), once the server has its subscriber."""
    async with FeedServer(heartbeat_s=0.2) as server:
        pipelines = forwarding(make_pipeline_factory(None, None, orders=orders), seat)
        cockpit = Cockpit(
            window,
            db_path=feed_store(seat.db_path),
            loop=seat,
            feed_url=server.url,
            pipeline_factory=pipelines,
        )
        await cockpit.start()
        try:
            await server.wait_subscribed()
            yield server, cockpit
        finally:
            await cockpit.shutdown()


def test_a_joined_cockpits_feed_reaches_every_seat_through_the_log(
    qloop: qasync.QEventLoop, window: MainWindow, hub: str, tmp_path: Path
) -> None:
    # The seat with the cockpit leads (its beat publishes the runs of discovery); b has no cockpit.
    a, b = join(hub, tmp_path, "a"), join(hub, tmp_path, "b", lead=False)
    a.wait_status(lambda status: status.leading, WAIT)
    watch = SeatStatusWatch(a, window.status, window)

    async def scenario() -> None:
        async with joined_cockpit(window, a) as (server, cockpit):
            server.publish_event(make_event(1))
            server.publish_metric(
                {"name": "water_level", "value": 3.4, "unit": "m", "at": "2026-11-21T08:00:00+08:00"}
            )
            await wait_for(lambda: window.events.model.rowCount() == 1, cockpit.frame_clock.summary_flushed)
            # In the log once this seat applied it: then the other seat's catching up brings it.
            await wait_for(lambda: readings(a) != [], cockpit.frame_clock.ticked)
            # The cockpit's beat on the leading seat publishes a run of discovery: the report's case.
            await wait_for(lambda: case_sources(a) != [], cockpit.frame_clock.ticked)

    try:
        qloop.run_until_complete(scenario())
        b.caught_up().result(WAIT)
        # The seat's own feed store holds the feed; both replicas hold the report as the log gave it.
        assert reports(a) == reports(b) == [("iot", "iot-test-000001", "seat:a")]
        # … and the case discovery opened from it, on every seat alike (the leader's run is in the log).
        assert case_sources(a) == case_sources(b) == [("iot", "iot-test-000001")]
        # The vital signs too: a wall following a replica shows them.
        assert readings(b) == [("water_level", 3.4)]
        assert a.db_path != feed_store(a.db_path)
        assert window.status.seat.isVisible()
        assert window.status.seat.text().startswith("Seat a · ")
    finally:
        watch.close()
        a.close()
        b.close()


def test_the_status_bar_says_offline_read_only_while_the_seat_is_cut_off(
    qtbot: QtBot, hub: str, tmp_path: Path
) -> None:
    bar = CockpitStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    with Cable(hub) as cable:
        seat = join(cable.url, tmp_path, "a")
        watch = SeatStatusWatch(seat, bar)
        try:
            qtbot.waitUntil(lambda: bar.seat.property("state") == "online", timeout=int(WAIT * 1000))
            cable.cut(silent=True)  # a pulled cable: the seat notices by its pings
            qtbot.waitUntil(lambda: bar.seat.property("state") == "offline", timeout=int(WAIT * 1000))
            assert bar.seat.text() == "Seat a · offline · read-only"
            cable.mend()
            qtbot.waitUntil(lambda: bar.seat.property("state") == "online", timeout=int(WAIT * 1000))
            assert "read-only" not in bar.seat.text()
        finally:
            watch.close()
            seat.close()


def test_offline_reads_in_chinese(qtbot: QtBot, qapp: QApplication) -> None:
    translator = QTranslator()
    assert translator.load(str(ROOT / "resources" / "i18n" / "seats_zh_CN.qm"))
    qapp.installTranslator(translator)
    try:
        bar = CockpitStatusBar()
        qtbot.addWidget(bar)
        bar.show_seat("east-1", online=False, leading=True)
        assert bar.seat.text() == "席位 east-1 · 离线 · 只读"
        bar.show_seat("east-1", online=True, leading=False, stopped="the log no longer holds entry 4")
        assert bar.seat.text() == "席位 east-1 · 已停止同步 · 请重启"
    finally:
        qapp.removeTranslator(translator)


def test_a_seat_that_stopped_applying_the_log_says_so_in_red_with_why(qtbot: QtBot) -> None:
    bar = CockpitStatusBar()
    qtbot.addWidget(bar)
    bar.show_seat("east-1", online=True, leading=True, stopped="the centre's log no longer holds entry 4")
    assert bar.seat.text() == "Seat east-1 · stopped · restart it"
    assert bar.seat.property("state") == "offline"  # the red of a seat that takes no commands
    assert "no longer holds entry 4" in bar.seat.toolTip()
    bar.show_seat("east-1", online=True, leading=True)  # restarted and following again
    assert (bar.seat.text(), bar.seat.toolTip()) == ("Seat east-1 · runs the periodic jobs", "")


def test_a_seat_sends_its_replicas_orders_and_its_units_reports_reach_every_seat(
    qloop: qasync.QEventLoop, window: MainWindow, hub: str, tmp_path: Path
) -> None:
    """Dispatched on any seat, an order goes out on a seat's feed until its unit answers; the unit's report
    comes back on that feed and moves the case on every seat (through the log)."""
    # b may not lead: taking the lease a gives back as it closes, b would log an entry a never holds.
    a, b = join(hub, tmp_path, "a"), join(hub, tmp_path, "b", lead=False)
    (case_id,) = b.publish_event(seat_event("flood-1")).result(WAIT).opened
    act(b, case_id, Action.REGISTER, LEAD)
    act(b, case_id, Action.DISPATCH, DISPATCHER, unit="U-1")
    a.caught_up().result(WAIT)

    async def scenario() -> None:
        orders = functools.partial(OrderSender, a.db_path, pending=unanswered_orders)
        async with joined_cockpit(window, a, orders) as (server, cockpit):
            await server.wait_orders(1)
            (order_id,) = server.orders
            at = datetime.now(UTC).isoformat()
            server.publish_report({"order_id": order_id, "unit": "U-1", "action": "sign", "at": at})
            await wait_for(lambda: state(b, case_id) is CaseState.SIGNED, cockpit.frame_clock.ticked, WAIT)

    try:
        qloop.run_until_complete(scenario())
        # b too: the leader's beats (a's cockpit) may have published runs of the jobs after the report.
        for seat in (a, b):
            seat.caught_up().result(WAIT)
        assert state(a, case_id) is CaseState.SIGNED
        # Answered: no seat sends the order again.
        assert a.query(lambda ctx: unanswered_orders(ctx.desk.conn)).result(WAIT) == []
        last = b.query(lambda ctx: audit.timeline(ctx.desk.conn, [case_id])[-1]).result(WAIT)
        assert (last.action, last.actor) == (Action.SIGN, "U-1")
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []


def readings(seat: SeatLoop) -> list[tuple[str, float]]:
    sql = "SELECT name, value FROM metrics"
    return seat.query(lambda ctx: ctx.desk.conn.execute(sql).fetchall()).result(WAIT)


def state(seat: SeatLoop, case_id: int) -> CaseState:
    return seat.query(lambda ctx: ctx.desk.get(case_id).state).result(WAIT)


def test_a_report_seen_while_cut_off_reaches_the_log_once_the_seat_is_back(
    qloop: qasync.QEventLoop, window: MainWindow, hub: str, tmp_path: Path
) -> None:
    """Only this seat's feed saw it: it must not be lost because the seat was cut off just then."""
    b = join(hub, tmp_path, "b")
    with Cable(hub) as cable:
        a = join(cable.url, tmp_path, "a")

        async def scenario() -> None:
            async with joined_cockpit(window, a) as (server, cockpit):
                cable.cut()
                await wait_for(lambda: not a.status.online, cockpit.frame_clock.ticked, WAIT)
                server.publish_event(make_event(7))
                await wait_for(lambda: window.events.model.rowCount() == 1, cockpit.frame_clock.ticked, WAIT)
                assert reports(b) == []  # not in the log yet: it waits on this seat
                cable.mend()
                await wait_for(lambda: reports(a) != [], cockpit.frame_clock.ticked, WAIT * 2)

        try:
            qloop.run_until_complete(scenario())
            b.caught_up().result(WAIT)
            assert reports(b) == [("iot", "iot-test-000007", "seat:a")]
        finally:
            a.close()
            b.close()


def test_a_seats_feed_brings_the_units_live_positions_onto_its_own_replica(
    qloop: qasync.QEventLoop, window: MainWindow, hub: str, tmp_path: Path
) -> None:
    """The map and the dispatch dialog read where units are from the seat's store: its feed's positions
    are copied there as its own records (they are not case data: not through the log)."""
    # b may not lead: taking the lease a gives back as it closes, b would log an entry a never holds.
    a, b = join(hub, tmp_path, "a"), join(hub, tmp_path, "b", lead=False)

    async def scenario() -> None:
        async with joined_cockpit(window, a) as (server, cockpit):
            at = datetime.now(UTC).isoformat()
            server.publish_unit_status(
                {"unit": "U-1", "lon": 120.151, "lat": 30.271, "status": "en_route", "at": at}
            )
            await wait_for(lambda: positions(a) != [], cockpit.frame_clock.ticked, WAIT)

    try:
        qloop.run_until_complete(scenario())
        assert positions(a) == [("U-1", 120.151, 30.271, "en_route")]
        for seat in (a, b):  # a too: its lease entry and its beats' runs of the jobs come by the log
            seat.caught_up().result(WAIT)
        assert positions(b) == []  # another seat's own feed tells it where units are
    finally:
        a.close()
        b.close()
    assert differences(a.db_path, b.db_path) == []  # the replicas' cases are untouched


def positions(seat: SeatLoop) -> list[tuple[str, float, float, str]]:
    sql = "SELECT unit, lon, lat, status FROM unit_positions"
    return seat.query(lambda ctx: ctx.desk.conn.execute(sql).fetchall()).result(WAIT)


def test_log_days_is_the_retention_of_the_log_a_console_creates(hub: str, tmp_path: Path) -> None:
    import asyncio

    import nats

    seat = open_seat_loop(SeatJoin((hub,), "a", "kept", log_days=7.5), tmp_path / "a.sqlite3")
    seat.close()

    async def limits() -> tuple[float | None, int | None]:
        client = await nats.connect(hub)
        try:
            info = await client.jetstream().stream_info("TIANSHU_KEPT")
        finally:
            await client.close()
        return info.config.max_age, info.config.max_msgs

    assert asyncio.run(limits()) == (7.5 * 86_400, -1)  # by age; a seat away longer restores a snapshot
