"""The map beside the desk on a real store: cases appear where they happen, a click opens one on the desk,
and the case open on the desk is ringed on the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.change_bus import ChangeBus
from app.shell.theme import load_palette
from app.situation.controller import SituationController
from core.mercator import View
from dispatch.atlas import Atlas, load_atlas
from tests.app.desk.test_duty import Duty
from tests.dispatch.casework.policies import MONDAY_9, put_event
from widgets.situation.map_view import SituationMap

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"


@pytest.fixture(scope="module")
def demo_atlas() -> Atlas:
    return load_atlas(DEMO)


@pytest.fixture
def situation(
    qtbot: QtBot, qapp: QApplication, duty: Duty, demo_atlas: Atlas
) -> Iterator[SituationController]:
    view = SituationMap(load_palette())
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    assert isinstance(duty.controller.bus, ChangeBus)
    controller = SituationController(
        view, duty.worker, duty.controller.bus, duty.controller, demo_atlas, clock=duty.clock
    )
    yield controller
    controller.stop()


def test_a_case_appears_where_it_happened_and_a_click_opens_it_on_the_desk(
    qtbot: QtBot,
    duty: Duty,
    situation: SituationController,
) -> None:
    put_event(duty.db.conn, "e1", at=MONDAY_9, lon=120.15, lat=30.27, title="积水 解放路")
    put_event(duty.db.conn, "e2", at=MONDAY_9, lon=120.16, lat=30.28, title="井盖缺失", category="noise")
    duty.controller.start()
    view = situation.view
    qtbot.waitUntil(lambda: len(view.incidents) == 2)
    view.set_view(View(120.15, 30.27, 16.0, view.width(), view.height()))
    x, y = view.view.to_screen(120.15, 30.27)
    first = view.incidents.ids[list(view.incidents.lon).index(120.15)]

    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))

    qtbot.waitUntil(
        lambda: duty.desk.panel.case_file is not None and duty.desk.panel.case_file.case.id == int(first)
    )
    # The desk answers: the case open on it is ringed on the map.
    assert view.highlighted == first
