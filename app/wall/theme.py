"""The wall's stylesheet: the wall QSS with the theme's colours and the room's type sizes filled in."""

from __future__ import annotations

from importlib import resources

from app.shell.theme import render_stylesheet
from app.wall.pages import Viewing
from widgets.common.palette import Palette
from widgets.wall.legibility import MINIMUM_ARC, min_glyph_px
from widgets.wall.type_scale import WallType


def wall_type(viewing: Viewing, family: str) -> WallType:
    """Glyph heights for the farthest seat: the least legible (16′) and the file's preferred arc."""
    args = (viewing.distance_m, viewing.panel_diagonal_in, viewing.panel_px)
    return WallType(min_glyph_px(*args, MINIMUM_ARC), min_glyph_px(*args, viewing.arc_minutes), family)


def wall_stylesheet(palette: Palette, sizes: WallType) -> str:
    qss = (resources.files("resources") / "theme" / "wall.qss").read_text(encoding="utf-8")
    return render_stylesheet(qss, Palette({**palette.tokens, **sizes.tokens()}))
