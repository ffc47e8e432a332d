"""The map's live layers on a real store fed through a real feed server: units where they last reported
(protocol v1.2 unit_status) and CAP warnings with their areas; the route of the unit being dispatched; the
search reaching the store's cases; bookmarks kept across restarts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.desk.jobs import atlas_directory
from app.shell.theme import load_palette
from app.situation.controller import SituationController
from app.situation.lookup import keep_bookmarks
from dispatch.atlas import Atlas
from dispatch.casework.model import CaseState
from dispatch.feed.client import BackoffPolicy
from dispatch.feed.pipeline import IntakePipeline
from dispatch.feed.positions_wire import PositionRules
from sim.server import FeedServer
from tests.app.desk.test_duty import Duty
from tests.app.situation.conftest import map_beside
from tests.dispatch.cap_samples import Area, cap_xml
from tests.dispatch.casework.policies import MONDAY_9, put_event
from tests.feeds import make_event
from widgets.situation.map_marks import UnitStatus
from widgets.situation.map_view import SituationMap

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"
FAST = BackoffPolicy(base_s=0.02, cap_s=0.1, idle_timeout_s=15.0)
# A square over the demo city's centre, as CAP writes it ("lat,lon"), and a circle of 1.5 km.
SQUARE = "30.25,120.13 30.25,120.17 30.29,120.17 30.29,120.13 30.25,120.13"
CIRCLE = "30.30,120.20 1.5"


@pytest.fixture
def situation(
    qtbot: QtBot, qapp: QApplication, duty: Duty, demo_atlas: Atlas
) -> Iterator[SituationController]:
    controller = map_beside(qtbot, duty, demo_atlas, live=True)
    yield controller
    controller.stop()


def feed(db: Path, atlas: Atlas, publish: Callable[[FeedServer], None]) -> None:
    """Run the real intake against a real feed server on 127.0.0.1 until what `publish` sent is stored."""

    async def scenario() -> None:
        async with FeedServer(heartbeat_s=None) as server:
            pipeline = IntakePipeline(
                db_path=db, feed_url=server.url, policy=FAST, positions=PositionRules.from_atlas(atlas)
            )
            task = asyncio.create_task(pipeline.run())
            try:
                await server.wait_subscribed(1)
                publish(server)
                last = server.publish_event(make_event(0))
                async with asyncio.timeout(30):
                    while pipeline.intake.cursor != last:
                        await asyncio.sleep(0.01)
                assert pipeline.flush(10)
            finally:
                await pipeline.close()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())


def stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


def test_units_and_warnings_come_from_the_feed_onto_the_map(
    qtbot: QtBot, duty: Duty, demo_atlas: Atlas, situation: SituationController, tmp_path: Path
) -> None:
    crew, other = demo_atlas.units[0], demo_atlas.units[1]
    now = time.time()
    expires = stamp(now + 6 * 3600)

    def publish(server: FeedServer) -> None:
        for unit, lon, lat, status in (
            (crew, 120.151, 30.271, "en_route"),
            (other, 120.16, 30.28, "on_scene"),
        ):
            server.publish_unit_status(
                {"unit": unit.id, "lon": lon, "lat": lat, "heading": 90.0, "speed_kmh": 30.0,
                 "status": status, "at": stamp(now - 30)}
            )  # fmt: skip
        server.publish_cap(
            cap_xml(
                info={"expires": expires},
                areas=[Area("示范市中心城区", polygons=(SQUARE,), circles=(CIRCLE,))],
            )
        )

    feed(tmp_path / "store.sqlite3", demo_atlas, publish)

    view = situation.view
    qtbot.waitUntil(lambda: len(view.units) == 2 and bool(view.shapes.areas))
    at = view.units.ids.index(crew.id)
    assert (round(float(view.units.lon[at]), 6), round(float(view.units.lat[at]), 6)) == (120.151, 30.271)
    assert UnitStatus(int(view.units.status[at])) is UnitStatus.EN_ROUTE
    assert view.units.names[at] == crew.name
    (area,) = view.shapes.areas
    assert area.level == 2  # CAP "Severe" is level II
    square, circle = area.rings
    assert (120.13, 30.25) in square
    assert len(circle) >= 24  # the circle drawn as a polygon
    # The units and the area are drawn in their colours.
    image = view.grab().toImage()
    x, y = view.view.to_screen(120.151, 30.271)
    assert image.pixelColor(round(x), round(y)) != load_palette().color("map_bg")


def test_the_route_of_the_unit_the_dispatcher_is_on_shows_and_goes(
    qtbot: QtBot, duty: Duty, demo_atlas: Atlas, situation: SituationController
) -> None:
    put_event(duty.db.conn, "e1", at=MONDAY_9, lon=120.15, lat=30.27, title="井盖缺失 解放路")
    duty.controller.start()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1 and duty.state() is CaseState.DISCOVERED)
    duty.controller.directory = atlas_directory(demo_atlas)  # the demo city's crews, bases and roads
    with qtbot.waitActive(duty.desk):  # the officer works at the desk (the map opened in a window of its own)
        duty.desk.activateWindow()
    duty.desk.queue.focus_table()
    duty.press(Qt.Key.Key_R)
    qtbot.waitUntil(lambda: duty.state() is CaseState.REGISTERED)

    duty.press(Qt.Key.Key_D)
    dialog = duty.desk.dispatch_dialog
    qtbot.waitUntil(dialog.units.hasFocus)
    view = situation.view
    options = dialog.options
    assert options is not None
    # Down to the first unit with a base in the city: its road route to the scene goes on the map.
    row = next(i for i, choice in enumerate(options.choices) if choice.position is not None)
    for _ in range(row - dialog.units.currentRow()):
        QTest.keyClick(dialog.units, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: view.shapes.route is not None)
    route = view.shapes.route
    assert route is not None
    assert route.points[-1] == (120.15, 30.27)  # it ends at the scene
    assert route.travel_s is not None
    assert route.travel_s > 0
    assert not route.live  # no live position yet: from its base, and the label says so

    QTest.keyClick(dialog.units, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.shapes.route is None)


def test_searching_a_case_code_finds_it_in_the_store_and_opens_it(
    qtbot: QtBot, duty: Duty, situation: SituationController
) -> None:
    put_event(duty.db.conn, "e1", at=MONDAY_9, lon=120.15, lat=30.27, title="积水 解放路")
    duty.controller.start()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1)
    code = duty.db.execute("SELECT code FROM cases").fetchone()[0]
    view = situation.view

    QTest.keyClicks(view.toolbar.search, code)
    qtbot.waitUntil(lambda: view.toolbar.list.count() >= 1)
    assert view.toolbar.list.item(0).text().startswith(code)  # type: ignore[union-attr]
    QTest.keyClick(view.toolbar.search, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: duty.desk.panel.case_file is not None and duty.desk.panel.case_file.case.code == code
    )

    QTest.keyClicks(view.toolbar.search, "x")  # no case, place or unit holds it
    qtbot.waitUntil(lambda: view.toolbar.list.count() == 0 and view.toolbar.heading.isVisibleTo(view.toolbar))


def test_a_kept_bookmark_comes_back_after_a_restart(qtbot: QtBot, demo_atlas: Atlas, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "map.ini"), QSettings.Format.IniFormat)
    first = SituationMap(load_palette())
    qtbot.addWidget(first)
    first.resize(800, 600)
    first.set_atlas(demo_atlas)
    keep_bookmarks(first, demo_atlas, settings)
    assert first.work.bookmarks[1][0] == demo_atlas.districts[0].name  # districts until one is kept
    first.centre_on(120.2, 30.3, 16.0)
    first.work.save_bookmark(1)

    again = SituationMap(load_palette())
    qtbot.addWidget(again)
    again.resize(800, 600)
    again.set_atlas(demo_atlas)
    keep_bookmarks(again, demo_atlas, settings)
    again.work.go_to_bookmark(1)
    assert (round(again.view.lon, 6), round(again.view.lat, 6), again.view.zoom) == (120.2, 30.3, 16.0)
