"""A camera's mark on the map opens its picture in the video wall's pop-up, as the cockpit wires them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.mercator import View
from dispatch.atlas import Atlas
from tests.app.desk.test_duty import Duty
from tests.app.situation.conftest import map_beside
from tests.app.videowall.test_wall import make_rig

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"


def test_clicking_a_camera_on_the_map_shows_its_picture_in_the_pop_up(
    qtbot: QtBot, qapp: QApplication, duty: Duty, demo_atlas: Atlas, settings: QSettings, tmp_path: Path
) -> None:
    rig = next(make_rig(qtbot, settings, tmp_path))
    situation = map_beside(qtbot, duty, demo_atlas)
    view = situation.view
    try:
        situation.open_cameras_with(rig.controller.link_case)
        camera = demo_atlas.cameras[0]
        view.set_view(View(camera.lon, camera.lat, 17.0, view.width(), view.height()))
        x, y = view.view.to_screen(camera.lon, camera.lat)

        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))

        qtbot.waitUntil(rig.wall.popup.isVisible)
        assert [t.camera_id for t in rig.wall.popup.shown] == [camera.id]
    finally:
        situation.stop()
        rig.wall.popup.hide()
        rig.factory.abandon()
        rig.controller.close()
