"""Builds a wall window's pages from the pages file: each panel kind made once, kept for the controller."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QWidget

from app.wall.pages import Page, Panel, PanelKind
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.wall.case_board import WallCaseBoard
from widgets.wall.page_view import WallPageView
from widgets.wall.panel import WallPanel
from widgets.wall.placeholder import WallPlaceholder
from widgets.wall.roster_clock import WallRosterClock
from widgets.wall.trends_panel import WallTrends
from widgets.wall.type_scale import TextRole, WallType
from widgets.wall.video_block import MAX_TILES, WallVideoBlock
from widgets.wall.vitals_panel import WallVitals
from widgets.wall.warnings_panel import WallWarnings

log = logging.getLogger(__name__)
# The situation map is built in widgets/situation/; the wall shows it once it exists (module, class).
MAP_WIDGET = ("widgets.situation.map_view", "SituationMap")


@dataclass
class WallParts:
    """Every data-showing panel of one window, by kind, for the controller to feed."""

    vitals: list[WallVitals] = field(default_factory=list)
    trends: list[WallTrends] = field(default_factory=list)
    boards: list[WallCaseBoard] = field(default_factory=list)
    rosters: list[WallRosterClock] = field(default_factory=list)
    warnings: list[WallWarnings] = field(default_factory=list)
    videos: list[WallVideoBlock] = field(default_factory=list)
    maps: list[QWidget] = field(default_factory=list)


def panel_title(kind: PanelKind) -> str:
    """The title a panel has when the pages file gives none."""
    titles: dict[PanelKind, Callable[[], str]] = {
        PanelKind.MAP: lambda: QCoreApplication.translate("WallPages", "City map"),
        PanelKind.VITALS: lambda: QCoreApplication.translate("WallPages", "City vital signs"),
        PanelKind.TRENDS: lambda: QCoreApplication.translate("WallPages", "Trends"),
        PanelKind.CASES: lambda: QCoreApplication.translate("WallPages", "Open cases"),
        PanelKind.VIDEO: lambda: QCoreApplication.translate("WallPages", "Video"),
        PanelKind.ROSTER: lambda: QCoreApplication.translate("WallPages", "On duty"),
        PanelKind.WARNINGS: lambda: QCoreApplication.translate("WallPages", "Warnings in force"),
    }
    return titles[kind]()


def build_page(
    page: Page,
    parts: WallParts,
    words: Vocabulary,
    palette: Palette,
    sizes: WallType,
    cameras: Mapping[str, str] = MappingProxyType({}),
) -> WallPageView:
    """`cameras`: camera id → name, in the registry's order (a video panel without ids shows the first)."""
    view = WallPageView(page.name, page.title, page.columns, page.rows)
    for panel in page.panels:
        body = _body(panel, parts, words, palette, sizes, cameras)
        view.place(
            WallPanel(panel.title or panel_title(panel.kind), body),
            panel.column,
            panel.row,
            panel.columns,
            panel.rows,
        )
    return view


def _body(
    panel: Panel,
    parts: WallParts,
    words: Vocabulary,
    palette: Palette,
    sizes: WallType,
    cameras: Mapping[str, str],
) -> QWidget:
    if panel.kind is PanelKind.VITALS:
        columns = min(max(1, len(panel.metrics)), panel.columns * 2) if panel.columns > 1 else 1
        vitals = WallVitals(words, panel.metrics, columns)
        parts.vitals.append(vitals)
        return vitals
    if panel.kind is PanelKind.TRENDS:
        trends = WallTrends(palette, words, panel.metrics, panel.window_s)
        trends.set_text_px(sizes.font_px(TextRole.LABEL), sizes.font_px(TextRole.MINOR))
        parts.trends.append(trends)
        return trends
    if panel.kind is PanelKind.CASES:
        board = WallCaseBoard(words)
        parts.boards.append(board)
        return board
    if panel.kind is PanelKind.ROSTER:
        roster = WallRosterClock()
        parts.rosters.append(roster)
        return roster
    if panel.kind is PanelKind.WARNINGS:
        warnings = WallWarnings()
        parts.warnings.append(warnings)
        return warnings
    if panel.kind is PanelKind.VIDEO:
        video = WallVideoBlock()
        chosen = panel.cameras or tuple(cameras)[:MAX_TILES]
        video.show_cameras([(camera_id, cameras.get(camera_id, camera_id)) for camera_id in chosen])
        parts.videos.append(video)
        return video
    return _map(parts, palette, sizes)


def _map(parts: WallParts, palette: Palette, sizes: WallType) -> QWidget:
    """The situation map if its widget is in the build, else a sentence saying the map is not available.
    Its words (district names, scale, warnings) are at the room's least legible size."""
    widget = make_map(palette)
    if widget is None:
        return WallPlaceholder(
            QCoreApplication.translate("WallPages", "The city map is not available in this build")
        )
    set_text_px = getattr(widget, "set_text_px", None)
    if callable(set_text_px):
        set_text_px(sizes.font_px(TextRole.MINOR))
    parts.maps.append(widget)
    return widget


def make_map(palette: Palette) -> QWidget | None:
    """A read-only situation map, or None when its widget is not in the build or cannot be made.

    It is another room's widget: trouble in it costs the map and a log line, never the wall.
    """
    module_name, class_name = MAP_WIDGET
    try:
        widget = getattr(importlib.import_module(module_name), class_name)(palette)
    except Exception:
        log.exception("the wall shows no map")
        return None
    if not isinstance(widget, QWidget):
        return None
    # The wall is read-only: the map neither pans nor takes clicks, and its layer switches are the desk's.
    widget.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    legend = getattr(widget, "legend", None)
    if isinstance(legend, QWidget):
        legend.hide()
    return widget
