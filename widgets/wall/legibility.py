"""How tall a glyph must be, in pixels, to be read at a distance (ISO 9241-3, NUREG-0700)."""

from __future__ import annotations

import math

MM_PER_INCH = 25.4
# Visual angles of a character's height, in minutes of arc: the least legible size and the preferred one.
MINIMUM_ARC = 16.0
PREFERRED_ARC = 20.0


def pixel_pitch_mm(diagonal_in: float, resolution: tuple[int, int]) -> float:
    """The size of one (square) pixel of a panel `diagonal_in` inches across with `resolution` pixels."""
    width, height = resolution
    if diagonal_in <= 0 or width <= 0 or height <= 0:
        raise ValueError("a panel needs a positive diagonal and resolution")
    return diagonal_in * MM_PER_INCH / math.hypot(width, height)


def glyph_height_mm(distance_m: float, arc_minutes: float) -> float:
    """The height that subtends `arc_minutes` at `distance_m` (the eye looking at the glyph's middle)."""
    if distance_m <= 0 or arc_minutes <= 0:
        raise ValueError("distance and arc must be positive")
    return 2 * distance_m * 1000 * math.tan(math.radians(arc_minutes / 60) / 2)


def min_glyph_px(
    distance_m: float, diagonal_in: float, resolution: tuple[int, int], arc_minutes: float = MINIMUM_ARC
) -> int:
    """The least character height in whole pixels for a viewer `distance_m` away from a panel of
    `diagonal_in` inches showing `resolution`: 74 px at 10 m on a 55″ 1080p panel for 16′ of arc."""
    return math.ceil(glyph_height_mm(distance_m, arc_minutes) / pixel_pitch_mm(diagonal_in, resolution))
