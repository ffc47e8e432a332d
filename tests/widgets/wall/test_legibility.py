"""Glyph heights for the room: the standard's figures, how they scale, and fonts that really draw them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

from widgets.wall.legibility import MINIMUM_ARC, PREFERRED_ARC, min_glyph_px, pixel_pitch_mm
from widgets.wall.type_scale import TextRole, WallType, glyph_height

PANEL_55 = 55.0
HD = (1920, 1080)
UHD = (3840, 2160)


@pytest.mark.parametrize(
    ("distance_m", "arc", "px"),
    [
        (10, MINIMUM_ARC, 74),
        (10, 22, 101),
        (10, PREFERRED_ARC, 92),
        (5, MINIMUM_ARC, 37),
        (5, PREFERRED_ARC, 46),
    ],
)
def test_a_55_inch_1080p_panel_needs_the_standards_heights(distance_m: float, arc: float, px: int) -> None:
    assert pixel_pitch_mm(PANEL_55, HD) == pytest.approx(0.634, abs=0.001)
    assert min_glyph_px(distance_m, PANEL_55, HD, arc) == px


def test_four_times_the_pixels_on_the_same_panel_need_twice_the_pixel_height() -> None:
    assert min_glyph_px(10, PANEL_55, UHD) == pytest.approx(2 * 74, abs=1)
    # Four 55" 1080p panels spliced 2x2 have the pitch of one: the same 74 px.
    assert min_glyph_px(10, 2 * PANEL_55, UHD) == 74


@given(
    st.floats(0.5, 100),
    st.floats(0.5, 100),
    st.floats(10, 500),
    st.tuples(st.integers(320, 8000), st.integers(240, 8000)),
    st.floats(16, 30),
)
def test_farther_never_needs_smaller_glyphs(
    near: float, far: float, diagonal: float, resolution: tuple[int, int], arc: float
) -> None:
    near, far = sorted((near, far))
    small = min_glyph_px(near, diagonal, resolution, arc)
    assert 1 <= small <= min_glyph_px(far, diagonal, resolution, arc)
    # A larger panel with the same pixels has larger pixels: never more of them per glyph.
    assert min_glyph_px(far, diagonal * 2, resolution, arc) <= min_glyph_px(far, diagonal, resolution, arc)


@pytest.mark.parametrize("resolution", [HD, UHD])
def test_every_role_draws_glyphs_at_least_as_tall_as_needed_at_10_m(
    qapp: QApplication, resolution: tuple[int, int]
) -> None:
    wall = WallType(
        min_glyph_px(10, PANEL_55, resolution, MINIMUM_ARC),
        min_glyph_px(10, PANEL_55, resolution, PREFERRED_ARC),
        qapp.font().family(),
    )
    for role in TextRole:
        font = wall.font(role)
        for sample in ("WATER LEVEL 4.05", "水位超警", "预计 35 分钟后超警"):
            assert glyph_height(font, sample) >= wall.glyph_px(role) >= wall.minimum
        # Measured on the font, not taken from the scale: the cap height really is that tall.
        assert QFontMetricsF(font).capHeight() >= wall.minimum
    assert wall.glyph_px(TextRole.LABEL) >= wall.preferred
