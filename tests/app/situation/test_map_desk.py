"""The map beside the desk on a real store: cases appear where they happen, a click opens one on the desk,
and the case open on the desk is ringed on the map."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.situation.controller import SituationController
from core.mercator import View
from tests.app.desk.test_duty import Duty
from tests.dispatch.casework.policies import MONDAY_9, put_event

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"


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
