"""Situation tests reuse the duty desk on a real store, with the demo city's map beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.change_bus import ChangeBus
from app.shell.theme import load_palette
from app.situation.controller import SituationController
from core.clock import SystemClock
from dispatch.atlas import Atlas, load_atlas
from tests.app.desk.test_duty import Duty, duty
from widgets.situation.map_view import SituationMap

__all__ = ["demo_atlas", "duty", "map_beside", "situation"]

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"


@pytest.fixture(scope="session")
def demo_atlas() -> Atlas:
    return load_atlas(DEMO)


def map_beside(qtbot: QtBot, duty: Duty, atlas: Atlas, *, live: bool = False) -> SituationController:
    """A shown map on the desk's loop and change bus; `live` starts its unit and warning reads on the wall
    clock (fixes and CAP expiries are real times)."""
    view = SituationMap(load_palette())
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    assert isinstance(duty.controller.bus, ChangeBus)
    clock = SystemClock() if live else duty.clock
    controller = SituationController(
        view, duty.worker, duty.controller.bus, duty.controller, atlas, clock=clock
    )
    if live:
        controller.start()
    return controller


@pytest.fixture
def situation(
    qtbot: QtBot, qapp: QApplication, duty: Duty, demo_atlas: Atlas
) -> Iterator[SituationController]:
    controller = map_beside(qtbot, duty, demo_atlas)
    yield controller
    controller.stop()
