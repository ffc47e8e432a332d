"""The wall's CAP warnings in force: the most severe first, each with its area and when it ends."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.common.style import fill, set_style_property

WARNING_ROWS = 4


@dataclass(frozen=True, slots=True)
class WarningInForce:
    """One CAP warning that has not expired or been cancelled."""

    headline: str
    area: str
    severity: int  # 1..4, 1 most severe
    expires: float | None


class WallWarnings(QWidget):
    """A row per warning; the level is written in the row, its colour only repeats it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallWarnings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.rows: list[QLabel] = []
        for _ in range(WARNING_ROWS):
            # A warning's headline and area are read whole: the row wraps rather than cutting them.
            row = QLabel("", self)
            row.setObjectName("wallWarningRow")
            row.setWordWrap(True)
            layout.addWidget(row)
            self.rows.append(row)
        layout.addStretch(1)
        self.show_warnings(())

    def show_warnings(self, warnings: Sequence[WarningInForce]) -> None:
        ordered = sorted(warnings, key=lambda w: w.severity)
        if not ordered:
            self.rows[0].setText(self.tr("No warnings in force"))
            set_style_property(self.rows[0], "level", "0")
        for n, row in enumerate(self.rows):
            if n >= len(ordered):
                if n or ordered:
                    row.setText("")
                continue
            warning = ordered[n]
            until = (
                fill(self.tr("until %1"), time.strftime("%H:%M", time.localtime(warning.expires)))
                if warning.expires is not None
                else ""
            )
            row.setText(" · ".join(part for part in (warning.headline, warning.area, until) if part))
            set_style_property(row, "level", str(warning.severity))
