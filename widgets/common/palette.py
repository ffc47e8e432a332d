"""The theme's named colours, handed to widgets that paint (chips, rows, charts) so none is hard-coded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtGui import QColor


@dataclass(frozen=True, slots=True)
class Palette:
    """Token name → colour string, exactly as in resources/theme/tokens.json."""

    tokens: Mapping[str, str]

    def color(self, name: str) -> QColor:
        """The colour of a token; a missing token is a theme bug, so it raises."""
        return QColor(self.tokens[name])

    def hex(self, name: str) -> str:
        """The token's colour as written in the theme (for pyqtgraph, which takes strings)."""
        return self.tokens[name]
