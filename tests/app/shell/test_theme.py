"""Theme: every QSS token is defined, tokens are valid colours, and no colour lives in Python code."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.shell.theme import ThemeError, apply_theme, load_palette, render_stylesheet

ROOT = Path(__file__).resolve().parents[3]


def test_the_stylesheet_renders_with_every_token_defined() -> None:
    palette = load_palette()
    qss = (resources.files("resources") / "theme" / "dark.qss").read_text(encoding="utf-8")

    rendered = render_stylesheet(qss, palette)

    assert "@" not in rendered
    assert palette.hex("bg") in rendered


def test_every_token_is_a_colour() -> None:
    palette = load_palette()
    assert all(QColor(value).isValid() for value in palette.tokens.values())


def test_an_unknown_token_is_an_error() -> None:
    with pytest.raises(ThemeError, match="@nope"):
        render_stylesheet("QWidget { color: @nope; }", load_palette())


def test_charts_share_the_palette(qapp: QApplication) -> None:
    palette = apply_theme(qapp)
    try:
        assert pg.getConfigOption("background") == palette.hex("chart_bg")
        assert pg.getConfigOption("foreground") == palette.hex("chart_axis")
        assert qapp.styleSheet()
        # Snapshot links on the case panel are readable on the dark surface, visited or not.
        for role in (QPalette.ColorRole.Link, QPalette.ColorRole.LinkVisited):
            assert qapp.palette().color(role).name() == palette.hex("accent").lower()
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(qapp.style().standardPalette())


def test_no_colour_literals_in_python_code() -> None:
    literal = re.compile(r"""["']#[0-9a-fA-F]{3,8}["']|Qt\.GlobalColor\.|QColor\(\s*\d""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("app", "widgets")
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert offenders == []
