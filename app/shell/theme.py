"""Loads the dark theme: the QSS with its @tokens filled from tokens.json, and the same palette for charts."""

from __future__ import annotations

import json
import re
from importlib import resources

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from widgets.common.palette import Palette

_TOKEN = re.compile(r"@([A-Za-z][A-Za-z0-9_]*)")


class ThemeError(Exception):
    """The theme files disagree (a token used in the QSS but not defined)."""


def _theme_text(name: str) -> str:
    return (resources.files("resources") / "theme" / name).read_text(encoding="utf-8")


def load_palette() -> Palette:
    tokens = json.loads(_theme_text("tokens.json"))
    if not isinstance(tokens, dict) or not all(isinstance(v, str) for v in tokens.values()):
        raise ThemeError("tokens.json must map token names to colour strings")
    return Palette(tokens)


def render_stylesheet(qss: str, palette: Palette) -> str:
    """Replace every `@token`; an unknown token is an error, not a silently broken colour."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            return palette.tokens[name]
        except KeyError:
            raise ThemeError(f"dark.qss uses @{name}, which tokens.json does not define") from None

    return _TOKEN.sub(replace, qss)


def apply_theme(app: QApplication) -> Palette:
    """Style the whole application and pyqtgraph's defaults from one palette; returns it for the widgets."""
    palette = load_palette()
    app.setStyle("Fusion")
    # Links in rich text (the case's snapshots) take the palette, not the style sheet: Qt's default dark
    # blue is unreadable on the dark surfaces.
    colours = app.palette()
    for role in (QPalette.ColorRole.Link, QPalette.ColorRole.LinkVisited):
        colours.setColor(role, QColor(palette.hex("accent")))
    app.setPalette(colours)
    app.setStyleSheet(render_stylesheet(_theme_text("dark.qss"), palette))
    pg.setConfigOptions(
        background=palette.hex("chart_bg"),
        foreground=palette.hex("chart_axis"),
        antialias=True,
    )
    return palette
