"""A wall on a hand-driven clock for the tests: pages from text, one window at a chosen size."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.shell.application import install_translations
from app.shell.theme import apply_theme
from app.wall.build import WallParts
from app.wall.controller import WallController, WallSource
from app.wall.launch import build_windows
from app.wall.pages import WallPages
from app.wall.pages_file import parse_pages
from app.wall.source import WallReading
from app.wall.window import WallWindow
from core.clock import ManualClock
from dispatch.feed.values import MetricSample
from dispatch.vitals.rules import AlertRule
from video.registry import CameraRegistry
from widgets.common.vocabulary import Vocabulary
from widgets.wall.case_board import CaseFigures

T0 = 1_767_603_600.0

TWO_PAGES = """\
burn_in: {every: 4 minutes, shift_px: 4}
pages:
  - name: vitals
    grid: 2x2
    dwell: 30 seconds
    panels:
      - {kind: vitals, at: [0, 0], span: [2, 1], metrics: [water_level_max, aqi]}
      - {kind: trends, at: [0, 1], span: [2, 1], metrics: [water_level_max]}
  - name: duty
    grid: 2x1
    dwell: 45 seconds
    panels:
      - {kind: roster, at: [0, 0]}
      - {kind: cases, at: [1, 0]}
"""


@dataclass
class Wall:
    controller: WallController
    window: WallWindow
    parts: WallParts
    clock: ManualClock
    pages: WallPages

    def advance(self, seconds: float) -> None:
        """Move the clock and beat, as the wall's one-second timer would."""
        self.clock.advance(seconds)
        self.controller.beat()

    def readings(self, *samples: MetricSample, newest: float | None = None) -> None:
        latest = max((s.at for s in samples), default=None)
        self.controller.apply(
            WallReading(samples, CaseFigures((0, 0, 0, 0), (), 0, 0), (), (), (), newest or latest)
        )


def level(value: float, at: float, area: str = "339901") -> MetricSample:
    return MetricSample(0, "water_level_max", value, at, "m", (("district", area),))


@contextmanager
def wall_on(
    qtbot: QtBot,
    qapp: QApplication,
    text: str = TWO_PAGES,
    *,
    size: tuple[int, int] = (1920, 1080),
    rules: Sequence[AlertRule] = (),
    language: str = "en",
    source: WallSource | None = None,
    cameras: Mapping[str, str] = MappingProxyType({}),
    districts: Mapping[str, str] = MappingProxyType({}),
    registry: CameraRegistry | None = None,
) -> Iterator[Wall]:
    translators = install_translations(qapp, language)
    try:
        pages = parse_pages(text, "pages.yaml")
        words = Vocabulary(qapp)
        ((window, parts),) = build_windows(
            pages, QGuiApplication.screens()[:1], apply_theme(qapp), words, cameras
        )
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        clock = ManualClock(T0)
        controller = WallController(
            pages, [(window, parts)], clock, words, rules, source, district_names=districts, cameras=registry
        )
        yield Wall(controller, window, parts, clock, pages)
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
