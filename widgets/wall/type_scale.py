"""The wall's type sizes: from the least legible glyph height to font pixel sizes that really draw it."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QFont, QFontMetricsF

# The "character height" of ISO 9241-3: of capitals and figures, the font's cap height; of ideographs, the
# drawn height of a full-frame one (国 fills its em box, unlike 一), which stands taller than capitals.
FULL_IDEOGRAPH = "国"
_PROBE_PX = 200


class TextRole(enum.StrEnum):
    """How prominent a piece of wall text is; every role is at least the least legible height."""

    MINOR = "minor"  # units, axis figures, ages: the least legible height
    LABEL = "label"  # captions, list rows, the clock's date: the preferred height
    TITLE = "title"  # page and panel titles
    VALUE = "value"  # the big numbers of the vital-sign tiles


# Each role's glyph height as a multiple of (minimum, preferred): the larger of the two wins.
_FACTORS = {
    TextRole.MINOR: (1.0, 0.0),
    TextRole.LABEL: (1.0, 1.0),
    TextRole.TITLE: (1.0, 1.15),
    TextRole.VALUE: (1.5, 1.3),
}


def glyph_height(font: QFont, text: str) -> float:
    """The character height of `text` drawn in `font` (the shorter of its scripts): capitals and figures
    by the font's cap height, ideographs by a full-frame one; inf for text with neither (punctuation)."""
    metrics = QFontMetricsF(font)
    heights = []
    if any(ch.isupper() or ch.isdigit() for ch in text):
        heights.append(metrics.capHeight())
    if any(_is_cjk(ch) for ch in text):
        heights.append(metrics.tightBoundingRect(FULL_IDEOGRAPH).height())
    return min(heights) if heights else math.inf


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=16)
def _glyph_share(family: str) -> float:
    """A font's shortest measured glyph as a share of its pixel size (about 0.7 for Latin faces)."""
    font = QFont(family)
    font.setPixelSize(_PROBE_PX)
    return glyph_height(font, "H" + FULL_IDEOGRAPH) / _PROBE_PX


@dataclass(frozen=True, slots=True)
class WallType:
    """Glyph heights in px for the least legible (`minimum`) and the preferred arc, and the font family."""

    minimum: int
    preferred: int
    family: str

    def glyph_px(self, role: TextRole) -> int:
        low, high = _FACTORS[role]
        return math.ceil(max(self.minimum * low, self.preferred * high))

    def font_px(self, role: TextRole) -> int:
        """The font pixel size whose capitals and ideographs are at least `glyph_px(role)` tall."""
        return math.ceil(self.glyph_px(role) / _glyph_share(self.family)) + 1

    def font(self, role: TextRole) -> QFont:
        font = QFont(self.family)
        font.setPixelSize(self.font_px(role))
        return font

    def tokens(self) -> dict[str, str]:
        """`wall_<role>_px` for the wall's stylesheet."""
        return {f"wall_{role.value}_px": f"{self.font_px(role)}px" for role in TextRole}
